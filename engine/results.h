// What a run produces, as data: per-test results, bug reports and the
// end-of-run summary, handed to a Reporter as the run goes. The engine
// never writes to stdout itself; renderers (engine/report/) do.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/coverage.h"
#include "engine/trace.h"
#include "engine/trace_names.h"

namespace lockstep {

struct BugReport {
  Failure failure;
  uint64_t iteration = 0;
  uint64_t iteration_seed = 0;
  std::string trace_path;
  std::vector<InjectedFault> faults;  // every fault the run injected
  // The part of a split search that found it (its iteration is numbered
  // within that part, so --iteration needs --shard to reproduce it).
  uint64_t shard_index = 0, shard_count = 1;
};

// How far a search has got, for its progress line.
struct SearchProgress {
  uint64_t schedules = 0;          // explored so far
  uint64_t runs = 0;               // every run, repeated and stopped ones included
  double estimate = 0;             // the search's estimate of the whole space (0: none)
  std::optional<uint64_t> states;  // with a state cache: the states explored so far
  double seconds = 0;
};

struct TestReport {
  std::string file;
  std::string name;
  // kUnmet: no iteration failed, but a goal (ls.sometimes, ls.reachable)
  // was never met.
  enum class Status { kPassed, kBug, kError, kUnmet } status = Status::kPassed;
  std::string strategy;
  uint64_t seed = 0;
  uint64_t iterations_run = 0;
  uint64_t iteration_budget = 0;  // the iterations it was given (flag, test option or default)
  uint64_t steps = 0;
  uint64_t max_steps_hits = 0;
  double wall_seconds = 0;
  // What its iterations exercised: steps that offered a fault, faults
  // taken; whether liveness monitors were registered, and whether any
  // iteration judged them under a fair strategy.
  uint64_t fault_offers = 0, faults_taken = 0;
  bool monitored = false, monitored_fairly = false;
  uint64_t quiescent_timeouts_armed = 0, quiescent_timeouts_fired = 0;
  // What the run never exercised, or what it did not prove (engine/
  // warnings.cc): printed under the test; with --strict each fails it.
  struct Warning {
    std::string kind;     // "no_proof", "max_steps", "faults_unused", "unfair_liveness", "timeouts_never_fired",
                          // "ignored_option"
    std::string message;
  };
  std::vector<Warning> warnings;
  // Goals (ls.sometimes, ls.reachable, ls.unreachable), summed over every
  // run, each with the run that first met it (1-based; 0: never).
  struct Goal {
    GoalCount count;
    uint64_t first_met = 0;
  };
  std::vector<Goal> goals;
  uint64_t goal_runs = 0;  // runs whose goals were counted
  // A search strategy (Strategy::search()) reports what it covered.
  bool search = false;
  // The run was interrupted (SIGINT, SIGTERM) while this test ran: the
  // counts cover the iterations that had finished.
  bool interrupted = false;
  // It ran out of its wall-clock budget (max_seconds) before its
  // iterations did: the counts cover the iterations that finished.
  bool bounded_by_time = false;
  uint64_t schedules_explored = 0;  // complete executions
  uint64_t abandoned = 0;           // executions the strategy gave up
  bool complete = false;            // it explored everything it could
  // A search that remembers states (dfs --state-cache on): the states it
  // explored, and the runs that stopped at one explored before.
  std::optional<uint64_t> states;
  uint64_t state_cache_hits = 0;
  bool states_with_time = false;  // a run read the clock: states include the time
  bool state_cache_turned_on = false;  // --state-cache auto: a run that looped turned the cache on
  bool states_with_ids = false;   // a run read the numbering (pids ordered, printed): states include it
  // Shortest first (dfs --shortest on): the depth its last round allowed
  // (with a bug, the bug's length: no failing run is shorter).
  std::optional<uint32_t> shortest_depth;
  // --bitstate: the bit table's size, and the probability that a state not
  // met before was taken for an explored one by the end (no proof).
  uint64_t bitstate_bytes = 0;
  double omission_probability = 0;
  uint64_t failing_schedules = 0;   // with --keep-going: schedules that failed (the first is `bug`)
  std::optional<uint64_t> delay_bound;  // the bound a search ran under
  uint64_t beyond_bound = 0;            // branches it skipped for it
  // Fewest delays first (dfs --fewest-delays on): delay_bound is its last
  // round's; with a bug, no failing schedule has fewer delays.
  bool fewest_delays = false;
  // A search split by --shard K/N: this report is part K's (count 1: whole).
  // Merged from parts: how many of the parts were not among them.
  uint64_t shard_index = 0, shard_count = 1, shards_missing = 0;
  std::optional<BugReport> bug;
  // What the iterations reached (with --coverage, and always in JSON).
  struct Coverage {
    CoverageTotals::Metric reads_from, receives, schedule_classes;
    std::vector<CoverageTotals::Point> growth;
  };
  std::optional<Coverage> coverage;
  std::string error;
  lockstep::Status::Code error_code = lockstep::Status::Code::kOk;  // what kind of error (exit 3: load errors only)
};

struct RunSummary {
  std::vector<TestReport> tests;
  uint64_t passed = 0, bugs = 0, errors = 0, unmet = 0;
  uint64_t load_errors = 0;  // files that could not be loaded
  std::vector<std::pair<std::string, std::string>> load_failures;  // (file, message) of each
  uint64_t unloadable = 0;  // of load_errors, those for want of resources (not the file's content)
  uint64_t iterations = 0, steps = 0, max_steps_hits = 0;
  uint64_t warnings = 0;   // over all tests
  bool strict = false;     // --strict: a test with a warning fails the run
  double wall_seconds = 0;
  int interrupted_by = 0;  // the signal that stopped the run early (0: none)
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void load_error(const std::string& message) = 0;
  virtual void bug_found(const TestReport& test, const Trace& trace) = 0;
  virtual void test_finished(const TestReport& test) = 0;
  virtual void run_finished(const RunSummary& summary) = 0;
  // Called from time to time during a long test (on the reporting thread).
  virtual void progress(const std::string& test, uint64_t done, uint64_t total, double seconds) {}
  // The same for a search (SearchProgress).
  virtual void search_progress(const std::string& test, const SearchProgress& p) {}
  // The guest's log lines of one iteration (run -v).
  virtual void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) {}
};

// Hands every report to each of its reporters, in order (the summary on
// stdout and, say, a file written next to it).
class FanoutReporter final : public Reporter {
 public:
  void add(std::unique_ptr<Reporter> r) { reporters_.push_back(std::move(r)); }
  void load_error(const std::string& message) override {
    for (auto& r : reporters_) r->load_error(message);
  }
  void bug_found(const TestReport& test, const Trace& trace) override {
    for (auto& r : reporters_) r->bug_found(test, trace);
  }
  void test_finished(const TestReport& test) override {
    for (auto& r : reporters_) r->test_finished(test);
  }
  void run_finished(const RunSummary& summary) override {
    for (auto& r : reporters_) r->run_finished(summary);
  }
  void progress(const std::string& test, uint64_t done, uint64_t total, double seconds) override {
    for (auto& r : reporters_) r->progress(test, done, total, seconds);
  }
  void search_progress(const std::string& test, const SearchProgress& p) override {
    for (auto& r : reporters_) r->search_progress(test, p);
  }
  void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) override {
    for (auto& r : reporters_) r->iteration_logs(test, iteration, lines);
  }

 private:
  std::vector<std::unique_ptr<Reporter>> reporters_;
};

}  // namespace lockstep

// What a user sees: per-test results, bug reports with the schedule, and the
// end-of-run summary, as text or as one JSON document. The engine never
// writes to stdout itself; it talks to a Reporter.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/coverage.h"
#include "engine/schedule.h"
#include "engine/trace.h"

namespace lockstep {

struct BugReport {
  Failure failure;
  uint64_t iteration = 0;
  uint64_t iteration_seed = 0;
  std::string trace_path;
  std::vector<std::string> faults;  // every fault the run injected (fault_lines)
  // The part of a split search that found it (its iteration is numbered
  // within that part, so --iteration needs --shard to reproduce it).
  uint64_t shard_index = 0, shard_count = 1;
};

struct TestReport {
  std::string file;
  std::string name;
  enum class Status { kPassed, kBug, kError } status = Status::kPassed;
  std::string strategy;
  uint64_t seed = 0;
  uint64_t iterations_run = 0;
  uint64_t steps = 0;
  uint64_t max_steps_hits = 0;
  double wall_seconds = 0;
  // A search strategy (Strategy::search()) reports what it covered.
  bool search = false;
  uint64_t schedules_explored = 0;  // complete executions
  uint64_t abandoned = 0;           // executions the strategy gave up
  bool complete = false;            // it explored everything it could
  uint64_t failing_schedules = 0;   // with --keep-going: schedules that failed (the first is `bug`)
  std::optional<uint64_t> delay_bound;  // the bound a search ran under
  uint64_t beyond_bound = 0;            // branches it skipped for it
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
  uint64_t passed = 0, bugs = 0, errors = 0;
  uint64_t load_errors = 0;  // files that could not be loaded
  std::vector<std::pair<std::string, std::string>> load_failures;  // (file, message) of each
  uint64_t unloadable = 0;  // of load_errors, those for want of resources (not the file's content)
  uint64_t iterations = 0, steps = 0, max_steps_hits = 0;
  double wall_seconds = 0;
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
  // The same for a search: schedules explored so far, runs (repeated ones
  // included) and the search's estimate of the whole space (0: none).
  virtual void search_progress(const std::string& test, uint64_t schedules, uint64_t runs, double estimate,
                               double seconds) {}
  // The guest's log lines of one iteration (run -v).
  virtual void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) {}
};

struct TextStyle {
  bool color = false;
  bool full_schedule = false;  // the whole schedule instead of the causal slice
  // Past this many shown steps, print the first and last ones and say how
  // many were left out (0: no limit). Bug reports of `run` use it unless --full.
  size_t max_rows = 0;
  // Fold a run of steps that repeat the few before them (a poll, a retry
  // loop) into one line saying how often and which steps; --full prints them.
  bool fold_repeats = true;
  bool verbose = false;
  bool message_contents = true;  // print message contents in schedule lines
  bool quiet = false;             // only bugs, errors and the summary
  bool progress = false;          // a progress line on stderr (a terminal)
  bool coverage = false;          // each test's coverage under its line (--coverage)
};

class TextReporter final : public Reporter {
 public:
  TextReporter(std::ostream& out, std::ostream& err, TextStyle style)
      : out_(out), err_(err), style_(style) {}
  void load_error(const std::string& message) override;
  void bug_found(const TestReport& test, const Trace& trace) override;
  void test_finished(const TestReport& test) override;
  void run_finished(const RunSummary& summary) override;
  void progress(const std::string& test, uint64_t done, uint64_t total, double seconds) override;
  void search_progress(const std::string& test, uint64_t schedules, uint64_t runs, double estimate,
                       double seconds) override;
  void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
  TextStyle style_;
  bool progress_shown_ = false;
  void print_coverage(const TestReport::Coverage& c, uint64_t iterations);
};

class JsonReporter final : public Reporter {
 public:
  JsonReporter(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  void load_error(const std::string& message) override;
  void bug_found(const TestReport&, const Trace&) override {}
  void test_finished(const TestReport&) override {}
  void run_finished(const RunSummary& summary) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
};

// Steps (1-based, ascending) that happen before the failure
// (engine/causality.h), from the trace's step facts.
std::vector<uint32_t> causal_slice(const Trace& trace);

// The formats `run --format` offers, one row each: a new output format is
// a Reporter in a file of its own and a row here.
struct ReportFormat {
  std::string_view name;
  std::string_view help;
  std::unique_ptr<Reporter> (*make)(std::ostream& out, std::ostream& err, const TextStyle& style);
};
std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);

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
  void search_progress(const std::string& test, uint64_t schedules, uint64_t runs, double estimate,
                       double seconds) override {
    for (auto& r : reporters_) r->search_progress(test, schedules, runs, estimate, seconds);
  }
  void iteration_logs(const std::string& test, uint64_t iteration, const std::vector<std::string>& lines) override {
    for (auto& r : reporters_) r->iteration_logs(test, iteration, lines);
  }

 private:
  std::vector<std::unique_ptr<Reporter>> reporters_;
};

// The schedule, one line per step (engine/schedule.h rows), the failing
// step marked.
void print_schedule(std::ostream& out, const Trace& trace, const TextStyle& style);

// The failure in one line: "assertion in P0(root): lost update (counter.lua:23)".
std::string describe_failure(const Trace& trace);

}  // namespace lockstep

// One test's run: its resolved options, its strategy, its report so far,
// and the iterations it runs. The runner (engine/runner.cc) resolves the
// test, makes its strategy, hands the run to the driver that strategy
// needs, and records a bug. Each driver is a file of its own under
// engine/drivers/: a sampler's iterations run on any number of threads, a
// search's in order on one, a learner's in epochs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/coverage.h"
#include "engine/runner.h"

namespace lockstep {

class TestRun {
 public:
  TestRun(Program& program, size_t index, const RunConfig& config, Reporter& reporter,
          const ProgramLoader& loader)
      : program_(program), index_(index), config_(config), reporter_(reporter), loader_(loader) {}

  TestReport run();

 private:
  // The drivers, one per kind of strategy (engine/drivers/).
  TestReport drive_sampler();  // drivers/sampler.cc
  // Runs `rest` (iterations sharing one hint) on config_.jobs threads.
  bool run_parallel(const std::vector<uint64_t>& rest, size_t done_before, size_t total);
  struct Window;  // one window of a parallel run (drivers/sampler.cc)
  TestReport drive_search();   // drivers/search.cc
  TestReport finish_search(uint64_t last, uint64_t planning);
  TestReport drive_learner();  // drivers/learner.cc

  // One iteration's coverage, recorded by one thread.
  struct CoverageSink {
    CoverageRecorder recorder;
    CoverageTotals totals;
  };

  // The iterations this run selects, computed, never listed: first,
  // first + stride, ... (count of them).
  struct Selection {
    uint64_t first = 0, stride = 1, count = 0;
    uint64_t size() const { return count; }
    uint64_t operator[](uint64_t k) const { return first + k * stride; }
  };
  Selection selection() const;
  // Whether the run was asked to stop (RunConfig::stop): drivers check it
  // between iterations and mark the report interrupted.
  // So does the test's time budget (max_seconds), which marks it bounded
  // by time.
  bool stop_requested() {
    if (config_.stop && config_.stop->load(std::memory_order_relaxed) != 0) {
      report_.interrupted = true;
      return true;
    }
    if (out_of_time()) {
      report_.bounded_by_time = true;
      return true;
    }
    return false;
  }
  bool out_of_time() const { return opts_.max_seconds != 0 && seconds() >= static_cast<double>(opts_.max_seconds); }
  IterationLimits limits_for(uint64_t i) const;
  IterationHint hint_for(uint64_t i) const;
  // Runs (silently) the calibration iterations iteration i learns from and
  // that this selection skipped.
  bool calibrate_before(uint64_t i);
  // One iteration of a sampler (its begin_iteration always says yes). With
  // `logs`, the guest's log lines go to the reporter (-v; one job).
  Result<IterationResult> run_one(Strategy& strategy, Program& program, uint64_t i, std::vector<Decision>* decisions,
                                  bool logs = false, CoverageSink* coverage = nullptr);
  void count(const IterationResult& r);
  // A search's run that explored no schedule: its iteration and steps.
  void count_run(const IterationResult& r) {
    ++report_.iterations_run;
    report_.steps += r.steps;
  }
  // Adds a run's goals (every run, also one a search abandoned or stopped).
  void count_goals(const IterationResult& r);
  // After the last run: a test that passed with a goal never met is unmet.
  void judge_goals(TestReport& r) const;
  // Re-runs iteration i's schedule with events on (which doubles as a
  // check that the run is deterministic), saves its trace and reports it.
  void record_bug(uint64_t i, const IterationResult& result);
  // The event and facts of a step that ran past iter_timeout (not re-run).
  static void describe_hung_step(Trace& trace, const Decision& d);
  // The coverage of the iterations counted: up to the bug, if there was
  // one, which the report then carries (growth up to iteration `end`).
  void finish_coverage(uint64_t end);
  // A test whose every iteration was cut off at max_steps checked nothing
  // to the end: it did not pass.
  TestReport nothing_checked();
  TestReport error(const Status& why);
  std::unique_ptr<Strategy> make_strategy() const;
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  Program& program_;
  size_t index_;
  const RunConfig& config_;
  Reporter& reporter_;
  const ProgramLoader& loader_;
  std::chrono::steady_clock::time_point start_;
  TestReport report_;
  ResolvedOptions opts_;
  std::unique_ptr<Strategy> strategy_;
  std::vector<Decision> decisions_;
  std::vector<uint64_t> calibration_;
  std::vector<std::unique_ptr<Program>> workers_;  // --jobs: one program per extra thread
  std::unique_ptr<CoverageSink> coverage_;        // with config_.coverage
  Status status_;
};

}  // namespace lockstep

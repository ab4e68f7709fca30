// The runner: every selected test of every file, for its iterations, with
// the strategy it resolves to; stops a test at its first bug, re-runs that
// iteration to record its events, saves the trace and reports.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/program.h"
#include "engine/results.h"
#include "engine/scheduler.h"

namespace lockstep {

struct RunConfig {
  TestOptions overrides;                   // from command-line flags
  std::optional<uint64_t> only_iteration;  // --iteration I
  uint64_t shard_index = 0;                // --shard K/N
  uint64_t shard_count = 1;
  std::string traces_dir = "traces";
  std::vector<std::string> test_names;     // --test (exact), any of
  std::string filter;                      // --filter (substring)
  unsigned jobs = 1;                       // worker threads; results do not depend on it
  bool show_logs = false;                  // pass every iteration's ls.log lines to the reporter (one job)
  bool keep_going = false;                 // a search goes on after a bug, counting failing schedules
  bool coverage = false;                   // measure coverage (TestReport::coverage; engine/coverage.h)
  bool strict = false;                     // --strict: a test with a warning (engine/warnings.h) fails the run
  std::span<const StrategyInfo> strategy_table = strategies();  // tests add their own
  // Set (to a signal number) to stop at the next iteration boundary: the
  // tests run so far are reported, the rest are not run. Null: never.
  const std::atomic<int>* stop = nullptr;
};

// The options a test runs with, after command line > test > default.
struct ResolvedOptions {
  std::string strategy = "pct";
  uint64_t iterations = 100;
  uint64_t seed = 1;
  uint64_t max_seconds = 0;  // the test's wall-clock budget (0: none)
  StrategyParams params;
  RunOptions run;
  // Strategy parameters given in `flags` that this strategy does not take
  // (the test declares another strategy than theirs): each is warned about.
  std::vector<const OptionSpec*> ignored_params;
};

// Resolves and validates; an unknown strategy (not in `table`) or timers
// mode is an error.
Result<ResolvedOptions> resolve_options(const TestOptions& flags, const TestOptions& test,
                                        std::span<const StrategyInfo> table = strategies());

// Command-line options that contradict each other before any test is
// read: a strategy parameter next to a --strategy that does not take it
// (`--strategy pct --delay-bound 2`).
Status check_flags(const TestOptions& flags, std::span<const StrategyInfo> table = strategies());

// The strategies of `table` that take the parameter named `name`, as "dfs"
// or "pct or fair_pct".
std::string strategies_taking(std::string_view name, std::span<const StrategyInfo> table = strategies());

// Iterations whose lengths calibrate the strategies (PCT's change-point
// horizon): iteration i learns from iterations [0, min(i, kCalibration)).
// Fixed, so every iteration is a pure function of (options, seed, i),
// whatever --jobs, --shard or --iteration select.
inline constexpr uint64_t kCalibrationIterations = 16;

// Runs `files` (scenario paths); reports through `reporter`.
RunSummary run_files(const std::vector<std::string>& files, const RunConfig& config,
                     const ProgramLoader& loader, Reporter& reporter);

// Re-executes one iteration under `strategy`, recording its decisions, events
// and logs into `trace` (whose identity fields the caller fills). Used by run
// (to record a bug), replay and shrink.
IterationResult record_iteration(Program& program, size_t test, const RunOptions& options,
                                 Strategy& strategy, uint64_t seed, const IterationHint& hint,
                                 Trace& trace, Status& status);

// "traces/<scenario file stem>.<test slug>-iter<I>-seed<S>.lockstep": unique
// per scenario file, test, iteration and seed; a part of a split search
// (whose iterations are numbered within it) adds "-shard<K>of<N>".
std::string trace_path_for(const std::string& dir, const std::string& scenario, const std::string& test,
                           uint64_t iteration, uint64_t seed, uint64_t shard_index = 0,
                           uint64_t shard_count = 1);

}  // namespace lockstep

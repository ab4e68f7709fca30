// The scheduling loop: the one place where a run advances. `run`, `replay`
// and `shrink` all go through run_iteration; they differ only in the
// Strategy they pass (replay is a strategy that follows a recording).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/strategy.h"
#include "engine/system.h"

namespace lockstep {

class FactLog;
class CoverageRecorder;

// What the record of one step (its decision, event, facts and source line,
// and their share of the report) is counted as against max_memory.
inline constexpr uint64_t kRecordBytesPerStep = 512;

struct IterationLimits {
  uint64_t max_steps = 10000;
  bool fail_on_max_steps = false;
  // The steps whose record max_memory holds (max_memory / kRecordBytesPerStep):
  // an iteration still running past them is a `memory` bug. Counted in
  // steps, not measured, so every run of a schedule stops at the same step.
  uint64_t max_recorded_steps = UINT64_MAX;
  uint64_t max_memory_mb = 0;  // for the message
  // Liveness (ls.liveness): a monitor hot for more than `liveness_steps`
  // consecutive steps while the strategy is fair is a `liveness` bug. The
  // strategy is fair after its first `fair_after` scheduling points (none:
  // never, e.g. PCT, which may starve a process on purpose). A monitor hot
  // when the root ends and nothing else can run is a bug under any strategy.
  uint64_t liveness_steps = 5000;
  std::optional<uint64_t> fair_after;
  // The test has a fault budget: count the steps that offered a fault and
  // the faults taken (IterationResult), for the warning that none was.
  bool count_faults = false;
};

// The limits an iteration of `strategy` (with `params`; iteration number
// `iteration`, which decides a portfolio's member) runs under with
// `options`. Run, replay and shrink all take them from here, so a replay
// checks liveness exactly as the run that found the bug did.
IterationLimits iteration_limits(const RunOptions& options, std::string_view strategy,
                                 const StrategyParams& params, uint64_t iteration);

// Runs one iteration of `system` under `strategy` (already begun), and
// tells the strategy how it ended (end_iteration). Appends
// every decision taken to `decisions` if it is not null; the caller owns and
// reuses that buffer, so a run allocates nothing per step once it is warm.
// With `facts`, also records what every step did.
// With `coverage`, feeds it every step (begun by the caller).
IterationResult run_iteration(System& system, Strategy& strategy, const IterationLimits& limits,
                              std::vector<Decision>* decisions, FactLog* facts = nullptr,
                              CoverageRecorder* coverage = nullptr);

}  // namespace lockstep

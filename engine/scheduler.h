// The scheduling loop: the one place where a run advances. `run`, `replay`
// and `shrink` all go through run_iteration; they differ only in the
// Strategy they pass (replay is a strategy that follows a recording).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/strategy.h"
#include "engine/system.h"

namespace lockstep {

class FactLog;

struct IterationLimits {
  uint64_t max_steps = 10000;
  bool fail_on_max_steps = false;
};

// Runs one iteration of `system` under `strategy` (already begun), and
// tells the strategy how it ended (end_iteration). Appends
// every decision taken to `decisions` if it is not null; the caller owns and
// reuses that buffer, so a run allocates nothing per step once it is warm.
// With `facts`, also records what every step did.
IterationResult run_iteration(System& system, Strategy& strategy, const IterationLimits& limits,
                              std::vector<Decision>* decisions, FactLog* facts = nullptr);

}  // namespace lockstep

// Shrinking a failing trace: find a schedule that fails the same way (the
// same failure kind at the same place, or with the same message where it
// has no place) with fewer injected faults, steps and context switches.
//
// Candidates are edited decision sequences (a fault taken out or moved,
// only the steps in the causal slice of the failure kept, a process's
// steps dropped, a prefix kept and the rest run without preemption, chunks
// removed, a preemption removed) run through the ordinary scheduling loop
// with a lenient replay strategy that follows each decision's event by the
// name the system gives it, so taking out a step does not renumber the
// messages, timers and faults after it; the decisions a candidate actually
// took become the new best when it still fails the same way and is
// smaller. Every pass is deterministic, so the same input gives the same
// output.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/program.h"
#include "engine/trace.h"

namespace lockstep {

struct ShrinkOptions {
  uint64_t max_attempts = 5000;  // candidate runs; the deterministic budget
  double max_seconds = 600;      // wall-clock safety net (may cut the search short)
  std::function<void(uint64_t attempts, uint64_t best_steps)> progress;
};

struct ShrinkResult {
  enum class Verdict { kShrunk, kDoesNotReproduce, kError };
  Verdict verdict = Verdict::kError;
  Status status;
  std::string why;  // for kDoesNotReproduce
  Trace trace;      // the shrunk trace, with events
  uint64_t attempts = 0;
  uint64_t steps_before = 0, steps_after = 0;
  uint64_t switches_before = 0, switches_after = 0;
  uint64_t faults_before = 0, faults_after = 0;  // injected faults
  std::string stopped;  // why shrinking stopped where it did
};

ShrinkResult shrink_trace(const Trace& input, Program& program, const ShrinkOptions& options);

}  // namespace lockstep

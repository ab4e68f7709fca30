// Causality: the record of what every step of a run did (FactLog, stored
// in traces) and the happens-before relation built on it, which the causal
// slice, shrink and the reports use.
//
// Step b depends directly on step a (a -> b) when
//   - a is the previous step of b's process (program order);
//   - a is b's cause: the spawn a start follows, the signal an exit
//     follows, the step that armed a firing timer;
//   - b is a receive and a sent the message it took;
//   - a and b touch overlapping state other than a mailbox (a name, a
//     process's control state, a table key, an atomic cell, ...), at least
//     one writing, a before b: a read depends on the last write, a write on
//     the last write and on the reads since — except that a write to a
//     process's control state (it ends, it is linked) does not depend on
//     those who read it (monitored it, asked whether it lives).
// Mailbox order is deliberately not an edge: a receive depends on the send
// it consumed, not on every message queued before it.
// Happens-before is the transitive closure of these edges.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/facts.h"
#include "engine/types.h"

namespace lockstep {

// One step's facts with its accesses stored out of line (FactLog::accesses).
struct StepRecord {
  uint32_t step = 0;
  EventKey event;
  StepKind kind = StepKind::kStart;
  int64_t actor = -1;
  uint32_t consumed = 0;
  uint32_t cause = 0;
  uint32_t first_access = 0;  // index into FactLog::accesses
  uint32_t access_count = 0;

  bool operator==(const StepRecord&) const = default;
};

// The facts of a whole run, flat (two vectors, reused across runs).
class FactLog {
 public:
  void add(const StepFacts& facts);
  void clear();
  size_t size() const { return steps.size(); }
  bool empty() const { return steps.empty(); }
  // The facts of the i-th recorded step (0-based); accesses point into the log.
  StepFacts at(size_t i) const;

  std::vector<StepRecord> steps;
  std::vector<Access> accesses;
};

// The happens-before graph of a recorded run: direct dependencies per step,
// built in one pass (O(steps + accesses), plus the whole-table cases).
class HappensBefore {
 public:
  explicit HappensBefore(const FactLog& log);

  // The steps `step` depends on directly (step numbers, ascending).
  std::vector<uint32_t> direct(uint32_t step) const;

  // Whether step a happens before step b (a != b, both recorded).
  bool happens_before(uint32_t a, uint32_t b) const;

  // The steps that happen before any of `from`, and `from` themselves,
  // ascending.
  std::vector<uint32_t> past(const std::vector<uint32_t>& from) const;

 private:
  int64_t index_of(uint32_t step) const;

  std::vector<uint32_t> step_of_;    // index -> step number
  std::vector<int64_t> index_;       // step number -> index, -1 if not recorded
  std::vector<uint32_t> edge_start_; // CSR: edges of index i are [start[i], start[i+1])
  std::vector<uint32_t> edges_;      // predecessor indices
};

// The causal slice of a failed run: the steps that happen before the
// failing step `failed_step` (with the step itself), and every fault
// injected before it. For a deadlock, or
// when the failing step was not recorded, the past of every process's last
// step. Ascending step numbers.
std::vector<uint32_t> causal_slice(const FactLog& log, uint32_t failed_step, bool deadlock);

// Failures about what every process was doing rather than one step: a
// deadlock (what each waits for) and a liveness bug (what each did while
// the monitor stayed hot). Their slice starts from every process's last step.
inline bool whole_frontier(FailureKind kind) {
  return kind == FailureKind::kDeadlock || kind == FailureKind::kLiveness;
}

}  // namespace lockstep

// The reduction's premise, checked where every interleaving runs (dfs
// --dpor none): two adjacent steps of different events that the race
// analysis takes as independent (no dependency between them, one time
// epoch) commute. Swapped, the run they are in must be another schedule of
// the same class. dfs explores one schedule per class on that premise, so
// a step whose footprint depends on the order it ran in (it read something
// only when it came first) makes it miss classes; this finds such a step
// on every run where it matters, not only when a count comes out short.
//
// Each run is recorded as a schedule (a token per step: its event and the
// values its choices took) with its class fingerprint. Every adjacent
// independent pair predicts the swapped schedule's class; when the run
// that took that schedule has been (or is later) recorded, the two must
// agree. A search that stops early leaves some predictions unchecked, never
// wrong: only a disagreement is reported.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/types.h"

namespace lockstep::dfs {

class CommuteCheck {
 public:
  // Step `step` of a recorded run, and what it was (for the report).
  struct StepRef {
    uint64_t run = 0;
    uint32_t step = 0;
    StepKind kind = StepKind::kStart, next_kind = StepKind::kStart;  // it and the step after it
    int64_t actor = -1, next_actor = -1;
  };
  // Two runs that disagree: `swapped` (steps step and step+1 of one run,
  // exchanged) gives the schedule that run `reached_by` took, in another
  // class.
  struct Violation {
    StepRef swapped;
    uint64_t reached_by = 0;
  };

  // Records run `run`: its schedule as one token per step, its class, and
  // the pairs (step, step+1) it takes as independent. Returns false when
  // this run disagrees with one recorded before (violation() says how).
  bool record(uint64_t run, std::span<const uint64_t> tokens, uint64_t cls, std::span<const StepRef> swappable);

  const std::optional<Violation>& violation() const { return violation_; }
  // One line for the user: which steps of which runs, and what to do.
  std::string describe() const;

  // Forgets every run (the search starts again, its footprints changed).
  void clear();
  // What the check holds.
  size_t bytes() const;

 private:
  struct Prediction {
    uint64_t cls;
    StepRef swapped;
  };
  // schedule hash -> class of the run that took it
  std::unordered_map<uint64_t, std::pair<uint64_t, uint64_t>> runs_;  // -> (class, run)
  // swapped schedule hash -> what it must be (not yet run)
  std::unordered_map<uint64_t, Prediction> predicted_;
  std::optional<Violation> violation_;
  std::vector<uint64_t> powers_;  // B^k
};

}  // namespace lockstep::dfs

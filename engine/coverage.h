// Coverage: what a run's iterations reached, in terms that hold across
// schedules. The learning strategies (rff, surw) and `--coverage` build on
// the same names.
//
// A step's *name* is stable across schedules of one test: the process that
// took it is named by its creation path (the root, or the k-th process
// spawned by a named process), and the step by that process's count of
// steps so far and the step's kind. Pids and object ids are not stable
// (they follow creation order, which the schedule changes); names are.
//
// Per iteration, from the step facts (engine/facts.h):
//   - reads-from pairs: which write each read saw (the last write to the
//     object before it, or none), and which send each receive consumed;
//   - receive events: a process (by creation path) receiving a message of
//     a shape (its first element; StepFacts::shape);
//   - the schedule's class: a fingerprint of the order of conflicting
//     accesses (for each write, the write before it on the same object;
//     for each read, the write it saw), equal for two schedules that differ
//     only in the order of independent steps.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/facts.h"
#include "engine/system.h"
#include "engine/types.h"

namespace lockstep {

// Names the steps of one iteration (see above).
class StepNames {
 public:
  // Forgets the previous iteration.
  void begin();
  // Names the step described by `facts` (steps come in order) and returns
  // its name; learns the processes it created.
  uint64_t on_step(const StepFacts& facts);
  // The name step `step` got (0 for a step not seen).
  uint64_t name_of(uint32_t step) const { return step < names_.size() ? names_[step] : 0; }
  // The name a process event would get if it ran next (0 for other kinds
  // of event, whose actor is not known before they run).
  uint64_t predict(const Op& op) const;
  // The creation path of process `pid` (0 if unknown).
  uint64_t process_name(int64_t pid) const;
  // The step count of process `pid` so far.
  uint32_t steps_of(int64_t pid) const;

 private:
  struct Proc {
    uint64_t name = 0;
    uint32_t steps = 0;
    uint32_t spawned = 0;
  };
  Proc* proc(int64_t pid);
  std::vector<Proc> procs_;      // by pid
  std::vector<uint64_t> names_;  // by step number
};

// What one iteration reached. Each list is sorted and unique.
struct IterationCoverage {
  std::vector<uint64_t> reads_from;  // hash of (write name, read name)
  std::vector<uint64_t> receives;    // hash of (process name, message shape)
  uint64_t schedule_class = 0;
};

// Object -> the name of the step that last wrote it, for one iteration:
// open addressing, at most half full, and forgotten slot by slot (an
// iteration that touched few objects clears few, whatever came before).
class LastWrites {
 public:
  // The name of the object's last write (0: none yet), to read or set.
  uint64_t& at(uint64_t object);
  void clear();

 private:
  struct Slot {
    uint64_t object = 0;  // 0: empty (object 0 lives in zero_)
    uint64_t name = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::vector<uint32_t> used_;  // the slots filled, to clear
  uint64_t zero_ = 0;
};

// Collects an iteration's coverage from its steps. Its buffers are kept
// from iteration to iteration, so a warm recorder does not allocate.
class CoverageRecorder {
 public:
  void begin();
  void on_step(const StepFacts& facts);
  // The iteration's coverage, valid until the next begin().
  const IterationCoverage& finish();
  const StepNames& names() const { return names_; }

 private:
  StepNames names_;
  LastWrites last_write_;
  IterationCoverage current_;
  uint64_t class_sum_ = 0;
};

// Coverage over many iterations, kept as "first reached at iteration i"
// so that the totals and their growth do not depend on the order in which
// parallel workers ran the iterations.
class CoverageTotals {
 public:
  void add(uint64_t iteration, const IterationCoverage& c);
  void merge(const CoverageTotals& other);
  // Forgets what only iterations after `last` reached (a run that stopped
  // at a bug counts the iterations up to it).
  void keep_up_to(uint64_t last);

  struct Metric {
    uint64_t count = 0;
    uint64_t last_new = 0;  // the iteration that reached the newest item
  };
  struct Point {
    uint64_t iterations = 0;  // after this many (by iteration number + 1)
    uint64_t reads_from = 0, receives = 0, schedule_classes = 0;
  };
  Metric reads_from() const { return metric(reads_from_); }
  Metric receives() const { return metric(receives_); }
  Metric schedule_classes() const { return metric(classes_); }
  // The counts after 1, 2, 4, 8, ... iterations and after the last.
  std::vector<Point> growth(uint64_t iterations) const;
  bool empty() const { return reads_from_.empty() && receives_.empty() && classes_.empty(); }

 private:
  using FirstSeen = std::unordered_map<uint64_t, uint64_t>;  // item -> first iteration
  static void note(FirstSeen& set, uint64_t item, uint64_t iteration);
  static Metric metric(const FirstSeen& set);
  FirstSeen reads_from_, receives_, classes_;
};

// A schedule's goal marks (what guided strategies treat as coverage):
// each goal whose line it ran, and each it met; sorted, unique.
void goal_marks(const Exercised& e, std::vector<uint64_t>& out);

}  // namespace lockstep

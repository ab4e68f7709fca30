// The schedule of a trace as rows: what every output shows of a run (the
// text report, replay and shrink) is built here, and renderers only format
// rows. Rows are built one at a time from the trace, so a report on a long
// iteration holds a few bytes a step beside the trace, not a copy of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/trace.h"
#include "engine/trace_names.h"

namespace lockstep {

struct ScheduleRow {
  uint32_t step = 0;
  StepKind kind = StepKind::kStart;
  std::string actor;   // "P0(root)"; empty for a step with no process
  std::string peer;    // the other process, "" if none
  std::string detail;  // the rendered message, reason, name ...
  bool carries_message = false;  // detail is message content (send, receive, timers)
  bool in_slice = true;          // happens before the failure
  bool failed = false;           // the failing step
  std::vector<std::string> logs;  // ls.log lines written during this step, "P1(worker): text"
};

class Schedule {
 public:
  // The rows of `trace` (which must outlive this); with `slice`, the
  // causal slice marked.
  Schedule(const Trace& trace, bool slice);

  size_t size() const { return trace_.events.size(); }  // every step
  bool in_slice(size_t i) const;
  ScheduleRow row(size_t i) const;  // the i-th step's row

  bool sliced() const { return sliced_; }           // in_slice marks the causal slice
  size_t slice_size() const { return slice_size_; }  // rows in the slice (all when not sliced)
  bool deadlock() const { return deadlock_; }       // the run ended blocked after the last row
  uint32_t failed_step() const { return failed_step_; }  // 0: no failure

 private:
  const Trace& trace_;
  const ProcessNames names_;
  std::vector<uint32_t> kept_;  // the slice's steps, ascending
  bool sliced_;
  bool deadlock_;
  uint32_t failed_step_;
  size_t slice_size_ = 0;
};

}  // namespace lockstep

// The schedule of a trace as rows: what every output shows of a run (the
// text report, replay and shrink, and later HTML or JUnit writers) is built
// here once, and renderers only format rows.
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

struct Schedule {
  std::vector<ScheduleRow> rows;   // every step, in order
  bool sliced = false;             // in_slice marks the causal slice
  size_t in_slice = 0;             // rows in the slice (all rows when not sliced)
  bool deadlock = false;           // the run ended blocked after the last row
  uint32_t failed_step = 0;        // 0: no failure
};

// The rows of `trace`; with `slice`, the causal slice marked.
Schedule build_schedule(const Trace& trace, bool slice);

}  // namespace lockstep

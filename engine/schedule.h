// The schedule of a trace as rows: what every output shows of a run (the
// text report, replay and shrink, and later HTML or JUnit writers) is built
// here once, and renderers only format rows.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/trace.h"

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

// Every fault the run injected, one line each: "step 13  fault.drop  P2@a
// -> P1@b  {msg}".
std::vector<std::string> fault_lines(const Trace& trace);

// `text` safe for a terminal: control characters other than newline and
// tab (escape sequences, carriage returns, NUL) shown as \xNN.
std::string printable(std::string_view text);

// "P0(root)", "P3(counter)", "P4"; "-" for no process.
std::string process_display_name(const Trace& trace, int64_t pid);

// The same names for many steps: the trace's process table read once, so
// naming every step of a long trace is linear.
class ProcessNames {
 public:
  explicit ProcessNames(const Trace& trace);
  std::string display(int64_t pid) const;

 private:
  std::unordered_map<int64_t, const ProcessName*> by_pid_;
  bool nodes_ = false;
};

}  // namespace lockstep

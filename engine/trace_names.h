// A trace's processes by name, for every renderer and for the run report:
// "P3(counter)", "P2@b" with nodes; and the faults a run injected as lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/trace.h"

namespace lockstep {

// A fault the run injected, as fields and as the line a report prints
// ("step 13  fault.drop  P2@a -> P1@b  {msg}").
struct InjectedFault {
  uint32_t step = 0;
  std::string kind;     // "drop", "duplicate", "crash", "restart", "partition", "heal"
  std::string process;  // drop/duplicate: the message's sender; "" for a node fault
  std::string target;   // drop/duplicate: its recipient (a name, if sent to one); else the node
  std::string detail;   // drop/duplicate: the message; else what happened to the node
  std::string line;
};

// Every fault the run injected, in order.
std::vector<InjectedFault> injected_faults(const Trace& trace);

// `text` safe for a terminal: control characters other than newline and
// tab (escape sequences, carriage returns, NUL), C1 controls (U+0080 to
// U+009F) and bytes that are not UTF-8 shown as \xNN.
std::string printable(std::string_view text);
// printable(), and on one line: a newline shown as \n, so a name or a
// message cannot print a line of its own (a fake summary line).
std::string one_line(std::string_view text);

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

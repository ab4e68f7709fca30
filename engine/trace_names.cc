#include "engine/trace_names.h"

#include <cstdio>

namespace lockstep {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

ProcessNames::ProcessNames(const Trace& trace) {
  // With nodes, every pid shows its node: P3@b, P0@main(root).
  for (const auto& p : trace.processes) {
    by_pid_.emplace(p.pid, &p);  // the first entry of a pid names it
    nodes_ = nodes_ || !p.node.empty();
  }
}

std::string ProcessNames::display(int64_t pid) const {
  if (pid < 0) return "-";
  std::string base = "P" + std::to_string(pid);
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return nodes_ ? base + "@main" : base;
  const ProcessName& p = *it->second;
  if (nodes_) base += "@" + printable(p.node.empty() ? "main" : p.node);
  if (!p.name.empty()) base += "(" + printable(p.name) + ")";
  return base;
}

std::string process_display_name(const Trace& trace, int64_t pid) { return ProcessNames(trace).display(pid); }

std::vector<std::string> fault_lines(const Trace& trace) {
  std::vector<std::string> out;
  const ProcessNames names(trace);
  for (const Event& e : trace.events) {
    if (!is_fault(e.kind)) continue;
    std::string line = "step " + std::to_string(e.step) + "  " + std::string(step_kind_name(e.kind));
    std::string what;
    if (e.pid >= 0) what = names.display(e.pid);
    if (e.peer >= 0) what += " -> " + names.display(e.peer);
    if (!e.detail.empty()) what += (what.empty() ? "" : "  ") + printable(e.detail);
    out.push_back(line + (what.empty() ? "" : "  " + what));
  }
  return out;
}

}  // namespace lockstep

#include "engine/trace_names.h"

#include <cstdio>

#include "engine/base/utf8.h"

namespace lockstep {

namespace {

void escape_byte(std::string& out, unsigned char u) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  out += buf;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7f) {
        escape_byte(out, u);
      } else {
        out += static_cast<char>(u);
      }
      ++i;
      continue;
    }
    // C1 controls (U+0080-U+009F, "\xc2\x80".."\xc2\x9f") act in terminals,
    // and so do stray bytes read as Latin-1 (0x9b is CSI): both escaped.
    const size_t n = utf8_sequence(text, i);
    const bool c1 = n == 2 && u == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
    if (n == 0 || c1) {
      for (size_t k = 0; k < (n == 0 ? 1 : n); ++k) escape_byte(out, static_cast<unsigned char>(text[i + k]));
      i += n == 0 ? 1 : n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : printable(text)) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += ' ';
    else out += c;
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

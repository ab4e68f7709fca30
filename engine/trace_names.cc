#include "engine/trace_names.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

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

namespace {

// A node fault's event names the node first, then what happened to it:
// "a (2 processes lost)", "a cut off from every node", "a reconnected", "a".
std::pair<std::string, std::string> node_and_rest(StepKind kind, const std::string& detail) {
  auto split_at = [&](size_t at) { return std::pair{detail.substr(0, at), detail.substr(std::min(at + 1, detail.size()))}; };
  for (std::string_view suffix : {" cut off from every node", " reconnected"}) {
    if (detail.size() > suffix.size() && detail.compare(detail.size() - suffix.size(), suffix.size(), suffix) == 0)
      return split_at(detail.size() - suffix.size());
  }
  if (kind == StepKind::kFaultCrash && !detail.empty() && detail.back() == ')') {
    if (size_t open = detail.rfind(" ("); open != std::string::npos)
      return {detail.substr(0, open), detail.substr(open + 2, detail.size() - open - 3)};
  }
  return {detail, ""};
}

}  // namespace

std::vector<InjectedFault> injected_faults(const Trace& trace) {
  std::vector<InjectedFault> out;
  const ProcessNames names(trace);
  for (const Event& e : trace.events) {
    if (!is_fault(e.kind)) continue;
    InjectedFault f;
    f.step = e.step;
    const std::string_view kind = step_kind_name(e.kind);
    f.kind = std::string(kind.substr(kind.find('.') + 1));
    if (e.kind == StepKind::kFaultDrop || e.kind == StepKind::kFaultDuplicate) {
      if (e.pid >= 0) f.process = names.display(e.pid);
      f.detail = e.detail;
      if (e.peer >= 0) {
        f.target = names.display(e.peer);
      } else if (!f.detail.empty() && f.detail.front() == '(') {  // sent to a name: "(name) message"
        const size_t close = f.detail.find(") ");
        if (close != std::string::npos) {
          f.target = f.detail.substr(1, close - 1);
          f.detail = f.detail.substr(close + 2);
        }
      }
    } else {
      std::tie(f.target, f.detail) = node_and_rest(e.kind, e.detail);
    }
    std::string what;
    if (e.pid >= 0) what = names.display(e.pid);
    if (e.peer >= 0) what += " -> " + names.display(e.peer);
    if (!e.detail.empty()) what += (what.empty() ? "" : "  ") + printable(e.detail);
    f.line = "step " + std::to_string(e.step) + "  " + std::string(kind) + (what.empty() ? "" : "  " + what);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace lockstep

// How `lockstep check` shows a transactional check (engine/checker/txn.h):
// text, JSON and a Graphviz DOT graph of each cycle.
#include <set>
#include <sstream>

#include "engine/base/json.h"
#include "engine/checker/txn.h"

namespace lockstep::checker::txn {
namespace {

std::string txn_name(const History& h, uint32_t t) { return "T" + std::to_string(h.txns[t].index); }

std::string value_text(const History& h, int64_t v) { return v == kNil ? "nil" : h.values[static_cast<size_t>(v)]; }

// [[:append :x 1] [:r :y [1 2]]], as the history has it.
std::string mops_text(const History& h, const Txn& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.mops.size(); ++i) {
    const Mop& m = t.mops[i];
    out += i ? " [" : "[";
    out += m.f == Mop::F::kAppend ? ":append " : m.f == Mop::F::kWrite ? ":w " : ":r ";
    out += h.keys[m.key] + " ";
    if (m.f != Mop::F::kRead) {
      out += value_text(h, m.value);
    } else if (!m.known) {
      out += "nil";
    } else if (m.list.empty() && m.value != kNil) {
      out += value_text(h, m.value);
    } else if (!m.list.empty() || m.value == kNil) {
      if (m.list.empty()) {
        out += "nil";
      } else {
        out += "[";
        for (size_t j = 0; j < m.list.size(); ++j) out += (j ? " " : "") + value_text(h, m.list[j]);
        out += "]";
      }
    }
    out += "]";
  }
  return out + "]";
}

std::string txn_line(const History& h, uint32_t t) {
  const Txn& x = h.txns[t];
  std::string where = "line " + std::to_string(x.line);
  if (x.process != INT64_MIN) where += ", process " + std::to_string(x.process);
  if (x.type == Txn::Type::kInfo) where += ", outcome unknown";
  if (x.type == Txn::Type::kFail) where += ", failed";
  return txn_name(h, t) + " (" + where + "): " + mops_text(h, x);
}

std::string models_text(const std::vector<Consistency>& models) {
  std::string out;
  for (size_t i = 0; i < models.size(); ++i) {
    out += (i ? (i + 1 == models.size() ? " and " : ", ") : "") + std::string(consistency_name(models[i]));
  }
  return out;
}

std::string edge_name(Edge e) {
  switch (e) {
    case kWW: return "ww";
    case kWR: return "wr";
    case kRW: return "rw";
    case kProcess: return "process";
    case kRealtime: return "realtime";
  }
  return "?";
}

std::string verdict(const Report& r) {
  const std::string c(consistency_name(r.consistency));
  if (r.unknown) return "unknown (" + r.unknown_why + ")";
  if (r.valid) return c;
  std::string types;
  for (const Anomaly& a : r.anomalies) {
    if (forbids(r.consistency, a.type)) types += (types.empty() ? "" : ", ") + a.type;
  }
  return "not " + c + " (" + types + ")";
}

}  // namespace

std::string report_text(const std::string& file, const History& h, const Report& r) {
  std::ostringstream out;
  out << file << ": " << r.transactions << " transactions (" << model_name(r.model) << "), " << r.dependencies
      << " dependencies: " << verdict(r) << "\n";
  for (const Anomaly& a : r.anomalies) {
    const bool forbidden = forbids(r.consistency, a.type);
    out << "\n" << a.type << (forbidden ? "" : " (allowed by " + std::string(consistency_name(r.consistency)) + ")")
        << ": ruled out by " << models_text(ruled_out_by(a.type)) << "\n";
    std::set<uint32_t> shown;
    for (uint32_t t : a.txns) {
      if (shown.insert(t).second) out << "  " << txn_line(h, t) << "\n";
    }
    std::istringstream lines(a.explanation);
    for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
  }
  if (!r.anomalies.empty()) {
    out << "\nruled out: " << (r.ruled_out.empty() ? std::string("none") : [&] {
      std::string s;
      for (size_t i = 0; i < r.ruled_out.size(); ++i) s += (i ? ", " : "") + r.ruled_out[i];
      return s;
    }()) << "\n";
  }
  return out.str();
}

std::string report_json(const std::string& file, const History& h, const Report& r) {
  JsonWriter w;
  w.begin_object();
  w.key("file").value(file);
  w.key("model").value(model_name(r.model));
  w.key("consistency").value(consistency_name(r.consistency));
  w.key("verdict").value(verdict(r));
  w.key("valid");
  if (r.unknown) {
    w.null();
  } else {
    w.value(r.valid);
  }
  w.key("transactions").value(static_cast<uint64_t>(r.transactions));
  w.key("dependencies").value(static_cast<uint64_t>(r.dependencies));
  w.key("ruled_out").begin_array();
  for (const std::string& m : r.ruled_out) w.value(m);
  w.end_array();
  w.key("anomalies").begin_array();
  for (const Anomaly& a : r.anomalies) {
    w.begin_object();
    w.key("type").value(a.type);
    w.key("forbidden").value(forbids(r.consistency, a.type));
    w.key("ruled_out_by").begin_array();
    for (Consistency c : ruled_out_by(a.type)) w.value(consistency_name(c));
    w.end_array();
    w.key("transactions").begin_array();
    std::set<uint32_t> shown;
    for (uint32_t t : a.txns) {
      if (!shown.insert(t).second) continue;
      const Txn& x = h.txns[t];
      w.begin_object().key("name").value(txn_name(h, t)).key("index").value(x.index);
      w.key("line").value(static_cast<uint64_t>(x.line));
      if (x.process != INT64_MIN) w.key("process").value(x.process);
      w.key("type").value(x.type == Txn::Type::kOk ? "ok" : x.type == Txn::Type::kFail ? "fail" : "info");
      w.key("value").value(mops_text(h, x));
      w.end_object();
    }
    w.end_array();
    w.key("edges").begin_array();
    for (const Dependency& d : a.cycle) {
      w.begin_object().key("from").value(txn_name(h, d.from)).key("to").value(txn_name(h, d.to));
      w.key("kind").value(edge_name(d.kind));
      if (d.kind == kWW || d.kind == kWR || d.kind == kRW) {
        w.key("key").value(h.keys[d.key]).key("value").value(value_text(h, d.value));
      }
      w.end_object();
    }
    w.end_array();
    w.key("explanation").value(a.explanation);
    w.end_object();
  }
  w.end_array();
  w.key("seconds").value(r.seconds);
  w.end_object();
  return w.str() + "\n";
}

std::string report_dot(const History& h, const Report& r) {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c == '\n' ? ' ' : c;
    }
    return out + "\"";
  };
  std::ostringstream out;
  out << "digraph anomalies {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n";
  size_t n = 0;
  for (const Anomaly& a : r.anomalies) {
    if (a.cycle.empty()) continue;
    out << "  subgraph cluster_" << n << " {\n    label=" << quote(a.type) << ";\n";
    std::set<uint32_t> shown;
    for (uint32_t t : a.txns) {
      if (shown.insert(t).second) out << "    a" << n << "_" << t << " [label=" << quote(txn_line(h, t)) << "];\n";
    }
    for (const Dependency& d : a.cycle) {
      std::string label = edge_name(d.kind);
      if (d.kind == kWW || d.kind == kWR || d.kind == kRW) label += " " + h.keys[d.key] + " " + value_text(h, d.value);
      out << "    a" << n << "_" << d.from << " -> a" << n << "_" << d.to << " [label=" << quote(label)
          << (d.kind == kRW ? ", style=dashed" : "") << "];\n";
    }
    out << "  }\n";
    ++n;
  }
  out << "}\n";
  return out.str();
}

}  // namespace lockstep::checker::txn

#include "engine/report/dump.h"

#include <cstdio>
#include <sstream>

#include "engine/base/json.h"

namespace lockstep {

namespace {

void write_options(JsonWriter& w, const RunOptions& options) {
  w.key("options").begin_object();
  for (const OptionSpec& spec : test_options()) {
    if (spec.target != OptionTarget::kRun) continue;
    const std::string v = options.get(spec.name);
    if (spec.type == OptionType::kFlag) {
      w.key(spec.name).value(option_flag(v));
    } else if (spec.type == OptionType::kChoice || spec.type == OptionType::kName ||
               spec.type == OptionType::kFaults) {
      w.key(spec.name).value(v);
    } else {
      w.key(spec.name).value(option_number(v));
    }
  }
  w.end_object();
}

void write_failure(JsonWriter& w, const Failure& f) {
  w.key("failure").begin_object();
  w.key("kind").value(failure_kind_name(f.kind));
  w.key("step").value(f.step);
  w.key("process").value(f.pid);
  w.key("message").value(f.message);
  w.key("location").value(f.location);
  w.key("details").value(f.details);
  w.end_object();
}

void write_schedule(JsonWriter& w, const Trace& t) {
  w.key("processes").begin_array();
  for (const auto& p : t.processes) {
    w.begin_object().key("pid").value(p.pid).key("name").value(p.name);
    if (!p.node.empty()) w.key("node").value(p.node);
    w.end_object();
  }
  w.end_array();
  w.key("decisions").begin_array();
  for (const auto& d : t.decisions) {
    w.begin_object().key("kind").value(decision_kind_name(d.kind));
    if (d.kind != DecisionKind::kChoice) w.key("step_kind").value(step_kind_name(d.step));
    w.key("value").value(d.value).end_object();
  }
  w.end_array();
}

void write_events(JsonWriter& w, const Trace& t) {
  w.key("events").begin_array();
  for (const auto& e : t.events) {
    w.begin_object().key("step").value(e.step).key("kind").value(step_kind_name(e.kind));
    w.key("pid").value(e.pid).key("peer").value(e.peer).key("detail").value(e.detail);
    if (auto where = t.location_of(e); !where.empty()) w.key("location").value(where);
    w.end_object();
  }
  w.end_array();
}

void write_facts(JsonWriter& w, const Trace& t) {
  w.key("facts").begin_array();
  for (size_t i = 0; i < t.facts.size(); ++i) {
    const StepFacts f = t.facts.at(i);
    w.begin_object().key("step").value(f.step).key("event").value(event_key_name(f.event));
    w.key("actor").value(f.actor).key("consumed").value(f.consumed).key("cause").value(f.cause);
    w.key("accesses").begin_array();
    for (const Access& a : f.accesses) {
      w.begin_object().key("object").value(a.object).key("writes").value(a.writes).end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
}

}  // namespace

std::string trace_to_json(const Trace& t) {
  JsonWriter w;
  w.begin_object();
  w.key("format_version").value(t.format_version);
  w.key("tool_version").value(t.tool_version);
  w.key("scenario_path").value(t.scenario_path);
  w.key("working_dir").value(t.working_dir);
  char hash[24];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(t.scenario_hash));
  w.key("scenario_hash").value(hash);
  w.key("test").value(t.test_name);
  w.key("strategy").value(t.strategy);
  w.key("params").begin_object();
  for (const auto& [name, value] : t.params.values()) w.key(name).value(value);
  w.end_object();
  w.key("max_scheduling_points_hint").value(t.hint.max_scheduling_points);
  w.key("seed").value(t.seed);
  w.key("iteration").value(t.iteration);
  w.key("iteration_seed").value(t.iteration_seed);
  write_options(w, t.options);
  w.key("steps").value(t.steps);
  write_failure(w, t.failure);
  write_schedule(w, t);
  write_events(w, t);
  write_facts(w, t);
  w.key("logs").begin_array();
  for (const auto& l : t.logs) {
    w.begin_object().key("step").value(l.step).key("pid").value(l.pid).key("text").value(l.text).end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string trace_to_text(const Trace& t) {
  std::ostringstream out;
  out << "format version: " << t.format_version << "\n"
            << "tool version: " << t.tool_version << "\n"
            << "scenario: " << t.scenario_path << "\n";
  char hash[40];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(t.scenario_hash));
  out << "scenario hash: " << hash << "\n";
    out << "test: " << t.test_name << "\n"
            << "strategy: " << t.strategy << " (";
  for (const auto& [name, value] : t.params.values()) out << name << " " << value << "; ";
  out << "learned longest schedule: " << t.hint.max_scheduling_points << " scheduling points)\n"
            << "seed: " << t.seed << "   iteration: " << t.iteration << "   iteration seed: " << t.iteration_seed
            << "\n"
            << "options:";
  for (const OptionSpec& spec : test_options()) {
    if (spec.target == OptionTarget::kRun) out << " " << spec.name << "=" << t.options.get(spec.name);
  }
  out << "\n"
            << "steps: " << t.steps << "\n"
            << "failure: " << failure_kind_name(t.failure.kind) << " at step " << t.failure.step << ", process "
            << (t.failure.pid >= 0 ? "P" + std::to_string(t.failure.pid) : std::string("-")) << "\n"
            << "  message: " << t.failure.message << "\n";
  if (!t.failure.location.empty()) out << "  location: " << t.failure.location << "\n";
  if (!t.failure.details.empty()) out << "  details:\n" << t.failure.details;
  out << "processes:\n";
  for (const auto& p : t.processes) {
    out << "  P" << p.pid << (p.node.empty() ? "" : "@" + p.node) << "  " << p.name << "\n";
  }
  out << "decisions (" << t.decisions.size() << "):\n";
  for (size_t i = 0; i < t.decisions.size(); ++i) {
    const Decision& d = t.decisions[i];
    out << "  " << i + 1 << "  " << decision_kind_name(d.kind) << " ";
    EventKind kind;
    if (event_kind(d.kind, kind)) {
      out << event_key_name({kind, static_cast<uint32_t>(d.value)}) << " (" << step_kind_name(d.step) << ")";
    } else {
      out << d.value;
    }
    out << "\n";
  }
  out << "events (" << t.events.size() << "):\n";
  for (const Event& e : t.events) {
    out << "  step " << e.step << "  " << step_kind_name(e.kind) << "  pid " << e.pid << "  peer " << e.peer
              << "  " << e.detail << "\n";
  }
  out << "facts (" << t.facts.size() << "):\n";
  for (size_t i = 0; i < t.facts.size(); ++i) {
    const StepFacts f = t.facts.at(i);
    out << "  step " << f.step << "  " << event_key_name(f.event) << "  actor " << f.actor;
    if (f.consumed) out << "  consumed " << f.consumed;
    if (f.cause) out << "  cause " << f.cause;
    for (const Access& a : f.accesses) {
      char object[24];
      std::snprintf(object, sizeof object, "%016llx", static_cast<unsigned long long>(a.object));
      out << "  " << (a.writes ? "w:" : "r:") << object;
    }
    out << "\n";
  }
  out << "logs (" << t.logs.size() << "):\n";
  for (const LogLine& l : t.logs) out << "  step " << l.step << "  P" << l.pid << "  " << l.text << "\n";
  return out.str();
}

}  // namespace lockstep

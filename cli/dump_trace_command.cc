// lockstep dump-trace --trace FILE [--json | --shiviz]
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/trace_loading.h"
#include "engine/view.h"

namespace lockstep::cli {
namespace {

void print_dump(const Trace& t) {
  std::cout << "format version: " << t.format_version << "\n"
            << "tool version: " << t.tool_version << "\n"
            << "scenario: " << t.scenario_path << "\n";
  std::printf("scenario hash: %016llx\n", static_cast<unsigned long long>(t.scenario_hash));
  std::cout << std::flush;
  std::cout << "test: " << t.test_name << "\n"
            << "strategy: " << t.strategy << " (";
  for (const auto& [name, value] : t.params.values()) std::cout << name << " " << value << "; ";
  std::cout << "learned longest schedule: " << t.hint.max_scheduling_points << " scheduling points)\n"
            << "seed: " << t.seed << "   iteration: " << t.iteration << "   iteration seed: " << t.iteration_seed
            << "\n"
            << "options:";
  for (const OptionSpec& spec : test_options()) {
    if (spec.target == OptionTarget::kRun) std::cout << " " << spec.name << "=" << t.options.get(spec.name);
  }
  std::cout << "\n"
            << "steps: " << t.steps << "\n"
            << "failure: " << failure_kind_name(t.failure.kind) << " at step " << t.failure.step << ", process "
            << (t.failure.pid >= 0 ? "P" + std::to_string(t.failure.pid) : std::string("-")) << "\n"
            << "  message: " << t.failure.message << "\n";
  if (!t.failure.location.empty()) std::cout << "  location: " << t.failure.location << "\n";
  if (!t.failure.details.empty()) std::cout << "  details:\n" << t.failure.details;
  std::cout << "processes:\n";
  for (const auto& p : t.processes) {
    std::cout << "  P" << p.pid << (p.node.empty() ? "" : "@" + p.node) << "  " << p.name << "\n";
  }
  std::cout << "decisions (" << t.decisions.size() << "):\n";
  for (size_t i = 0; i < t.decisions.size(); ++i) {
    const Decision& d = t.decisions[i];
    std::cout << "  " << i + 1 << "  " << decision_kind_name(d.kind) << " ";
    EventKind kind;
    if (event_kind(d.kind, kind)) {
      std::cout << event_key_name({kind, static_cast<uint32_t>(d.value)}) << " (" << step_kind_name(d.step) << ")";
    } else {
      std::cout << d.value;
    }
    std::cout << "\n";
  }
  std::cout << "events (" << t.events.size() << "):\n";
  for (const Event& e : t.events) {
    std::cout << "  step " << e.step << "  " << step_kind_name(e.kind) << "  pid " << e.pid << "  peer " << e.peer
              << "  " << e.detail << "\n";
  }
  std::cout << "facts (" << t.facts.size() << "):\n";
  for (size_t i = 0; i < t.facts.size(); ++i) {
    const StepFacts f = t.facts.at(i);
    std::cout << "  step " << f.step << "  " << event_key_name(f.event) << "  actor " << f.actor;
    if (f.consumed) std::cout << "  consumed " << f.consumed;
    if (f.cause) std::cout << "  cause " << f.cause;
    for (const Access& a : f.accesses) {
      char object[24];
      std::snprintf(object, sizeof object, "%016llx", static_cast<unsigned long long>(a.object));
      std::cout << "  " << (a.writes ? "w:" : "r:") << object;
    }
    std::cout << "\n";
  }
  std::cout << "logs (" << t.logs.size() << "):\n";
  for (const LogLine& l : t.logs) std::cout << "  step " << l.step << "  P" << l.pid << "  " << l.text << "\n";
}

}  // namespace

Command dump_trace_command() {
  return {"dump-trace", "print every field of a trace, as text, --json, or a --shiviz log",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto path = std::make_shared<std::string>();
            auto json = std::make_shared<bool>(false);
            auto shiviz = std::make_shared<bool>(false);
            sub.add_option("--trace", *path, "trace file")->required();
            auto* json_flag = sub.add_flag("--json", *json, "print the trace as JSON");
            sub.add_flag("--shiviz", *shiviz,
                         "print the run as a ShiViz log (one host per process, vector clocks from happens-before)")
                ->excludes(json_flag);
            return [path, json, shiviz] {
              LoadedTrace loaded;
              if (int code = load_trace_and_scenario(*path, "", false, loaded); code != kExitOk) return code;
              if (*shiviz) std::cout << render_shiviz(loaded.trace);
              else if (*json) std::cout << trace_to_json(loaded.trace) << "\n";
              else print_dump(loaded.trace);
              return static_cast<int>(kExitOk);
            };
          }};
}

}  // namespace lockstep::cli

#include "cli/trace_loading.h"

#include <iostream>

#include "cli/commands.h"
#include "engine/replay.h"
#include "engine/report/report.h"
#include "lua/guest.h"

namespace lockstep::cli {

bool env_full_schedule() {
  const char* v = std::getenv("LOCKSTEP_NO_CAUSAL_SLICE");
  return v && *v && std::string(v) != "0";
}

int load_trace_and_scenario(const std::string& trace_path, const std::string& scenario_override, bool need_program, LoadedTrace& out) {
  auto trace = load_trace(trace_path);
  if (!trace.ok()) {
    print_error(trace.status().message());
    return kExitUsage;
  }
  out.trace = std::move(*trace);
  if (!need_program) return kExitOk;
  std::string path = scenario_override;
  if (path.empty()) {
    auto found = locate_scenario(out.trace, trace_path);
    if (!found.ok()) {
      print_error(found.status().message());
      return kExitUsage;
    }
    path = *found;
  }
  auto program = lua::LuaProgram::load(path);
  if (!program.ok()) {
    print_error(program.status().message());
    return exit_code(program.status());
  }
  if ((*program)->source_hash() != out.trace.scenario_hash) {
    std::cerr << "lockstep: warning: " << path
              << " has changed since this trace was recorded; the replay may diverge\n";
  }
  out.program = std::move(*program);
  return kExitOk;
}

void print_trace_header(const Trace& t, std::ostream& out) {
  out << "lockstep: trace of \"" << t.test_name << "\" (" << t.scenario_path << ")\n"
      << "  iteration: " << t.iteration << "   seed: " << t.seed << "   strategy: " << t.strategy << "\n"
      << "  recorded failure at step " << t.failure.step << ": " << describe_failure(t) << "\n\n";
}

}  // namespace lockstep::cli

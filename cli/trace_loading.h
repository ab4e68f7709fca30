// Shared by the subcommands that read a trace (replay, shrink, dump-trace).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "engine/program.h"
#include "engine/trace.h"

namespace lockstep::cli {

struct LoadedTrace {
  Trace trace;
  std::unique_ptr<Program> program;  // only when the scenario was asked for
};

// Loads the trace and, if `need_program`, the scenario it names (or
// `scenario_override`), warning on stderr when the scenario changed since
// the trace was recorded. Prints one error line and returns the exit code
// on failure; kExitOk otherwise.
int load_trace_and_scenario(const std::string& trace_path, const std::string& scenario_override,
                            bool need_program, LoadedTrace& out);

// LOCKSTEP_NO_CAUSAL_SLICE is set.
bool env_full_schedule();

// "lockstep: trace of ..." with the recorded failure.
void print_trace_header(const Trace& t, std::ostream& out);

}  // namespace lockstep::cli

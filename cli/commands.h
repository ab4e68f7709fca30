// The table of subcommands: each lives in its own file, registers its
// options on a CLI11 subcommand, and returns an exit code when run.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "engine/base/status.h"

#include <functional>
#include <span>
#include <string_view>

namespace lockstep::cli {

// Options shared by every subcommand.
struct GlobalOptions {
  bool quiet = false;
  bool verbose = false;
};

struct Command {
  std::string_view name;
  std::string_view description;
  // Adds the subcommand's options; the returned function runs it.
  std::function<std::function<int()>(CLI::App& sub, const GlobalOptions& global)> setup;
};

std::span<const Command> commands();

// One line on stderr: "lockstep: error: <message>".
void print_error(std::string_view message);

// Whether to colour output on stdout (a terminal, and NO_COLOR unset).
bool use_color();

// A number of seconds: finite, from `min` to 31,536,000 (a year). Refuses
// nan, inf and negative values with the range in words.
CLI::Validator seconds(double min);

// --jobs: the flag's value when given (`given`, checked 1..256 by the
// flag), else LOCKSTEP_JOBS, else 1. An error names a bad LOCKSTEP_JOBS.
Result<unsigned> jobs_option(const CLI::App& sub, unsigned given);

// Command factories, one per file.
Command run_command();
Command list_command();
Command replay_command();
Command shrink_command();
Command dump_trace_command();
Command view_command();
Command explain_command();
Command lint_command();
Command mcp_command();
Command check_command();
Command merge_command();

}  // namespace lockstep::cli

#include "cli/commands.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>

namespace lockstep::cli {

std::span<const Command> commands() {
  static const std::array<Command, 11> kCommands = {
      run_command(),   list_command(),  replay_command(),  shrink_command(), dump_trace_command(), lint_command(),
      check_command(), view_command(),  explain_command(), merge_command(),  mcp_command()};
  return kCommands;
}

void print_error(std::string_view message) { std::cerr << "lockstep: error: " << message << "\n"; }

bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(STDOUT_FILENO) != 0;
}

}  // namespace lockstep::cli

#include "cli/commands.h"
#include "engine/trace_names.h"

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace lockstep::cli {

std::span<const Command> commands() {
  static const std::array<Command, 11> kCommands = {
      run_command(),   list_command(),  replay_command(),  shrink_command(), dump_trace_command(), lint_command(),
      check_command(), view_command(),  explain_command(), merge_command(),  mcp_command()};
  return kCommands;
}

void print_error(std::string_view message) { std::cerr << "lockstep: error: " << one_line(message) << "\n"; }

bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(STDOUT_FILENO) != 0;
}

CLI::Validator seconds(double min) {
  constexpr double kMax = 31536000;  // a year
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v) || v < min || v > kMax) {
          char range[64];
          std::snprintf(range, sizeof range, "from %.10g to %.10g", min, kMax);
          return "must be a number of seconds " + std::string(range) + ", not \"" + text.substr(0, 40) + "\"";
        }
        return "";
      },
      "", "seconds");
}

Result<unsigned> jobs_option(const CLI::App& sub, unsigned given) {
  if (sub.count("--jobs")) return given;
  const char* env = std::getenv("LOCKSTEP_JOBS");
  if (!env || !*env) return 1u;
  char* end = nullptr;
  const unsigned long n = std::strtoul(env, &end, 10);
  if (*end != '\0' || n == 0 || n > 256) {
    return Status::InvalidArgument(std::string("LOCKSTEP_JOBS must be a number from 1 to 256, not \"") + env + "\"");
  }
  return static_cast<unsigned>(n);
}

}  // namespace lockstep::cli

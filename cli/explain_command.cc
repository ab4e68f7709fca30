// lockstep explain --trace FILE [--scenario PATH] [--no-check]
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/trace_loading.h"
#include "engine/report/explain.h"
#include "engine/base/files.h"
#include "engine/replay.h"
#include "lua/guest.h"

namespace lockstep::cli {
namespace {

struct ExplainFlags {
  std::string trace, scenario;
  bool no_check = false;
};

// Pipes the prompt to LOCKSTEP_EXPLAIN_CMD (run by /bin/sh) on its
// standard input, and lets its answer through to stdout. No file is
// written: nothing for another user to read or to plant a link at.
// Returns an exit code.
int ask_command(const std::string& command, const std::string& prompt) {
  std::cout << "\nAnswer from LOCKSTEP_EXPLAIN_CMD (" << command << "):\n" << std::flush;
  FILE* pipe = ::popen(("( " + command + " )").c_str(), "w");
  if (!pipe) {
    print_error("cannot run LOCKSTEP_EXPLAIN_CMD: " + std::string(std::strerror(errno)));
    return kExitUsage;
  }
  // A command that stops reading early must not kill lockstep with SIGPIPE,
  // nor fail it: unbuffered, what it did not read is dropped by the write
  // (EPIPE, ignored) rather than by pclose's flush, whose failure would
  // hide the command's exit status.
  void (*previous)(int) = std::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(pipe, nullptr, _IONBF, 0);
  std::fwrite(prompt.data(), 1, prompt.size(), pipe);
  const int status = ::pclose(pipe);
  std::signal(SIGPIPE, previous);
  if (status != 0) {
    const int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    print_error("LOCKSTEP_EXPLAIN_CMD exited with status " + std::to_string(code));
    return kExitUsage;
  }
  return kExitOk;
}

int explain(const ExplainFlags& f) {
  LoadedTrace loaded;
  if (int code = load_trace_and_scenario(f.trace, "", false, loaded); code != kExitOk) return code;
  const Trace& trace = loaded.trace;
  // The scenario lets explain check each race by running the other order;
  // without it the account is still given.
  std::unique_ptr<Program> program;
  std::string source;
  if (!f.no_check) {
    auto path =
        f.scenario.empty() ? locate_scenario(trace, f.trace) : Result<std::string>(f.scenario);
    if (path.ok()) {
      auto loaded_program = lua::LuaProgram::load(*path);
      if (loaded_program.ok()) {
        program = std::move(*loaded_program);
        if (program->source_hash() != trace.scenario_hash) {
          std::cerr << "lockstep: warning: " << *path
                    << " has changed since this trace was recorded\n";
        }
        std::ifstream in(*path);
        std::stringstream ss;
        ss << in.rdbuf();
        source = ss.str();
      } else {
        std::cerr << "lockstep: warning: " << loaded_program.status().message()
                  << "; races are not checked\n";
      }
    } else {
      std::cerr << "lockstep: warning: " << path.status().message() << "; races are not checked\n";
    }
  }
  const Explanation e = explain_failure(trace, program.get());
  std::cout << e.text;
  if (const char* command = std::getenv("LOCKSTEP_EXPLAIN_CMD"); command && *command) {
    return ask_command(command, explain_prompt(trace, e, source));
  }
  return kExitOk;
}

}  // namespace

Command explain_command() {
  return {"explain",
          "explain a failure in plain English: the races that decide it, checked by running them",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto f = std::make_shared<ExplainFlags>();
            sub.add_option("--trace", f->trace, "trace file")->required();
            sub.add_option("--scenario", f->scenario,
                           "the scenario file, if not where the trace says");
            sub.add_flag("--no-check", f->no_check,
                         "do not run the reversed schedules (report the races only)");
            sub.footer(
                "With LOCKSTEP_EXPLAIN_CMD set, the account, the causal slice and the scenario's "
                "source are\n"
                "piped as a prompt to that command (run by /bin/sh; e.g. an LLM's command-line "
                "client) and\n"
                "its answer is printed. lockstep itself never calls a network service.");
            return [f] { return explain(*f); };
          }};
}

}  // namespace lockstep::cli

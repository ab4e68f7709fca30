// lockstep mcp [--tool-timeout SECONDS]
#include <unistd.h>

#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/mcp/server.h"

namespace lockstep::cli {
namespace {

// The running binary, so each tool call runs this very lockstep.
std::string self_path() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("lockstep");
}

int serve(int timeout_seconds) {
  McpServer server(subprocess_runner(self_path(), timeout_seconds), LOCKSTEP_VERSION);
  std::ios::sync_with_stdio(false);
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty() || line == "\r") continue;
    const std::string reply = server.handle(line);
    if (!reply.empty()) std::cout << reply << "\n" << std::flush;
    if (!std::cout) return kExitOk;  // the client is gone: main says so
  }
  return kExitOk;
}

}  // namespace

Command mcp_command() {
  return {"mcp", "serve lockstep's commands to agents over the Model Context Protocol (stdio)",
          [](CLI::App& sub, const GlobalOptions&) -> std::function<int()> {
            auto timeout = std::make_shared<int>(600);
            sub.add_option("--tool-timeout", *timeout,
                           "seconds a tool call may run before it is stopped")
                ->check(CLI::Range(1, 86400))
                ->capture_default_str();
            sub.footer(
                "Reads JSON-RPC 2.0 messages, one per line, on stdin and answers on stdout. Tools: "
                "list_tests,\n"
                "run, replay, shrink, explain, dump_trace, view, lint, check_history. Paths are "
                "relative to the\n"
                "directory the server was started in.");
            return [timeout] { return serve(*timeout); };
          }};
}

}  // namespace lockstep::cli

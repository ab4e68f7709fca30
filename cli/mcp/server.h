// `lockstep mcp`: a Model Context Protocol server (JSON-RPC 2.0, one
// message per line on stdin/stdout) whose tools are lockstep's commands:
// an agent lists tests, runs them, replays, shrinks, explains, dumps and
// draws traces, lints scenarios and checks histories.
//
// Each tool call runs the lockstep binary once with the matching command
// line (ToolRunner), so a tool behaves exactly as the command does and a
// misbehaving scenario cannot take the server down with it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep {

class JsonWriter;
struct JsonValue;

struct ToolRun {
  int code = -1;  // exit status; -1 if it could not run or was killed
  std::string out, err;
};

// Runs `lockstep <args...>` and returns what it printed.
using ToolRunner = std::function<ToolRun(const std::vector<std::string>& args)>;

// A runner that starts `exe` with the arguments (stdin /dev/null), collects
// stdout and stderr, and stops it after `timeout_seconds`.
ToolRunner subprocess_runner(std::string exe, int timeout_seconds);

class McpServer {
 public:
  McpServer(ToolRunner runner, std::string version);

  // Handles one line (a JSON-RPC message). Returns the line to send back
  // (without the newline), or "" for a notification.
  std::string handle(std::string_view line);

  // The protocol revisions understood, newest first.
  static const std::vector<std::string>& protocol_versions();

 private:
  void initialize(JsonWriter& w, const JsonValue* params) const;
  static void list_tools(JsonWriter& w);
  // The result of tools/call, or an error reply that replaces the response.
  std::string call_tool(JsonWriter& w, const JsonValue* id, const JsonValue* params);

  ToolRunner runner_;
  std::string version_;
  std::filesystem::path root_;  // the start directory: every path argument stays inside it
};

}  // namespace lockstep

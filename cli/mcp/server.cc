#include "cli/mcp/server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "engine/base/json.h"

namespace lockstep {
namespace {

constexpr size_t kMaxOutput = 256 * 1024;  // characters of a tool's output returned to the client

enum class ArgType { kString, kInteger, kBoolean, kStrings };

struct Arg {
  const char* name;
  ArgType type;
  const char* flag;  // "" for a positional argument
  const char* description;
  bool required = false;
  bool path = false;  // a file or directory: must stay inside the start directory
};

// A tool: the command it runs, its arguments, and which exit statuses are
// results rather than errors (run's 1 is "a bug was found").
struct Tool {
  const char* name;
  const char* description;
  std::vector<std::string> command;
  std::vector<Arg> args;
  std::vector<int> results;
};

const std::vector<Tool>& tools() {
  static const std::vector<Tool> kTools = {
      {"list_tests",
       "List the tests declared in scenario files (.lua files or directories).",
       {"list"},
       {{"paths", ArgType::kStrings, "", "scenario files or directories", true, true}},
       {0}},
      {"run",
       "Run tests under a scheduling strategy. Returns lockstep's JSON report: per test its "
       "status, and for a bug "
       "its kind, message, location and the trace file to replay, shrink, explain or view.",
       {"run", "--format", "json"},
       {{"path", ArgType::kString, "", "a scenario file or directory", true, true},
        {"test", ArgType::kString, "--test", "run only this test"},
        {"strategy", ArgType::kString, "--strategy",
         "random, pct (default), pos, fair_pct, idpct, surw, rff, portfolio or dfs"},
        {"iterations", ArgType::kInteger, "--iterations", "iterations per test (default 100)"},
        {"seed", ArgType::kInteger, "--seed", "base seed (default 1)"},
        {"max_steps", ArgType::kInteger, "--max-steps", "steps per iteration before it is cut off"},
        {"timers", ArgType::kString, "--timers", "quiescent or any"},
        {"traces_dir", ArgType::kString, "--traces-dir", "where trace files go (default traces/)", false, true},
        {"keep_going", ArgType::kBoolean, "--keep-going", "dfs: explore on after a bug"},
        {"delay_bound", ArgType::kInteger, "--delay-bound",
         "dfs: at most this many branches per schedule off the path a run left alone takes"},
        {"fewest_delays", ArgType::kString, "--fewest-delays",
         "dfs: on searches in rounds of growing delay bound (0, 1, 2, ...), so the first bug found is one with "
         "the fewest delays"},
        {"state_cache", ArgType::kString, "--state-cache",
         "dfs: on (default: states where virtual time moved on, every state once a run loops without it), "
         "full (every state) or off (stateless)"},
        {"bitstate", ArgType::kInteger, "--bitstate",
         "dfs: keep the state cache in a bit table of this many MB: never out of room, but lossy (no proof)"},
        {"shard", ArgType::kString, "--shard",
         "K/N: run part K of N (dfs: part K of the search tree; join the parts' reports with lockstep merge)"}},
       {0, 1}},
      {"replay",
       "Print a trace's schedule (the causal slice), or with run=true re-execute it and say "
       "whether the failure "
       "reproduces.",
       {"replay"},
       {{"trace", ArgType::kString, "--trace", "trace file", true, true},
        {"run", ArgType::kBoolean, "--run", "re-execute the scenario under the recorded schedule"},
        {"full", ArgType::kBoolean, "--full", "every step, not only the causal slice"}},
       {0, 1, 4}},
      {"shrink",
       "Minimise a failing trace; writes FILE.min.lockstep (or output) and says how much it "
       "shrank.",
       {"shrink"},
       {{"trace", ArgType::kString, "--trace", "trace file", true, true},
        {"output", ArgType::kString, "-o", "where to write the shrunk trace", false, true}},
       {0, 1}},
      {"explain",
       "Explain a failure in plain English: the races in its causal slice, each checked by running "
       "the schedule "
       "with it reversed.",
       {"explain"},
       {{"trace", ArgType::kString, "--trace", "trace file", true}},
       {0}},
      {"dump_trace",
       "Every field of a trace, as text or JSON.",
       {"dump-trace"},
       {{"trace", ArgType::kString, "--trace", "trace file", true, true},
        {"json", ArgType::kBoolean, "--json", "as JSON"}},
       {0}},
      {"view",
       "Draw a trace as a self-contained HTML space-time diagram; returns the file written.",
       {"view"},
       {{"trace", ArgType::kString, "--trace", "trace file", true, true},
        {"output", ArgType::kString, "-o", "the HTML file (default: the trace's name with .html)", false, true},
        {"slice", ArgType::kBoolean, "--slice", "draw only the causal slice"}},
       {0}},
      {"lint",
       "Warn about scenario code that escapes the scheduler (shared locals, globals, os/io).",
       {"lint", "--format", "json"},
       {{"paths", ArgType::kStrings, "", "scenario files or directories", true, true}},
       {0}},
      {"check_history",
       "Check a recorded history (Jepsen log, EDN or JSON lines) for linearizability or sequential "
       "consistency.",
       {"check", "--format", "json"},
       {{"history", ArgType::kString, "--history", "history file", true, true},
        {"model", ArgType::kString, "--model", "register, cas_register, kv, counter, queue or set",
         true},
        {"consistency", ArgType::kString, "--consistency", "linearizable (default) or sequential"},
        {"timeout", ArgType::kInteger, "--timeout", "seconds before giving up without a verdict"}},
       {0, 1, 5}},
  };
  return kTools;
}

std::string type_name(ArgType t) {
  switch (t) {
    case ArgType::kString:
      return "string";
    case ArgType::kInteger:
      return "integer";
    case ArgType::kBoolean:
      return "boolean";
    case ArgType::kStrings:
      return "array";
  }
  return "string";
}

void write_id(JsonWriter& w, const JsonValue* id) {
  if (!id || id->type == JsonValue::Type::kNull)
    w.null();
  else if (id->type == JsonValue::Type::kString)
    w.value(id->text);
  else if (id->type == JsonValue::Type::kNumber)
    w.raw(id->text);
  else
    w.null();
}

std::string error_reply(const JsonValue* id, int code, const std::string& message) {
  JsonWriter w;
  w.begin_object().key("jsonrpc").value("2.0").key("id");
  write_id(w, id);
  w.key("error").begin_object().key("code").value(code).key("message").value(message).end_object();
  w.end_object();
  return w.str();
}

// The command line for a call, or an error message.
// Whether `path` (relative to the start directory `root`) stays inside
// it once resolved: no absolute path, no "..", no link that leads out.
bool inside(const std::filesystem::path& root, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  if (p.is_absolute()) return false;
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(root / p, ec);
  if (ec) return false;
  auto r = root.begin();
  auto q = resolved.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == resolved.end() || *r != *q) return false;
  }
  return true;
}

bool command_line(const Tool& tool, const JsonValue* arguments, const std::filesystem::path& root,
                  std::vector<std::string>& argv, std::string& error) {
  argv = tool.command;
  std::vector<std::string> positional;
  for (const Arg& a : tool.args) {
    const JsonValue* v = arguments ? arguments->get(a.name) : nullptr;
    if (!v || v->type == JsonValue::Type::kNull) {
      if (a.required) {
        error = "missing argument \"" + std::string(a.name) + "\"";
        return false;
      }
      continue;
    }
    std::vector<std::string> values;
    switch (a.type) {
      case ArgType::kString:
        if (v->type != JsonValue::Type::kString)
          return error = std::string(a.name) + " must be a string", false;
        values.push_back(v->text);
        break;
      case ArgType::kInteger:
        if (v->type != JsonValue::Type::kNumber ||
            v->text.find_first_of(".eE-") != std::string::npos) {
          return error = std::string(a.name) + " must be a non-negative integer", false;
        }
        values.push_back(v->text);
        break;
      case ArgType::kBoolean:
        if (v->type != JsonValue::Type::kBool)
          return error = std::string(a.name) + " must be true or false", false;
        if (!v->boolean) continue;
        break;
      case ArgType::kStrings:
        if (v->type != JsonValue::Type::kArray || v->items.empty()) {
          return error = std::string(a.name) + " must be a non-empty array of strings", false;
        }
        for (const JsonValue& item : v->items) {
          if (item.type != JsonValue::Type::kString)
            return error = std::string(a.name) + " must hold strings", false;
          values.push_back(item.text);
        }
        break;
    }
    // A value that looks like a flag would be read as one: refuse it.
    for (const std::string& s : values) {
      if (!s.empty() && s[0] == '-')
        return error = std::string(a.name) + " must not start with '-'", false;
      if (a.path && !inside(root, s)) {
        return error = std::string(a.name) + " \"" + s + "\" is outside the directory lockstep mcp was started in " +
                       "(paths are relative to it)", false;
      }
    }
    if (*a.flag) {
      argv.push_back(a.flag);
      for (const std::string& s : values) argv.push_back(s);
    } else {
      positional.insert(positional.end(), values.begin(), values.end());
    }
  }
  if (arguments) {
    for (const JsonMember& m : arguments->members) {
      const bool known =
          std::any_of(tool.args.begin(), tool.args.end(), [&](const Arg& a) { return m.key == a.name; });
      if (!known) return error = "unknown argument \"" + m.key + "\"", false;
    }
  }
  if (!positional.empty()) {
    argv.push_back("--");
    argv.insert(argv.end(), positional.begin(), positional.end());
  }
  return true;
}

std::string clip(std::string s) {
  if (s.size() <= kMaxOutput) return s;
  s.resize(kMaxOutput);
  return s + "\n... (output cut at " + std::to_string(kMaxOutput) + " characters)";
}

}  // namespace

ToolRunner subprocess_runner(std::string exe, int timeout_seconds) {
  return [exe, timeout_seconds](const std::vector<std::string>& args) {
    ToolRun r;
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return r;
    if (::pipe2(err, O_CLOEXEC) != 0) {
      ::close(out[0]), ::close(out[1]);
      return r;
    }
    std::vector<std::string> owned = {exe};
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);  // its own group: a timeout stops whatever it started too
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
    if (pid > 0) ::setpgid(pid, pid);  // as the child does, whichever runs first
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
      ::close(out[0]), ::close(err[0]);
      return r;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    bool killed = false;
    char buf[65536];
    while (open_fds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 && !killed) {
        ::kill(-pid, SIGKILL);
        killed = true;
        r.err += "lockstep mcp: the command ran past " + std::to_string(timeout_seconds) +
                 " s and was stopped\n";
      }
      if (::poll(fds, 2, killed ? 1000 : static_cast<int>(std::min<int64_t>(left.count(), 1000))) <
          0)
        break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          sinks[i]->append(buf, static_cast<size_t>(n));
        } else {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) && !killed ? WEXITSTATUS(status) : -1;
    return r;
  };
}

const std::vector<std::string>& McpServer::protocol_versions() {
  static const std::vector<std::string> kVersions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                     "2024-11-05"};
  return kVersions;
}

McpServer::McpServer(ToolRunner runner, std::string version)
    : runner_(std::move(runner)), version_(std::move(version)) {
  std::error_code ec;
  root_ = std::filesystem::weakly_canonical(std::filesystem::current_path(ec), ec);
}

void McpServer::initialize(JsonWriter& w, const JsonValue* params) const {
  std::string requested = params ? params->str("protocolVersion") : "";
  const auto& known = protocol_versions();
  if (std::find(known.begin(), known.end(), requested) == known.end()) requested = known.front();
  w.begin_object().key("protocolVersion").value(requested);
  w.key("capabilities")
      .begin_object()
      .key("tools")
      .begin_object()
      .key("listChanged")
      .value(false);
  w.end_object().end_object();
  w.key("serverInfo")
      .begin_object()
      .key("name")
      .value("lockstep")
      .key("version")
      .value(version_)
      .end_object();
  w.key("instructions")
      .value(
          "lockstep finds concurrency bugs in Lua scenario files by controlled scheduling. "
          "Typical use: "
          "list_tests, run (a bug comes with a trace file), then explain, replay (run=true) or "
          "view the trace.");
  w.end_object();
}

void McpServer::list_tools(JsonWriter& w) {
  w.begin_object().key("tools").begin_array();
  for (const Tool& t : tools()) {
    w.begin_object().key("name").value(t.name).key("description").value(t.description);
    w.key("inputSchema")
        .begin_object()
        .key("type")
        .value("object")
        .key("properties")
        .begin_object();
    for (const Arg& a : t.args) {
      w.key(a.name).begin_object().key("type").value(type_name(a.type));
      if (a.type == ArgType::kStrings)
        w.key("items").begin_object().key("type").value("string").end_object();
      w.key("description").value(a.description).end_object();
    }
    w.end_object().key("required").begin_array();
    for (const Arg& a : t.args) {
      if (a.required) w.value(a.name);
    }
    w.end_array().key("additionalProperties").value(false).end_object().end_object();
  }
  w.end_array().end_object();
}

std::string McpServer::call_tool(JsonWriter& w, const JsonValue* id, const JsonValue* params) {
  const std::string name = params ? params->str("name") : "";
  const auto& list = tools();
  auto tool = std::find_if(list.begin(), list.end(), [&](const Tool& t) { return name == t.name; });
  if (tool == list.end()) return error_reply(id, -32602, "unknown tool \"" + name + "\"");
  std::vector<std::string> argv;
  std::string error;
  const JsonValue* arguments = params->get("arguments");
  if (arguments && arguments->type != JsonValue::Type::kObject) {
    return error_reply(id, -32602, "arguments must be an object");
  }
  if (!command_line(*tool, arguments, root_, argv, error)) return error_reply(id, -32602, name + ": " + error);
  const ToolRun r = runner_(argv);
  const bool ok = std::find(tool->results.begin(), tool->results.end(), r.code) != tool->results.end();
  std::string text = clip(r.out);
  if (!r.err.empty()) text += (text.empty() || text.back() == '\n' ? "" : "\n") + clip(r.err);
  std::string command = "lockstep";
  for (const std::string& a : argv) command += " " + a;
  text += (text.empty() || text.back() == '\n' ? "" : "\n") + std::string("(") + command + ": exit status " +
          std::to_string(r.code) + ")";
  w.begin_object().key("content").begin_array();
  w.begin_object().key("type").value("text").key("text").value(text).end_object();
  w.end_array().key("isError").value(!ok).end_object();
  return "";
}

std::string McpServer::handle(std::string_view line) {
  auto parsed = parse_json(line);
  if (!parsed.ok())
    return error_reply(nullptr, -32700, "parse error: " + parsed.status().message());
  const JsonValue& msg = *parsed;
  if (msg.type != JsonValue::Type::kObject)
    return error_reply(nullptr, -32600, "a request must be an object");
  const JsonValue* id = msg.get("id");
  const std::string method = msg.str("method");
  if (method.empty())
    return id ? error_reply(id, -32600, "no method") : "";  // a response to us: ignore
  if (!id) return "";  // a notification (notifications/initialized, cancelled, ...)

  JsonWriter w;
  w.begin_object().key("jsonrpc").value("2.0").key("id");
  write_id(w, id);
  w.key("result");
  const JsonValue* params = msg.get("params");
  if (method == "initialize") {
    initialize(w, params);
  } else if (method == "ping") {
    w.begin_object().end_object();
  } else if (method == "tools/list") {
    list_tools(w);
  } else if (method == "tools/call") {
    if (std::string error = call_tool(w, id, params); !error.empty()) return error;
  } else {
    return error_reply(id, -32601, "method not found: " + method);
  }
  w.end_object();
  return w.str();
}

}  // namespace lockstep

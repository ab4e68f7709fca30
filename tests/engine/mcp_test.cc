// The MCP server's protocol and the command lines its tools run.
#include "cli/mcp/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/base/json.h"

namespace lockstep {
namespace {

struct Fake {
  std::vector<std::vector<std::string>> calls;
  ToolRun next{0, "out\n", ""};
};

McpServer server(Fake& fake) {
  return McpServer(
      [&fake](const std::vector<std::string>& args) {
        fake.calls.push_back(args);
        return fake.next;
      },
      "9.9");
}

JsonValue reply(McpServer& s, const std::string& line) {
  auto r = parse_json(s.handle(line));
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : JsonValue{};
}

TEST(Mcp, InitializeAgreesOnARevisionAndNotificationsGetNoReply) {
  Fake fake;
  McpServer s = server(fake);
  JsonValue r = reply(
      s,
      R"({"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
  EXPECT_EQ(r.get("id")->text, "7");
  EXPECT_EQ(r.get("result")->str("protocolVersion"), "2025-03-26");
  EXPECT_EQ(r.get("result")->get("serverInfo")->str("version"), "9.9");
  r = reply(
      s,
      R"({"jsonrpc":"2.0","id":"x","method":"initialize","params":{"protocolVersion":"1999-01-01"}})");
  EXPECT_EQ(r.get("id")->text, "x");
  EXPECT_EQ(r.get("result")->str("protocolVersion"), McpServer::protocol_versions().front());
  EXPECT_EQ(s.handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"), "");
  EXPECT_EQ(reply(s, R"({"jsonrpc":"2.0","id":1,"method":"ping"})").get("result")->type,
            JsonValue::Type::kObject);
  EXPECT_EQ(reply(s, "{oops").get("error")->get("code")->text, "-32700");
  EXPECT_EQ(reply(s, R"({"jsonrpc":"2.0","id":2,"method":"resources/list"})")
                .get("error")
                ->get("code")
                ->text,
            "-32601");
}

// A malformed number is a parse error, never echoed raw (the reply must
// be JSON), and one out of a double's range too.
TEST(Mcp, MalformedNumbersAreParseErrors) {
  Fake fake;
  McpServer s = server(fake);
  for (const char* id : {"1--2", "1e400", "01", "1.", "-", "1e", "1+1", "2-"}) {
    const std::string line = std::string(R"({"jsonrpc":"2.0","id":)") + id + R"(,"method":"ping"})";
    const std::string out = s.handle(line);
    auto parsed = parse_json(out);
    ASSERT_TRUE(parsed.ok()) << id << ": the reply is not JSON: " << out;
    ASSERT_NE(parsed->get("error"), nullptr) << id << ": " << out;
    EXPECT_EQ(parsed->get("error")->get("code")->text, "-32700") << id;
  }
  for (const char* number : {"0", "-0", "12", "-3.25", "1e9", "2E-3", "6.02e+23"}) {
    EXPECT_TRUE(parse_json(number).ok()) << number;
  }
}

// Every path argument stays inside the directory the server started in:
// absolute paths, "..", and links that lead out are refused before any
// command runs.
TEST(Mcp, PathsStayInsideTheStartDirectory) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(::testing::TempDir()) / ("mcp_root_" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "sub");
  fs::create_symlink(fs::temp_directory_path(), root / "out");
  const fs::path before = fs::current_path();
  fs::current_path(root);
  Fake fake;
  McpServer s = server(fake);
  fs::current_path(before);
  auto call = [&](const std::string& tool, const std::string& args) {
    return reply(s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")" + tool +
                        R"(","arguments":)" + args + "}}");
  };
  for (const auto& [tool, args] : std::vector<std::pair<std::string, std::string>>{
           {"view", R"({"trace":"t.lockstep","output":"/etc/passwd"})"},
           {"view", R"({"trace":"../t.lockstep"})"},
           {"shrink", R"({"trace":"t.lockstep","output":"sub/../../x"})"},
           {"run", R"({"path":"a.lua","traces_dir":"out/traces"})"},
           {"list_tests", R"({"paths":["a.lua","/home"]})"},
           {"check_history", R"({"history":"out/h.edn","model":"register"})"}}) {
    const JsonValue r = call(tool, args);
    ASSERT_NE(r.get("error"), nullptr) << tool << " " << args;
    EXPECT_EQ(r.get("error")->get("code")->text, "-32602");
    EXPECT_NE(r.get("error")->str("message").find("is outside the directory"), std::string::npos)
        << r.get("error")->str("message");
  }
  EXPECT_TRUE(fake.calls.empty());
  const JsonValue fine = call("run", R"({"path":"sub/a.lua","traces_dir":"sub/../traces"})");
  EXPECT_EQ(fine.get("error"), nullptr);
  EXPECT_EQ(fake.calls.size(), 1u);
  fs::remove_all(root);
}

TEST(Mcp, EveryToolHasAnObjectSchemaWithItsRequiredArguments) {
  Fake fake;
  McpServer s = server(fake);
  const JsonValue r = reply(s, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  const auto& tools = r.get("result")->get("tools")->items;
  ASSERT_EQ(tools.size(), 9u);
  for (const JsonValue& t : tools) {
    EXPECT_FALSE(t.str("description").empty());
    EXPECT_EQ(t.get("inputSchema")->str("type"), "object");
    for (const JsonValue& req : t.get("inputSchema")->get("required")->items) {
      EXPECT_NE(t.get("inputSchema")->get("properties")->get(req.text), nullptr) << t.str("name");
    }
  }
}

TEST(Mcp, ACallRunsTheMatchingCommandLine) {
  Fake fake;
  McpServer s = server(fake);
  fake.next = {1, "{\"tests\":[]}\n", ""};
  JsonValue r = reply(s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run",
      "arguments":{"path":"s.lua","seed":3,"strategy":"pos","keep_going":false,"state_cache":"full"}}})");
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0], (std::vector<std::string>{"run", "--format", "json", "--strategy", "pos",
                                                     "--seed", "3", "--state-cache", "full", "--", "s.lua"}));
  EXPECT_FALSE(r.get("result")->flag("isError"));  // exit 1 from run is "a bug was found"
  EXPECT_NE(r.get("result")->get("content")->items[0].str("text").find("exit status 1"),
            std::string::npos);
  fake.next = {2, "", "lockstep: error: no such file\n"};
  r = reply(
      s,
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"replay","arguments":{"trace":"t","run":true}}})");
  EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"replay", "--trace", "t", "--run"}));
  EXPECT_TRUE(r.get("result")->flag("isError"));
  EXPECT_NE(r.get("result")->get("content")->items[0].str("text").find("no such file"),
            std::string::npos);
}

TEST(Mcp, BadArgumentsAreRefusedWithoutRunningAnything) {
  Fake fake;
  McpServer s = server(fake);
  for (const char* bad : {
           R"({"name":"run","arguments":{}})",                             // missing path
           R"({"name":"run","arguments":{"path":"s.lua","seed":"1"}})",    // wrong type
           R"({"name":"run","arguments":{"path":"s.lua","seed":-1}})",     // negative
           R"({"name":"run","arguments":{"path":"--help"}})",              // a flag in disguise
           R"({"name":"run","arguments":{"path":"s.lua","shell":"rm"}})",  // unknown argument
           R"({"name":"lint","arguments":{"paths":[]}})",                  // empty list
           R"({"name":"format_disk","arguments":{}})",                     // unknown tool
       }) {
    const JsonValue r = reply(
        s, std::string(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":)") + bad + "}");
    EXPECT_EQ(r.get("error")->get("code")->text, "-32602") << bad;
  }
  EXPECT_TRUE(fake.calls.empty());
}

TEST(Mcp, AnExhaustiveSearchCanBeBoundedAndSplit) {
  Fake fake;
  McpServer s = server(fake);
  fake.next = {0, "{\"tests\":[]}\n", ""};
  reply(s, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run",
      "arguments":{"path":"s.lua","strategy":"dfs","delay_bound":2,"shard":"1/3"}}})");
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0], (std::vector<std::string>{"run", "--format", "json", "--strategy", "dfs",
                                                     "--delay-bound", "2", "--shard", "1/3", "--", "s.lua"}));
  reply(s, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run",
      "arguments":{"path":"s.lua","strategy":"dfs","state_cache":"full","bitstate":64}}})");
  ASSERT_EQ(fake.calls.size(), 2u);
  EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"run", "--format", "json", "--strategy", "dfs", "--state-cache",
                                                     "full", "--bitstate", "64", "--", "s.lua"}));
}

TEST(Mcp, TheSubprocessRunnerCollectsOutputAndStopsARunawayCommand) {
  const ToolRun ok = subprocess_runner("/bin/sh", 10)({"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(ok.code, 3);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");
  const ToolRun slow = subprocess_runner("/bin/sh", 1)({"-c", "sleep 30"});
  EXPECT_EQ(slow.code, -1);
  EXPECT_NE(slow.err.find("was stopped"), std::string::npos);
}

}  // namespace
}  // namespace lockstep

// `lockstep mcp` end to end with the official MCP client SDK (Node), where
// Node and the SDK are installed (bash .ci/install-deps --test does both).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

TEST(McpCli, AnMcpClientRunsABuggyScenarioAndReplaysItsTrace) {
  const std::string dir = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/mcp";
  if (std::system("command -v node >/dev/null 2>&1") != 0 ||
      !std::filesystem::exists(dir + "/node_modules/@modelcontextprotocol/sdk/package.json")) {
    GTEST_SKIP() << "node or the MCP SDK is missing (bash .ci/install-deps --test installs both "
                    "into tests/mcp)";
  }
  const std::string work = fresh_dir("mcp_session");
  // Paths in tool calls are relative to the server's directory, and stay in it.
  std::filesystem::copy_file(scenario("lost_update.lua"), work + "/lost_update.lua");
  const std::string out = temp_path("mcp_out.txt");
  const std::string cmd = "timeout 300 node " + shell_quote(dir + "/client.mjs") + " " +
                          shell_quote(LOCKSTEP_BIN) + " " +
                          shell_quote("lost_update.lua") + " " + shell_quote(work) +
                          " >" + shell_quote(out) + " 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string log = slurp(out);
  ASSERT_EQ(status, 0) << log;
  EXPECT_NE(
      log.find("tools: check_history dump_trace explain lint list_tests replay run shrink view"),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("bug: assertion at step 34, trace traces/lost_update."), std::string::npos)
      << log;
  EXPECT_NE(log.find("replay: reproduced: assertion in P0(root): lost update"), std::string::npos)
      << log;
  EXPECT_NE(log.find("MCP OK"), std::string::npos) << log;
  // The trace was written where the server runs (the session's directory).
  EXPECT_TRUE(std::filesystem::exists(work + "/traces")) << log;
}

}  // namespace
}  // namespace lockstep::testing

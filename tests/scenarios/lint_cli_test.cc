// `lockstep lint`: one scenario per check under tests/lint/, each flagged
// at the line its header names, and none on the example scenarios.
#include <gtest/gtest.h>

#include <regex>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

std::string fixture(const std::string& name) {
  return std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lint/" + name;
}

struct Case {
  const char* file;
  const char* check;
  int line;
};

// Processes started on nodes (spawn_on and its kin, ls.cluster.run) and
// the functions ls.rpc runs are processes too.
TEST(LintCli, ProcessesStartedOnNodesAreProcessesToo) {
  const auto r = run_lockstep({"lint", fixture("shared_local_on_node.lua"), "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  const auto& warnings = doc->get("warnings")->items;
  ASSERT_EQ(warnings.size(), 2u) << r.out;
  EXPECT_EQ(warnings[0].str("check"), "shared-local");
  EXPECT_EQ(warnings[0].u64("line"), 9u);
  EXPECT_EQ(warnings[1].u64("line"), 12u);
}

TEST(LintCli, EachCheckFlagsItsScenarioAtTheLine) {
  const Case cases[] = {
      {"shared_local.lua", "shared-local", 8}, {"shared_table.lua", "shared-local", 9},
      {"global_write.lua", "global-write", 7}, {"os_io.lua", "os-io", 5},
      {"coroutine.lua", "coroutine", 5},       {"impure_match.lua", "impure-match", 9},
      {"goal_name.lua", "goal-name", 9},       {"goal_outside_test.lua", "goal-outside-test", 7}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const auto r = run_lockstep({"lint", fixture(c.file), "--format", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto doc = parse_json(r.out);
    ASSERT_TRUE(doc.ok()) << r.out;
    const auto& warnings = doc->get("warnings")->items;
    ASSERT_EQ(warnings.size(), 1u) << r.out;
    EXPECT_EQ(warnings[0].str("check"), c.check);
    EXPECT_EQ(warnings[0].u64("line"), static_cast<uint64_t>(c.line));
    EXPECT_EQ(warnings[0].str("file"), fixture(c.file));
    // Text: file:line: warning: ... [check]; --strict makes a warning exit 1.
    const auto text = run_lockstep({"lint", "--strict", fixture(c.file)});
    EXPECT_EQ(text.code, 1);
    EXPECT_TRUE(std::regex_search(
        text.out, std::regex(std::string("^") + ".*" + c.file + ":" + std::to_string(c.line) +
                             ": warning: .* \\[" + c.check + "\\]\n$")))
        << text.out;
  }
}

TEST(LintCli, TheExampleScenariosAndTheCleanFixtureHaveNoWarning) {
  const auto r = run_lockstep({"lint", "--strict", scenario(""), fixture("clean.lua")});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(std::regex_search(r.err, std::regex("lockstep lint: \\d+ files, 0 warnings")))
      << r.err;
}

TEST(LintCli, BadInputIsOneErrorLine) {
  const std::string broken = write_file("broken_lint", "local x = \nlockstep.test(\n");
  const auto syntax = run_lockstep({"lint", broken});
  EXPECT_EQ(syntax.code, 3);
  EXPECT_TRUE(syntax.err.find("broken_lint.lua:") != std::string::npos) << syntax.err;
  const auto missing = run_lockstep({"lint", "/no/such/file.lua"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(lines(missing.err), 1u) << missing.err;
  EXPECT_EQ(run_lockstep({"lint"}).code, 2);
}

}  // namespace
}  // namespace lockstep::testing

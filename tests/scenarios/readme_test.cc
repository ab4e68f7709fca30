// The README's commands give the output the README shows.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

namespace fs = std::filesystem;
using namespace lockstep::testing;

std::string readme() { return slurp(std::string(LOCKSTEP_SOURCE_DIR) + "/README.md"); }

// The line of `text` that starts with `prefix` (after leading spaces), or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, prefix.size(), prefix) == 0) return line.substr(first);
    at = end + 1;
  }
  return "";
}

// Runs in a fresh directory holding the tutorial file and a link to scenarios/.
class Readme : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("readme");
    const std::string text = readme();
    const size_t save = text.find("Save this as `counter.lua`");
    ASSERT_NE(save, std::string::npos);
    const size_t code = text.find("```lua\n", save) + 7;
    std::ofstream(dir_ + "/counter.lua") << text.substr(code, text.find("```", code) - code);
    fs::create_directory_symlink(std::string(LOCKSTEP_SOURCE_DIR) + "/scenarios", dir_ + "/scenarios");
    ASSERT_EQ(::chdir(dir_.c_str()), 0);
  }
  std::string dir_;
};

TEST_F(Readme, TheTutorialFindsTheBugTheReadmeShows) {
  auto r = run_lockstep({"run", "counter.lua"});
  EXPECT_EQ(r.code, 1);
  const std::string doc = readme();
  for (const char* prefix : {"failure: ", "trace: ", "Schedule (", "lockstep replay --trace", "lockstep run counter.lua"}) {
    const std::string shown = line_starting(doc, prefix);
    ASSERT_FALSE(shown.empty()) << prefix;
    EXPECT_EQ(line_starting(r.out, prefix), shown) << prefix;
  }
}

TEST_F(Readme, TheReplayAndShrinkExampleGivesTheOutputShown) {
  const std::string doc = readme();
  auto run = run_lockstep({"run", "scenarios/noisy_race.lua"});
  EXPECT_EQ(run.code, 1);
  const std::string trace = line_starting(doc, "trace: traces/noisy_race");
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(line_starting(run.out, "trace: "), trace);
  const std::string path = trace.substr(std::string("trace: ").size());
  auto replay = run_lockstep({"replay", "--trace", path, "--run"});
  EXPECT_EQ(replay.code, 1);
  EXPECT_EQ(line_starting(replay.out, "reproduced: "), line_starting(doc, "reproduced: "));
  auto shrink = run_lockstep({"shrink", "--trace", path});
  EXPECT_EQ(shrink.code, 0);
  EXPECT_EQ(line_starting(shrink.out, "shrunk "), line_starting(doc, "shrunk "));
  EXPECT_EQ(line_starting(shrink.out, "stopped: "), line_starting(doc, "stopped: "));
  EXPECT_EQ(line_starting(shrink.out, "wrote "), line_starting(doc, "wrote "));
}

}  // namespace

namespace {

TEST_F(Readme, TheExhaustiveSearchExampleGivesTheOutputShown) {
  const std::string doc = readme();
  auto fixed = run_lockstep({"run", "scenarios/lost_update_fixed.lua", "--strategy", "dfs"});
  EXPECT_EQ(fixed.code, 0) << fixed.out << fixed.err;
  const std::string ok = line_starting(doc, "ok    two clients adding 1 each end at 2 (lost_update_fixed.lua)  dfs");
  ASSERT_FALSE(ok.empty());
  EXPECT_EQ(line_starting(fixed.out, "ok    "), ok);
  auto buggy = run_lockstep({"run", "scenarios/lost_update.lua", "--strategy", "dfs", "--traces-dir", dir_ + "/t"});
  EXPECT_EQ(buggy.code, 1);
  const std::string bug = line_starting(doc, "BUG   two clients adding 1 each end at 2 (lost_update.lua)  dfs");
  ASSERT_FALSE(bug.empty());
  EXPECT_EQ(line_starting(buggy.out, "BUG   "), bug);
}

}  // namespace

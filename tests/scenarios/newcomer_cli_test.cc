// What a new user trips over (wrong results): each has a test here.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

namespace fs = std::filesystem;
using namespace lockstep::testing;

TEST(Newcomer, TwoScenariosWithTheSameTestNameWriteTwoTraces) {
  const std::string a = write_file("same_a", "lockstep.test('t', function() error('from a') end)\n");
  const std::string b = write_file("same_b", "lockstep.test('t', function() error('from b') end)\n");
  const std::string dir = fresh_dir("same_traces");
  auto r = run_lockstep({"run", a, b, "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  std::vector<std::string> traces;
  for (const auto& e : fs::directory_iterator(dir)) traces.push_back(e.path().string());
  ASSERT_EQ(traces.size(), 2u) << r.out;
  for (const std::string& t : traces) {
    auto replay = run_lockstep({"replay", "--trace", t, "--run"});
    EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
    const bool is_a = t.find("same_a.t-iter0-seed1.lockstep") != std::string::npos;
    EXPECT_NE(replay.out.find(is_a ? "from a" : "from b"), std::string::npos) << t << replay.out;
  }
}

}  // namespace

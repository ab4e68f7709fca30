// --coverage through the real binary: what a run reached, the same with
// any --jobs, always in JSON.
#include <gtest/gtest.h>

#include <regex>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using namespace testing;

std::string coverage_json(const std::string& out) {
  const size_t at = out.find("\"coverage\":");
  if (at == std::string::npos) return "";
  return out.substr(at, out.find("\"growth\"", at) - at);
}

TEST(CoverageCli, TheTextSummarySaysWhatWasReachedAndWhetherItStillGrows) {
  auto r = run_lockstep({"run", scenario("message_race_fixed.lua"), "--coverage", "--iterations", "400"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("coverage after 400 iterations:"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\d+ reads-from pairs \(last new in iteration \d+\))"))) << r.out;
  EXPECT_NE(r.out.find("receive events (process x message shape)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("schedule classes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reads-from and receive coverage stopped growing after iteration"), std::string::npos)
      << r.out;
  auto plain = run_lockstep({"run", scenario("message_race_fixed.lua"), "--iterations", "40"});
  EXPECT_EQ(plain.out.find("coverage after"), std::string::npos);
}

// JSON carries coverage when asked (--coverage), and it does not depend on
// --jobs; without the flag it is not collected at all.
TEST(CoverageCli, JsonCarriesCoverageWhenAskedAndItDoesNotDependOnJobs) {
  for (const char* strategy : {"random", "pos", "pct"}) {
    auto one = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--format", "json", "--coverage",
                             "--strategy", strategy, "--iterations", "300", "--jobs", "1"});
    auto two = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--format", "json", "--coverage",
                             "--strategy", strategy, "--iterations", "300", "--jobs", "2"});
    ASSERT_EQ(one.code, 0) << one.out << one.err;
    const std::string c = coverage_json(one.out);
    ASSERT_FALSE(c.empty()) << one.out;
    EXPECT_NE(c.find("\"reads_from\":{\"count\":"), std::string::npos) << c;
    EXPECT_EQ(c, coverage_json(two.out)) << strategy;
    const size_t growth = one.out.find("\"growth\":[{\"iterations\":1,");
    EXPECT_NE(growth, std::string::npos) << one.out;
  }
  auto plain = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--format", "json", "--iterations", "30"});
  ASSERT_EQ(plain.code, 0) << plain.out << plain.err;
  EXPECT_EQ(plain.out.find("\"coverage\""), std::string::npos) << plain.out;
}

TEST(CoverageCli, ARunStoppedAtABugCountsTheIterationsUpToIt) {
  // Found at the same iteration with one job or two: the same coverage.
  auto one = run_lockstep({"run", scenario("raft_stale_read.lua"), "--format", "json", "--coverage", "--seed", "1",
                           "--traces-dir", fresh_dir("cov_bug1")});
  auto two = run_lockstep({"run", scenario("raft_stale_read.lua"), "--format", "json", "--coverage", "--seed", "1",
                           "--jobs", "2", "--traces-dir", fresh_dir("cov_bug2")});
  EXPECT_EQ(one.code, 1);
  EXPECT_EQ(two.code, 1);
  EXPECT_FALSE(coverage_json(one.out).empty());
  EXPECT_EQ(coverage_json(one.out), coverage_json(two.out));
}

}  // namespace
}  // namespace lockstep

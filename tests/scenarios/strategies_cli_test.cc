// The strategies as a user runs them: bugs found, twins pass, no starvation.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

using namespace lockstep::testing;

uint64_t number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  return at == std::string::npos ? UINT64_MAX : std::stoull(text.substr(at + key.size()));
}

TEST(Strategies, EveryStrategyFindsTheLostUpdateAndPassesItsTwins) {
  for (const char* s : {"random", "pct", "pos", "fair_pct", "idpct", "surw", "rff", "portfolio"}) {
    auto bug = run_lockstep({"run", scenario("lost_update.lua"), "--strategy", s, "--iterations", "500", "--format",
                             "json", "--traces-dir", fresh_dir(std::string("lu_") + s)});
    EXPECT_EQ(bug.code, 1) << s << bug.out;
    auto twins = run_lockstep({"run", scenario("lost_update_fixed.lua"), scenario("genserver_counter_fixed.lua"),
                               scenario("rate_limiter_fixed.lua"), scenario("mutual_call_fixed.lua"), "--strategy", s,
                               "--iterations", "1000", "--format", "json", "--traces-dir",
                               fresh_dir(std::string("tw_") + s)});
    EXPECT_EQ(twins.code, 0) << s << twins.out;
  }
}

TEST(Strategies, FairPctEndsSpinLoopsThatPctStarves) {
  // A waiter spins on an atomic until a setter (which PCT may rank below
  // it) sets it.
  const std::string f = write_file("spin_wait", R"(
local ls = lockstep
ls.test("the waiter sees the flag", { iterations = 100 }, function()
  local flag = ls.atomics.new(1)
  local root = ls.self()
  ls.spawn(function() while ls.atomics.get(flag, 1) == 0 do end ls.send(root, "seen") end)
  ls.spawn(function() ls.atomics.put(flag, 1, 1) end)
  ls.receive()
end)
)");
  // At depth 1 PCT never changes priorities: whenever the waiter outranks
  // the setter it spins to max_steps.
  auto pct = run_lockstep({"run", f, "--strategy", "pct", "--pct-depth", "1", "--max-steps", "2000", "--format",
                           "json"});
  auto fair = run_lockstep({"run", f, "--strategy", "fair_pct", "--pct-depth", "1", "--fair-after", "50",
                            "--max-steps", "2000", "--format", "json"});
  EXPECT_GT(number_after(pct.out, "\"max_steps_hits\":"), 10u) << pct.out;
  EXPECT_EQ(number_after(fair.out, "\"max_steps_hits\":"), 0u) << fair.out;
  EXPECT_EQ(fair.code, 0) << fair.out;
}

TEST(Strategies, NewStrategiesReplayShrinkAndReproduceByIteration) {
  for (const char* s : {"fair_pct", "idpct", "surw", "rff", "portfolio"}) {
    const std::string dir = fresh_dir(std::string("rs_") + s);
    auto r = run_lockstep({"run", scenario("noisy_race.lua"), "--strategy", s, "--iterations", "300",
                           "--traces-dir", dir, "--format", "json"});
    ASSERT_EQ(r.code, 1) << s << r.out;
    const uint64_t iteration = number_after(r.out, "\"iteration\":");
    const std::string trace = r.out.substr(r.out.find("\"trace\":\"") + 9);
    const std::string path = trace.substr(0, trace.find('"'));
    EXPECT_EQ(run_lockstep({"replay", "--trace", path, "--run"}).code, 1) << s;
    EXPECT_EQ(run_lockstep({"shrink", "--trace", path, "-q"}).code, 0) << s;
    auto again = run_lockstep({"run", scenario("noisy_race.lua"), "--strategy", s, "--iteration",
                               std::to_string(iteration), "--traces-dir", dir, "--format", "json"});
    EXPECT_EQ(again.code, 1) << s << again.out;
    auto jobs = run_lockstep({"run", scenario("noisy_race.lua"), "--strategy", s, "--iterations", "300", "--jobs",
                              "2", "--traces-dir", fresh_dir(std::string("rsj_") + s), "--format", "json"});
    EXPECT_EQ(number_after(jobs.out, "\"iteration\":"), iteration) << s;
  }
}

std::string bench(const std::string& name) { return std::string(LOCKSTEP_SOURCE_DIR) + "/bench/" + name; }

// The only file in `dir`.
std::string only_file(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) found = e.path().string();
  return found;
}

TEST(Strategies, LearnersGiveTheSameTraceWhateverJobsAndReproduceByIteration) {
  // Found after the first epoch (32 iterations), so what was learnt decides.
  for (const char* s : {"surw", "rff", "portfolio"}) {
    const std::string one = fresh_dir(std::string("l1_") + s), two = fresh_dir(std::string("l2_") + s),
                      again = fresh_dir(std::string("l3_") + s);
    auto a = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_20", "--strategy", s,
                           "--iterations", "20000", "--traces-dir", one, "--format", "json"});
    ASSERT_EQ(a.code, 1) << s << a.out << a.err;
    const uint64_t iteration = number_after(a.out, "\"iteration\":");
    EXPECT_GE(iteration, 32u) << s;
    auto b = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_20", "--strategy", s,
                           "--iterations", "20000", "--jobs", "2", "--traces-dir", two, "--format", "json"});
    EXPECT_EQ(number_after(b.out, "\"iteration\":"), iteration) << s;
    auto c = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_20", "--strategy", s,
                           "--iteration", std::to_string(iteration), "--traces-dir", again, "--format", "json"});
    EXPECT_EQ(c.code, 1) << s << c.out;
    ASSERT_FALSE(only_file(one).empty());
    EXPECT_EQ(slurp(only_file(one)), slurp(only_file(two))) << s << ": the trace depends on --jobs";
    EXPECT_EQ(slurp(only_file(one)), slurp(only_file(again))) << s << ": --iteration gives another trace";
  }
}

TEST(Strategies, ALearnerInAShardLearnsFromItsOwnIterations) {
  const std::string dir = fresh_dir("l_shard");
  auto a = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_10", "--strategy", "rff",
                         "--iterations", "20000", "--shard", "1/2", "--traces-dir", dir, "--format", "json"});
  ASSERT_EQ(a.code, 1) << a.out << a.err;
  const uint64_t iteration = number_after(a.out, "\"iteration\":");
  EXPECT_EQ(iteration % 2, 1u);
  auto again = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_10", "--strategy", "rff",
                             "--shard", "1/2", "--iteration", std::to_string(iteration), "--traces-dir",
                             fresh_dir("l_shard2"), "--format", "json"});
  EXPECT_EQ(again.code, 1) << again.out;
  auto outside = run_lockstep({"run", bench("sctbench/reorder.lua"), "--test", "reorder_10", "--strategy", "rff",
                               "--shard", "0/2", "--iteration", std::to_string(iteration)});
  EXPECT_EQ(outside.code, 2) << outside.out;
  EXPECT_NE(outside.err.find("is not in shard 0/2"), std::string::npos) << outside.err;
}

TEST(Strategies, SurwFindsALivenessBugAsAFairStrategy) {
  auto r = run_lockstep({"run", scenario("lost_request.lua"), "--strategy", "surw", "--format", "json",
                         "--traces-dir", fresh_dir("surw_lv")});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"liveness\""), std::string::npos) << r.out;
}

}  // namespace


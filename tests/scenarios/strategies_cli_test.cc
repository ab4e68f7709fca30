// The strategies as a user runs them: bugs found, twins pass, no starvation.
#include <gtest/gtest.h>

#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

using namespace lockstep::testing;

uint64_t number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  return at == std::string::npos ? UINT64_MAX : std::stoull(text.substr(at + key.size()));
}

TEST(Strategies, EveryStrategyFindsTheLostUpdateAndPassesItsTwins) {
  for (const char* s : {"random", "pct", "pos", "fair_pct", "idpct", "portfolio"}) {
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
  for (const char* s : {"fair_pct", "idpct", "portfolio"}) {
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

}  // namespace

// Liveness monitors (ls.liveness) through the real binary: found under a
// fair strategy, never claimed under an unfair one, hot at a settled end,
// replayed and shrunk.
#include <gtest/gtest.h>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using namespace testing;

TEST(LivenessCli, ALostRequestIsALivenessBugShowingTheStepsSinceItWasCold) {
  auto r = run_lockstep({"run", scenario("lost_request.lua"), "--seed", "1", "--traces-dir", fresh_dir("lv_text")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("failure: liveness: monitor \"the request is answered\" stayed hot for more than "
                       "liveness_steps (200) steps"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("the monitor was hot for the last 201 steps (cold last after step 3)"), std::string::npos)
      << r.out;
  // The slice keeps the server dropping the request (not in the root's own past).
  EXPECT_NE(r.out.find("receive     P1(server) <- P0(root)  {\"get\", P0}"), std::string::npos) << r.out;
  // The client's polling loop is folded.
  EXPECT_NE(r.out.find("... the 2 steps above again"), std::string::npos) << r.out;
}

TEST(LivenessCli, AnUnfairStrategyRunsToMaxStepsInsteadOfClaimingABug) {
  // PCT may starve the server on purpose, so a hot streak proves nothing:
  // the lost request shows as iterations cut off at max_steps.
  auto r = run_lockstep({"run", scenario("lost_request.lua"), "--strategy", "pct", "--iterations", "100",
                         "--format", "json", "--traces-dir", fresh_dir("lv_pct")});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("\"kind\":\"liveness\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"max_steps_hits\":0"), std::string::npos) << r.out;
}

TEST(LivenessCli, TheLivenessStepsOptionIsTheThreshold) {
  auto r = run_lockstep({"run", scenario("lost_request.lua"), "--liveness-steps", "50", "--seed", "1",
                         "--traces-dir", fresh_dir("lv_flag")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("stayed hot for more than liveness_steps (50) steps"), std::string::npos) << r.out;
  auto bad = run_lockstep({"run", scenario("lost_request.lua"), "--liveness-steps", "0"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("liveness_steps must be a positive integer"), std::string::npos) << bad.err;
}

TEST(LivenessCli, HotWhenTheRootEndsAndNothingCanRunIsABugUnderAnyStrategy) {
  const std::string f = write_file("lv_end", R"(
local ls = lockstep
ls.test("the job is picked up", { strategy = "pct", iterations = 5 }, function()
  local queued = ls.atomics.new(1)
  ls.liveness("queued job is taken", function() return ls.atomics.get(queued, 1) > 0 end)
  local worker = ls.spawn(function()
    local m = ls.receive()
    if m ~= "job" then ls.atomics.sub(queued, 1, 1) end -- the bug: only other messages count
  end)
  ls.atomics.add(queued, 1, 1)
  ls.send(worker, "job")
  ls.sleep(10)
end)
)");
  auto r = run_lockstep({"run", f, "--format", "json", "--traces-dir", fresh_dir("lv_end_t")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"kind\":\"liveness\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is hot at the end of the iteration"), std::string::npos) << r.out;
}

TEST(LivenessCli, AMonitorThatRaisesIsALivenessBugNamingIt) {
  const std::string f = write_file("lv_raise", R"(
local ls = lockstep
ls.test("raises", function()
  ls.liveness("broken", function() error("no such table") end)
  ls.sleep(1)
end)
)");
  auto r = run_lockstep({"run", f, "--traces-dir", fresh_dir("lv_raise_t")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("liveness: monitor \"broken\" raised: no such table"), std::string::npos) << r.out;
}

TEST(LivenessCli, AMonitorMayOnlyReadState) {
  const std::string f = write_file("lv_write", R"(
local ls = lockstep
ls.test("writes", function()
  local a = ls.atomics.new(1)
  ls.liveness("writer", function() ls.atomics.put(a, 1, 1); return false end)
  ls.sleep(1)
end)
)");
  auto r = run_lockstep({"run", f, "--traces-dir", fresh_dir("lv_write_t")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("monitor \"writer\" raised"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lockstep

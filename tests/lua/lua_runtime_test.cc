// Runs the assert-style Lua tests in tests/lua/ in-process, under every
// strategy: each of them must pass.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/report/report.h"
#include "engine/runner.h"
#include "lua/guest.h"

namespace lockstep {
namespace {

class Collect final : public Reporter {
 public:
  void load_error(const std::string& m) override { errors.push_back(m); }
  void bug_found(const TestReport& t, const Trace& trace) override {
    bugs.push_back(t.name + ": " + describe_failure(trace));
  }
  void test_finished(const TestReport&) override {}
  void run_finished(const RunSummary&) override {}
  std::vector<std::string> errors, bugs;
};

class LuaRuntime : public ::testing::TestWithParam<const char*> {};

TEST_P(LuaRuntime, EveryTestPasses) {
  RunConfig config;
  config.overrides["strategy"] = GetParam();
  // dfs: three schedules each (its bookkeeping is costly on the test with
  // thousands of processes).
  config.overrides["iterations"] = std::string(GetParam()) == "dfs" ? "3" : "30";
  config.traces_dir = ::testing::TempDir() + "lockstep_lua_runtime";
  Collect collect;
  RunSummary s = run_files({std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/runtime.lua",
                            std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/ets.lua",
                            std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/genserver.lua",
                            std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/otp.lua",
                            std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/checker.lua",
                            std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/cluster.lua"},
                           config, [](const std::string& p) { return lua::LuaProgram::load(p); }, collect);
  EXPECT_TRUE(collect.errors.empty()) << collect.errors.front();
  for (const auto& b : collect.bugs) ADD_FAILURE() << b;
  for (const auto& t : s.tests) {
    EXPECT_EQ(t.status, TestReport::Status::kPassed) << t.name << " " << t.error;
  }
  EXPECT_GE(s.tests.size(), 52u);
}

// dfs too: its runs observe which receives would take each message, and must
// behave as the runs that do not (a trace is recorded by one that does not).
INSTANTIATE_TEST_SUITE_P(Strategies, LuaRuntime, ::testing::Values("random", "pct", "pos", "dfs"));

TEST(LuaProgram, SameSeedSameDecisionsInOneProcess) {
  auto program = lua::LuaProgram::load(std::string(LOCKSTEP_SOURCE_DIR) + "/scenarios/lost_update.lua");
  ASSERT_TRUE(program.ok()) << program.status().message();
  RunOptions options;
  std::vector<std::vector<Decision>> runs;
  for (int i = 0; i < 2; ++i) {
    auto strategy = make_random_strategy({});
    strategy->begin_iteration(77, {});
    auto sys = (*program)->start(0, options);
    ASSERT_TRUE(sys.ok());
    std::vector<Decision> d;
    run_iteration(**sys, *strategy, {}, &d);
    runs.push_back(d);
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_GT(runs[0].size(), 20u);
}

// iter_timeout bounds an iteration's steps, not the search's work after
// them: a strategy whose end of iteration takes longer than the timeout
// and its grace (dfs's race analysis over thousands of processes) is not
// stopped by the watchdog, which would end the whole process.
TEST(LuaProgram, IterTimeoutDoesNotCoverTheStrategysWorkAfterTheSteps) {
  class Slow final : public Strategy {
   public:
    Slow() : inner_(make_random_strategy({})) {}
    bool begin_iteration(uint64_t seed, const IterationHint& hint) override { return inner_->begin_iteration(seed, hint); }
    size_t pick(std::span<const Op> enabled) override { return inner_->pick(enabled); }
    uint64_t choose(uint64_t n) override { return inner_->choose(n); }
    void end_iteration(const IterationResult& result) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(1400));  // past 100 ms and the 1 s grace
      outcome = result.outcome;
    }
    Outcome outcome = Outcome::kAbandoned;

   private:
    std::unique_ptr<Strategy> inner_;
  };
  auto program = lua::LuaProgram::load(std::string(LOCKSTEP_SOURCE_DIR) + "/scenarios/lost_update_fixed.lua");
  ASSERT_TRUE(program.ok()) << program.status().message();
  RunOptions options;
  options.iter_timeout_ms = 100;
  Slow strategy;
  strategy.begin_iteration(1, {});
  auto sys = (*program)->start(0, options);
  ASSERT_TRUE(sys.ok());
  std::vector<Decision> decisions;
  run_iteration(**sys, strategy, {}, &decisions);
  EXPECT_EQ(strategy.outcome, Outcome::kPassed);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watchdog's tick, had it still watched
}

}  // namespace
}  // namespace lockstep

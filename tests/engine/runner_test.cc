// The runner with a fake program: samplers and searches, what each reports.
#include "engine/runner.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "engine/report/report.h"
#include "tests/engine/fake_program.h"

namespace lockstep {
namespace {

using testing::FakeProgram;
using testing::FakeStep;
using testing::FakeSystem;

// A plain depth-first search over every interleaving (no reduction): the
// smallest stateful strategy, to exercise the search contract.
class EnumerateAll final : public Strategy, public Search {
 public:
  Search* search() override { return this; }

  bool begin_iteration(uint64_t, const IterationHint&) override {
    depth_ = 0;
    if (!started_) {
      started_ = true;
      return true;
    }
    while (!stack_.empty() && stack_.back().first + 1 >= stack_.back().second) stack_.pop_back();
    if (stack_.empty()) return false;
    ++stack_.back().first;
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    if (depth_ == stack_.size()) stack_.emplace_back(0, enabled.size());
    return stack_[depth_++].first;
  }

  uint64_t choose(uint64_t) override { return 0; }

  void end_iteration(const IterationResult& r) override { ++ended_; }

  static int ended_;

 private:
  std::vector<std::pair<size_t, size_t>> stack_;  // (choice, options) per scheduling point
  size_t depth_ = 0;
  bool started_ = false;
};
int EnumerateAll::ended_ = 0;

// A search that abandons every other execution at its first step.
class AbandonOdd final : public Strategy, public Search {
 public:
  Search* search() override { return this; }
  bool begin_iteration(uint64_t, const IterationHint& hint) override {
    odd_ = (n_++ % 2) == 1;
    return n_ <= 6;
  }
  size_t pick(std::span<const Op>) override { return odd_ ? kAbandon : 0; }
  uint64_t choose(uint64_t) override { return 0; }

 private:
  uint64_t n_ = 0;
  bool odd_ = false;
};

const std::array<StrategyInfo, 3> kTable = {{
    {"all", "every interleaving", [](const StrategyParams&) { return std::make_unique<EnumerateAll>(); }},
    {"abandon", "abandons odd iterations", [](const StrategyParams&) { return std::make_unique<AbandonOdd>(); }},
    {"random", "random", make_random_strategy},
}};

struct RunOutput {
  RunSummary summary;
  std::string out;
};

RunOutput run(FakeProgram& program, RunConfig config, std::span<const StrategyInfo> table = kTable) {
  config.strategy_table = table;
  config.traces_dir = ::testing::TempDir() + "runner_test_traces";
  std::ostringstream out, err;
  TextReporter reporter(out, err, {});
  // run_files loads by path; hand it the one fake program.
  bool loaded = false;
  ProgramLoader once = [&](const std::string&) -> Result<std::unique_ptr<Program>> {
    if (loaded) return Status::InvalidArgument("loaded twice");
    loaded = true;
    struct Borrowed final : Program {
      explicit Borrowed(Program& p) : p_(p) {}
      const std::string& path() const override { return p_.path(); }
      uint64_t source_hash() const override { return p_.source_hash(); }
      const std::vector<TestCase>& tests() const override { return p_.tests(); }
      Result<System*> start(size_t i, const RunOptions& o) override { return p_.start(i, o); }
      Program& p_;
    };
    return std::unique_ptr<Program>(std::make_unique<Borrowed>(program));
  };
  RunOutput r;
  r.summary = run_files({"fake.lua"}, config, once, reporter);
  r.out = out.str();
  return r;
}

std::vector<std::vector<FakeStep>> two_by_two() {
  return {std::vector<FakeStep>(2), std::vector<FakeStep>(2)};
}

TEST(Runner, ASearchRunsUntilItHasExploredEverything) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "all";
  config.overrides["iterations"] = "100";
  EnumerateAll::ended_ = 0;
  RunOutput r = run(program, config);
  ASSERT_EQ(r.summary.tests.size(), 1u);
  const TestReport& t = r.summary.tests[0];
  EXPECT_EQ(t.status, TestReport::Status::kPassed) << t.error;
  EXPECT_TRUE(t.search);
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.schedules_explored, 6u);  // C(4, 2) interleavings of 2 + 2 steps
  EXPECT_EQ(t.iterations_run, 6u);
  EXPECT_EQ(EnumerateAll::ended_, 6);  // told how every iteration ended
  EXPECT_NE(r.out.find("explored all 6 schedules"), std::string::npos) << r.out;
}

// dfs --dpor none checks, on every run, that the steps the reduction takes
// as independent commute. P1 reads an object only when no step touched it
// before (a footprint that depends on order); P2 writes it. After P2, P1
// reads nothing, so the two look independent; swapped, they race.
std::vector<std::vector<FakeStep>> order_dependent_footprint(bool wrong) {
  FakeStep read{StepKind::kAtomicsGet, object::atomic(1, 0), false};
  read.only_first = wrong;
  return {{FakeStep{StepKind::kAtomicsPut, object::atomic(1, 1), true}}, {read},
          {FakeStep{StepKind::kAtomicsPut, object::atomic(1, 0), true}}};
}

TEST(Runner, EveryInterleavingChecksThatIndependentStepsCommute) {
  RunConfig config;
  config.overrides["strategy"] = "dfs";
  config.overrides["dpor"] = "none";
  config.overrides["iterations"] = "1000";
  FakeProgram sound(order_dependent_footprint(false), nullptr);
  const TestReport ok = run(sound, config, strategies()).summary.tests.at(0);
  EXPECT_EQ(ok.status, TestReport::Status::kPassed) << ok.error;
  EXPECT_TRUE(ok.complete);
  EXPECT_EQ(ok.schedules_explored, 2u);  // the read before the write, or after

  FakeProgram wrong(order_dependent_footprint(true), nullptr);
  RunOutput r = run(wrong, config, strategies());
  const TestReport& t = r.summary.tests.at(0);
  EXPECT_EQ(t.status, TestReport::Status::kError);
  EXPECT_EQ(t.error_code, Status::Code::kInternal);
  EXPECT_EQ(t.error.rfind("internal error: dfs --dpor none: steps ", 0), 0u) << t.error;
  EXPECT_NE(t.error.find("(P2 atomics.put) and "), std::string::npos) << t.error;
  EXPECT_NE(t.error.find("(P1 atomics.get) of run "), std::string::npos) << t.error;
  EXPECT_NE(t.error.find("were taken as independent, but swapped they lead to another class"), std::string::npos)
      << t.error;
  EXPECT_FALSE(t.complete);  // it stopped there

  // The reduction itself does not check (it runs one schedule per class).
  config.overrides["dpor"] = "optimal";
  FakeProgram optimal(order_dependent_footprint(true), nullptr);
  EXPECT_EQ(run(optimal, config, strategies()).summary.tests.at(0).status, TestReport::Status::kPassed);
}

TEST(Runner, ASearchCutShortByTheBudgetIsNotComplete) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "all";
  config.overrides["iterations"] = "4";
  RunOutput r = run(program, config);
  const TestReport& t = r.summary.tests[0];
  EXPECT_FALSE(t.complete);
  EXPECT_EQ(t.schedules_explored, 4u);
  EXPECT_NE(r.out.find("explored 4 schedules (bounded by 4 iterations)"), std::string::npos) << r.out;
}

TEST(Runner, ASearchThatExhaustsExactlyAtTheBudgetIsComplete) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "all";
  config.overrides["iterations"] = "6";
  EXPECT_TRUE(run(program, config).summary.tests[0].complete);
}

TEST(Runner, ASearchFindsTheOneFailingInterleavingAndRunsOnOneThreadWhateverJobs) {
  // Fails only when process 1 runs both of its steps before process 0 runs.
  auto fails = [](const std::vector<uint32_t>& order) {
    return order.size() >= 2 && order[0] == 1 && order[1] == 1;
  };
  for (unsigned jobs : {1u, 2u}) {
    FakeProgram program(two_by_two(), fails);
    RunConfig config;
    config.overrides["strategy"] = "all";
    config.jobs = jobs;
    RunOutput r = run(program, config);
    const TestReport& t = r.summary.tests[0];
    ASSERT_EQ(t.status, TestReport::Status::kBug) << jobs;
    EXPECT_EQ(t.bug->iteration, 5u);  // the last of the 6 in depth-first order
    EXPECT_FALSE(t.complete);
  }
}

TEST(Runner, ASearchCannotBeSharded) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "all";
  config.shard_index = 0;
  config.shard_count = 2;
  RunOutput r = run(program, config);
  EXPECT_EQ(r.summary.tests[0].status, TestReport::Status::kError);
  EXPECT_NE(r.summary.tests[0].error.find("cannot be sharded"), std::string::npos);
}

TEST(Runner, AbandonedExecutionsAreCountedApart) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "abandon";
  RunOutput r = run(program, config);
  const TestReport& t = r.summary.tests[0];
  EXPECT_EQ(t.status, TestReport::Status::kPassed);
  EXPECT_EQ(t.schedules_explored, 3u);
  EXPECT_EQ(t.abandoned, 3u);
  EXPECT_TRUE(t.complete);
}

TEST(Runner, ASamplerRunsItsIterationBudget) {
  FakeProgram program(two_by_two(), nullptr);
  RunConfig config;
  config.overrides["strategy"] = "random";
  config.overrides["iterations"] = "40";
  RunOutput r = run(program, config);
  const TestReport& t = r.summary.tests[0];
  EXPECT_FALSE(t.search);
  EXPECT_EQ(t.iterations_run, 40u);
  EXPECT_EQ(r.out.find("explored"), std::string::npos);
}

}  // namespace
}  // namespace lockstep

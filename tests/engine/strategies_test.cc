// Strategies on a fake system: the properties each one promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/base/prng.h"
#include "engine/scheduler.h"
#include "engine/strategy.h"
#include "tests/engine/fake_system.h"

namespace lockstep {
namespace {

using testing::FakeStep;
using testing::FakeSystem;

std::vector<std::vector<FakeStep>> two_by(int steps) {
  return {std::vector<FakeStep>(steps), std::vector<FakeStep>(steps)};
}

std::vector<uint32_t> run_once(Strategy& s, std::vector<std::vector<FakeStep>> procs, uint64_t seed,
                               IterationHint hint = {}) {
  FakeSystem sys(std::move(procs));
  s.begin_iteration(seed, hint);
  run_iteration(sys, s, {}, nullptr);
  return sys.order_;
}

size_t context_switches(const std::vector<uint32_t>& order) {
  size_t n = 0;
  for (size_t i = 1; i < order.size(); ++i) n += order[i] != order[i - 1];
  return n;
}

TEST(StrategyTable, NamesEveryStrategyOnce) {
  std::set<std::string_view> names;
  for (const auto& s : strategies()) EXPECT_TRUE(names.insert(s.name).second);
  EXPECT_TRUE(names.count("random") && names.count("pct") && names.count("pos"));
  EXPECT_EQ(find_strategy("nope"), nullptr);
}

TEST(RandomStrategy, SameSeedSameSchedule) {
  auto a = make_random_strategy({});
  auto b = make_random_strategy({});
  EXPECT_EQ(run_once(*a, two_by(10), 5), run_once(*b, two_by(10), 5));
}

TEST(RandomStrategy, ExploresManyInterleavings) {
  auto s = make_random_strategy({});
  std::set<std::vector<uint32_t>> seen;
  for (uint64_t seed = 0; seed < 200; ++seed) seen.insert(run_once(*s, two_by(3), seed));
  EXPECT_EQ(seen.size(), 20u);  // C(6,3): every interleaving of 3 + 3 steps
}

TEST(PctStrategy, FirstIterationHasNoChangePoints) {
  auto s = make_pct_strategy({{"pct_depth", 3}});
  for (uint64_t seed = 0; seed < 50; ++seed) {
    // Without change points the top-priority process runs to completion.
    EXPECT_EQ(context_switches(run_once(*s, two_by(5), seed)), 1u);
  }
}

TEST(PctStrategy, ChangePointsPreemptTheLeader) {
  auto s = make_pct_strategy({{"pct_depth", 2}});
  size_t preempted = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto order = run_once(*s, two_by(5), seed, {1, 9});
    EXPECT_LE(context_switches(order), 2u);  // depth 2: at most one change point
    preempted += context_switches(order) == 2;
  }
  EXPECT_GT(preempted, 40u);
}

TEST(PctStrategy, FindsADepthTwoBugWithTheGuaranteedProbability) {
  // Bug: process 1 runs between process 0's first and last steps.
  auto fails = [](const std::vector<uint32_t>& order) {
    return order.size() == 8 && order.front() == 0 && order.back() == 0;
  };
  auto s = make_pct_strategy({{"pct_depth", 2}});
  int found = 0;
  const int runs = 400;
  for (int seed = 0; seed < runs; ++seed) {
    FakeSystem sys(two_by(4));
    sys.fails_ = fails;
    s->begin_iteration(seed, {1, 7});
    if (run_iteration(sys, *s, {}, nullptr).outcome == Outcome::kFailed) ++found;
  }
  // PCT's bound for n = 2 processes, k = 8 steps, d = 2: 1 / (n * k^(d-1)) = 1/16.
  EXPECT_GT(found, runs / 16);
}

TEST(PctStrategy, SameSeedSameSchedule) {
  auto a = make_pct_strategy({{"pct_depth", 3}});
  auto b = make_pct_strategy({{"pct_depth", 3}});
  EXPECT_EQ(run_once(*a, two_by(8), 9, {1, 15}), run_once(*b, two_by(8), 9, {1, 15}));
}

TEST(PosStrategy, ExploresBothOrdersOfRacingOperations) {
  // Two single-step processes writing the same object: both orders matter.
  std::vector<std::vector<FakeStep>> procs = {{{StepKind::kSend, 7, true}}, {{StepKind::kSend, 7, true}}};
  auto s = make_pos_strategy({});
  std::map<uint32_t, int> first;
  for (uint64_t seed = 0; seed < 400; ++seed) ++first[run_once(*s, procs, seed)[0]];
  EXPECT_NEAR(first[0], 200, 50);
  EXPECT_NEAR(first[1], 200, 50);
}

TEST(PosStrategy, ResamplesPrioritiesOfEventsThatRace) {
  // Process 0 sends twice to object 1; process 1 reads object 1 once. After
  // process 0's first send, process 1's pending event races with it and is
  // re-sampled, so it runs between the sends far more often than never.
  std::vector<std::vector<FakeStep>> procs = {
      {{StepKind::kSend, 1, true}, {StepKind::kSend, 1, true}},
      {{StepKind::kReceive, 1, false}},
  };
  auto s = make_pos_strategy({});
  int middle = 0;
  for (uint64_t seed = 0; seed < 600; ++seed) {
    auto order = run_once(*s, procs, seed);
    middle += order == std::vector<uint32_t>{0, 1, 0};
  }
  EXPECT_GT(middle, 100);
}

TEST(FairPctStrategy, NoProcessStarvesPastTheFairBound) {
  // P0 spins for 1,000 steps; P1 has one step. PCT without change points
  // runs the higher-priority process to its end, so P1 often waits 1,000
  // steps; fair_pct turns uniformly random after 10 scheduling points.
  std::vector<std::vector<FakeStep>> procs = {std::vector<FakeStep>(1000), std::vector<FakeStep>(1)};
  auto pct = make_pct_strategy({{"pct_depth", 3}});
  auto fair = make_fair_pct_strategy({{"pct_depth", 3}, {"fair_after", 10}});
  size_t pct_starved = 0, fair_worst = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto where = [](const std::vector<uint32_t>& order) {
      return static_cast<size_t>(std::find(order.begin(), order.end(), 1u) - order.begin());
    };
    pct_starved += where(run_once(*pct, procs, seed)) >= 1000;
    fair_worst = std::max(fair_worst, where(run_once(*fair, procs, seed)));
  }
  EXPECT_GT(pct_starved, 20u);
  EXPECT_LT(fair_worst, 60u);
}

TEST(FairPctStrategy, BeforeTheBoundItIsPct) {
  auto pct = make_pct_strategy({{"pct_depth", 2}});
  auto fair = make_fair_pct_strategy({{"pct_depth", 2}, {"fair_after", 1000}});
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const IterationHint hint{3, 10};
    EXPECT_EQ(run_once(*pct, two_by(5), seed, hint), run_once(*fair, two_by(5), seed, hint));
  }
}

TEST(IdPctStrategy, CyclesTheDepthOverIterations) {
  auto id = make_idpct_strategy({{"max_depth", 3}});
  auto depth1 = make_pct_strategy({{"pct_depth", 1}});
  auto depth3 = make_pct_strategy({{"pct_depth", 3}});
  for (uint64_t seed = 0; seed < 30; ++seed) {
    for (uint64_t i : {0u, 3u, 6u}) {  // depth 1: exactly PCT at depth 1
      const IterationHint hint{i, 9};
      EXPECT_EQ(run_once(*id, two_by(5), seed, hint), run_once(*depth1, two_by(5), seed, hint));
    }
    const IterationHint third{2, 9};  // depth 3
    EXPECT_EQ(run_once(*id, two_by(5), seed, third), run_once(*depth3, two_by(5), seed, third));
  }
}

TEST(PortfolioStrategy, RotatesItsMembersOverIterations) {
  auto portfolio = make_portfolio_strategy({});
  auto surw = make_surw_strategy({});
  auto pct3 = make_pct_strategy({{"pct_depth", 3}});
  auto pos = make_pos_strategy({});
  for (uint64_t seed = 0; seed < 20; ++seed) {
    // Iterations 7 and 9 are the second turn of pct and pos (their own iteration 1).
    EXPECT_EQ(run_once(*portfolio, two_by(6), seed, {7, 9}), run_once(*pct3, two_by(6), seed, {1, 9}));
    EXPECT_EQ(run_once(*portfolio, two_by(6), seed, {9, 9}), run_once(*pos, two_by(6), seed, {1, 9}));
    EXPECT_EQ(run_once(*portfolio, two_by(6), seed, {0, 9}), run_once(*surw, two_by(6), seed, {0, 9}));
  }
  EXPECT_NE(portfolio->learner(), nullptr);
}

// Runs `epochs` epochs of a learner as the runner does: kLearnEpoch
// iterations, then their lessons in order. Returns the first iteration for
// which `fails` holds on the run's order (or -1).
int64_t learn_until(Strategy& s, const std::vector<std::vector<FakeStep>>& procs, const std::vector<size_t>& gates,
                    const std::function<bool(const std::vector<uint32_t>&)>& fails, uint64_t seed, int epochs) {
  for (int e = 0; e < epochs; ++e) {
    std::vector<std::unique_ptr<Learner::Lesson>> lessons;
    for (uint64_t k = 0; k < kLearnEpoch; ++k) {
      const uint64_t i = e * kLearnEpoch + k;
      FakeSystem sys(procs, gates);
      s.begin_iteration(derive_seed(seed, i), {i, 0});
      run_iteration(sys, s, {}, nullptr);
      if (fails(sys.order_)) return static_cast<int64_t>(i);
      lessons.push_back(s.learner() ? s.learner()->lesson() : nullptr);  // a sampler learns nothing
    }
    for (auto& l : lessons) {
      if (l) s.learner()->learn(*l);
    }
  }
  return -1;
}

FakeStep touch(uint64_t key, bool writes = true) { return {StepKind::kEtsInsert, object::table_key(1, key), writes}; }

TEST(SurwStrategy, WeighsProcessesByTheEventsTheyHaveLeft) {
  // A 1-event process and a 20-event one: a uniform interleaving puts the
  // short one first with probability 1/21; a random walk, 1/2.
  std::vector<std::vector<FakeStep>> procs = {{touch(1)}, std::vector<FakeStep>(20, touch(2))};
  auto surw = make_surw_strategy({});
  auto short_first = [&](int runs, uint64_t from) {
    int n = 0;
    for (int k = 0; k < runs; ++k) n += run_once(*surw, procs, from + k)[0] == 0;
    return n;
  };
  EXPECT_GT(short_first(400, 0), 150);  // nothing learnt: a random walk
  for (int k = 0; k < 8; ++k) {
    FakeSystem sys(procs);
    surw->begin_iteration(k, {});
    run_iteration(sys, *surw, {}, nullptr);
    surw->learner()->learn(*surw->learner()->lesson());
  }
  EXPECT_LT(short_first(400, 1000), 50);  // about 400/21
}

TEST(SurwStrategy, SameSeedAndLessonsSameSchedule) {
  std::vector<std::vector<FakeStep>> procs = {std::vector<FakeStep>(3, touch(1)), std::vector<FakeStep>(9, touch(2))};
  auto a = make_surw_strategy({}), b = make_surw_strategy({});
  for (auto* s : {a.get(), b.get()}) {
    FakeSystem sys(procs);
    s->begin_iteration(7, {});
    run_iteration(sys, *s, {}, nullptr);
    s->learner()->learn(*s->learner()->lesson());
  }
  for (uint64_t seed = 0; seed < 20; ++seed) EXPECT_EQ(run_once(*a, procs, seed), run_once(*b, procs, seed));
}

// reorder_N on the fake system: P0 starts the others one by one (a step
// each); setters write a then b; the checker, started last, reads a then b
// and fails on a mixed pair.
struct Reorder {
  std::vector<std::vector<FakeStep>> procs;
  std::vector<size_t> gates;
  uint32_t checker;
};
Reorder reorder(uint32_t setters) {
  Reorder r;
  r.checker = setters + 1;
  r.procs.push_back({});
  r.gates.push_back(0);
  for (uint32_t k = 1; k <= setters + 1; ++k) {
    r.procs[0].push_back(touch(100 + k));  // "spawn" process k
    r.gates.push_back(k);
    r.procs.push_back(k == r.checker ? std::vector<FakeStep>{touch(1, false), touch(2, false)}
                                     : std::vector<FakeStep>{touch(1), touch(2)});
  }
  return r;
}
bool reorder_fails(const std::vector<uint32_t>& order, uint32_t checker) {
  std::vector<int> done(checker + 1, 0);
  bool a = false, b = false, saw_a = false;
  for (uint32_t p : order) {
    ++done[p];
    if (p == 0) continue;
    if (p == checker && done[p] == 1) saw_a = a;
    if (p == checker && done[p] == 2) return saw_a != b;
    if (p != checker) (done[p] == 1 ? a : b) = true;
  }
  return false;
}

TEST(RffStrategy, CombinesReadsFromPairsToReachARareOrder) {
  const Reorder r = reorder(20);
  auto fails = [&](const std::vector<uint32_t>& o) { return reorder_fails(o, r.checker); };
  std::vector<int64_t> rff_at, pos_at;
  for (uint64_t seed = 1; seed <= 7; ++seed) {
    auto rff = make_rff_strategy({});
    auto pos = make_pos_strategy({});
    rff_at.push_back(learn_until(*rff, r.procs, r.gates, fails, seed, 60));
    pos_at.push_back(learn_until(*pos, r.procs, r.gates, fails, seed, 60));
  }
  auto median = [](std::vector<int64_t> v) {
    for (auto& x : v) if (x < 0) x = INT64_MAX;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  EXPECT_LT(median(rff_at), 60 * static_cast<int64_t>(kLearnEpoch)) << "rff did not find it";
  EXPECT_LT(median(rff_at) * 2, median(pos_at)) << "rff " << median(rff_at) << " pos " << median(pos_at);
}

TEST(RffStrategy, IsPosUntilItHasLearnt) {
  const Reorder r = reorder(5);
  auto rff = make_rff_strategy({});
  auto pos = make_pos_strategy({});
  for (uint64_t seed = 0; seed < 10; ++seed) {
    FakeSystem a(r.procs, r.gates), b(r.procs, r.gates);
    rff->begin_iteration(seed, {});
    pos->begin_iteration(seed, {});
    run_iteration(a, *rff, {}, nullptr);
    run_iteration(b, *pos, {}, nullptr);
    EXPECT_EQ(a.order_, b.order_);
  }
}

TEST(ReplayStrategy, FollowsRecordedDecisions) {
  auto random = make_random_strategy({});
  std::vector<Decision> decisions;
  FakeSystem sys(two_by(4));
  sys.choose_per_step_ = 5;
  random->begin_iteration(11, {});
  run_iteration(sys, *random, {}, &decisions);

  auto replay = make_replay_strategy(decisions);
  FakeSystem again(two_by(4));
  again.choose_per_step_ = 5;
  replay->begin_iteration(0, {});
  auto r = run_iteration(again, *replay, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed);
  EXPECT_EQ(again.order_, sys.order_);
  EXPECT_EQ(again.chosen_, sys.chosen_);
}

TEST(ReplayStrategy, ReportsDivergenceAtTheStepWhereItHappens) {
  std::vector<Decision> decisions = {
      {DecisionKind::kSchedule, StepKind::kSend, 0},
      {DecisionKind::kSchedule, StepKind::kSend, 0},
      {DecisionKind::kSchedule, StepKind::kSend, 2},  // there is no process 2
  };
  auto replay = make_replay_strategy(decisions);
  FakeSystem sys(two_by(3));
  replay->begin_iteration(0, {});
  auto r = run_iteration(sys, *replay, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kAbandoned);
  ASSERT_TRUE(replay->divergence());
  const std::string divergence = replay->divergence()->message();
  EXPECT_NE(divergence.find("step 3"), std::string::npos) << divergence;
  EXPECT_NE(divergence.find("P2 (send)"), std::string::npos) << divergence;
  EXPECT_EQ(sys.order_.size(), 2u);
}

TEST(ReplayStrategy, ReportsAKindMismatch) {
  std::vector<Decision> decisions = {{DecisionKind::kSchedule, StepKind::kReceive, 0}};
  auto replay = make_replay_strategy(decisions);
  FakeSystem sys(two_by(1));
  replay->begin_iteration(0, {});
  auto r = run_iteration(sys, *replay, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kAbandoned);
  ASSERT_TRUE(replay->divergence());
  EXPECT_NE(replay->divergence()->what.find("expected P0 (receive), found P0 (send)"), std::string::npos)
      << replay->divergence()->message();
}

TEST(ReplayStrategy, ContinuesWithAnotherStrategyPastTheRecording) {
  std::vector<Decision> decisions = {{DecisionKind::kSchedule, StepKind::kSend, 1}};
  auto replay = make_replay_strategy(decisions, make_random_strategy({}));
  FakeSystem sys(two_by(2));
  replay->begin_iteration(3, {});
  auto r = run_iteration(sys, *replay, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed);
  EXPECT_EQ(sys.order_.front(), 1u);
  EXPECT_EQ(sys.order_.size(), 4u);
}

TEST(LenientReplay, SkipsWhatDoesNotFitThenKeepsTheLastProcessRunning) {
  // P1 first; a decision for P5 (no such process) is skipped; then P1
  // keeps running until it is done, then P0.
  std::vector<Decision> decisions = {{DecisionKind::kSchedule, StepKind::kSend, 1},
                                     {DecisionKind::kSchedule, StepKind::kSend, 5}};
  auto lenient = make_lenient_replay_strategy(decisions);
  FakeSystem sys(two_by(3));
  lenient->begin_iteration(0, {});
  auto r = run_iteration(sys, *lenient, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed);
  EXPECT_EQ(sys.order_, (std::vector<uint32_t>{1, 1, 1, 0, 0, 0}));
}

TEST(LenientReplay, ADelayTailHoldsOneProcessBackWhileAnotherCanRun) {
  // After the prefix (P0 once), P0 is held back: P1 runs to its end first.
  std::vector<Decision> decisions = {{DecisionKind::kSchedule, StepKind::kSend, 0}};
  auto delay = make_lenient_replay_strategy(decisions, {ReplayTail::Kind::kDelay, 0});
  FakeSystem sys(two_by(3));
  delay->begin_iteration(0, {});
  auto r = run_iteration(sys, *delay, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed);
  EXPECT_EQ(sys.order_, (std::vector<uint32_t>{0, 1, 1, 1, 0, 0}));
}

TEST(Scheduler, ReportsDeadlockWhenNothingCanRun) {
  FakeSystem sys(two_by(1));
  sys.deadlock_when_done_ = true;
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, {}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failure.kind, FailureKind::kDeadlock);
  EXPECT_EQ(r.failure.step, 2u);
}

TEST(Scheduler, CutsOffAtMaxSteps) {
  FakeSystem sys(two_by(50));
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, {10, false}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kMaxSteps);
  EXPECT_EQ(r.steps, 10u);
}

TEST(Scheduler, MaxStepsIsABugWhenAsked) {
  FakeSystem sys(two_by(50));
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, {10, true}, nullptr);
  EXPECT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failure.kind, FailureKind::kMaxSteps);
}

IterationLimits liveness_limits(uint64_t steps, std::optional<uint64_t> fair_after) {
  IterationLimits limits;
  limits.liveness_steps = steps;
  limits.fair_after = fair_after;
  return limits;
}

TEST(Scheduler, AMonitorHotTooLongUnderAFairStrategyIsALivenessBug) {
  FakeSystem sys(two_by(50));
  sys.hot_ = [](const std::vector<uint32_t>& order) { return order.size() >= 5; };  // cold for 4 steps
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, liveness_limits(10, 0), nullptr);
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failure.kind, FailureKind::kLiveness);
  EXPECT_EQ(r.failure.step, 15u);  // last cold after step 4; hot 11 > 10 steps at step 15
  EXPECT_NE(r.failure.message.find("stayed hot for more than liveness_steps (10)"), std::string::npos);
  EXPECT_NE(r.failure.details.find("hot for the last 11 steps (cold last after step 4)"), std::string::npos)
      << r.failure.details;
}

TEST(Scheduler, AMonitorThatCoolsInTimeIsNoBug) {
  FakeSystem sys(two_by(50));
  sys.hot_ = [](const std::vector<uint32_t>& order) { return order.size() % 8 != 0 && order.size() < 100; };
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, liveness_limits(10, 0), nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed) << r.failure.message;
}

TEST(Scheduler, AnUnfairStrategyNeverCountsAStreak) {
  // PCT may starve a process on purpose: a long hot streak proves nothing.
  FakeSystem sys(two_by(50));
  sys.hot_ = [](const std::vector<uint32_t>& order) { return order.size() < 100; };  // cold at the end
  auto s = make_pct_strategy({{"pct_depth", 3}});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, liveness_limits(10, std::nullopt), nullptr);
  EXPECT_EQ(r.outcome, Outcome::kPassed) << r.failure.message;
}

TEST(Scheduler, AStreakCountsFromWhereTheStrategyTurnsFair) {
  FakeSystem sys(two_by(50));
  sys.hot_ = [](const std::vector<uint32_t>&) { return true; };
  auto s = make_random_strategy({});
  s->begin_iteration(1, {});
  // Fair after 20 scheduling points (every step has two choices here).
  auto r = run_iteration(sys, *s, liveness_limits(10, 20), nullptr);
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failure.kind, FailureKind::kLiveness);
  EXPECT_EQ(r.failure.step, 31u);  // fair from step 21 on: 11 hot steps end at step 31
}

TEST(Scheduler, AMonitorHotWhenTheRunSettlesIsALivenessBugUnderAnyStrategy) {
  FakeSystem sys(two_by(3));
  sys.hot_ = [](const std::vector<uint32_t>&) { return true; };
  auto s = make_pct_strategy({{"pct_depth", 3}});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, liveness_limits(1000, std::nullopt), nullptr);
  ASSERT_EQ(r.outcome, Outcome::kFailed);
  EXPECT_EQ(r.failure.kind, FailureKind::kLiveness);
  EXPECT_EQ(r.failure.step, 6u);
  EXPECT_NE(r.failure.message.find("is hot at the end of the iteration"), std::string::npos);
}

TEST(Scheduler, FairnessComesFromTheStrategyTable) {
  const RunOptions options;
  EXPECT_EQ(iteration_limits(options, "random", {}, 0).fair_after, std::optional<uint64_t>(0));
  EXPECT_EQ(iteration_limits(options, "fair_pct", {{"fair_after", 50}}, 0).fair_after,
            std::optional<uint64_t>(50));
  EXPECT_FALSE(iteration_limits(options, "pct", {}, 0).fair_after);
  EXPECT_FALSE(iteration_limits(options, "pos", {}, 0).fair_after);
  EXPECT_FALSE(iteration_limits(options, "dfs", {}, 0).fair_after);
  EXPECT_EQ(iteration_limits(options, "surw", {}, 0).fair_after, std::optional<uint64_t>(0));
  EXPECT_FALSE(iteration_limits(options, "rff", {}, 0).fair_after);
  // The portfolio is as fair as the member that runs iteration i.
  EXPECT_EQ(iteration_limits(options, "portfolio", {}, 0).fair_after, std::optional<uint64_t>(0));
  EXPECT_FALSE(iteration_limits(options, "portfolio", {}, 1).fair_after);
  EXPECT_EQ(iteration_limits(options, "portfolio", {}, 4).fair_after, std::optional<uint64_t>(200));
}

TEST(Scheduler, CountsSchedulingPointsOnlyWhereThereIsAChoice) {
  std::vector<std::vector<FakeStep>> procs = {std::vector<FakeStep>(3), std::vector<FakeStep>(1)};
  FakeSystem sys(procs);
  auto s = make_pct_strategy({{"pct_depth", 1}});
  s->begin_iteration(1, {});
  auto r = run_iteration(sys, *s, {}, nullptr);
  EXPECT_EQ(r.steps, 4u);
  EXPECT_GE(r.scheduling_points, 1u);
  EXPECT_LE(r.scheduling_points, 3u);
}

}  // namespace
}  // namespace lockstep

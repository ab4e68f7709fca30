// Shrinking on a fake program: unrelated work goes, the failure stays.
#include "engine/shrink.h"

#include <gtest/gtest.h>

#include "engine/runner.h"
#include "engine/strategy.h"
#include "tests/engine/fake_program.h"

namespace lockstep {
namespace {

using testing::FakeProgram;
using testing::FakeStep;

// P0 and P1 write one atomic cell, P2 writes another (noise). The run fails
// as soon as P1 has taken two steps before P0 took any.
FakeProgram program() {
  const uint64_t cell = object::atomic(1, 1), other = object::atomic(2, 1);
  std::vector<std::vector<FakeStep>> procs = {
      std::vector<FakeStep>(3, FakeStep{StepKind::kAtomicsPut, cell, true}),
      std::vector<FakeStep>(3, FakeStep{StepKind::kAtomicsPut, cell, true}),
      std::vector<FakeStep>(30, FakeStep{StepKind::kAtomicsPut, other, true}),
  };
  return FakeProgram(procs, [](const std::vector<uint32_t>& order) {
    int ones = 0;
    for (uint32_t p : order) {
      if (p == 0) return false;
      ones += p == 1;
    }
    return ones >= 2;
  });
}

// A failing trace with noise in it: the first random seed whose run fails
// after at least 5 of P2's steps.
Trace failing_trace(FakeProgram& p) {
  for (uint64_t seed = 1; seed < 10000; ++seed) {
    Trace t;
    t.test_name = "fake test";
    t.iteration_seed = seed;
    auto random = make_random_strategy({});
    Status status;
    IterationResult r = record_iteration(p, 0, t.options, *random, seed, {}, t, status);
    if (r.outcome == Outcome::kFailed && r.steps >= 7) {
      t.failure = r.failure;
      t.steps = r.steps;
      return t;
    }
  }
  ADD_FAILURE() << "no noisy failing run found";
  return {};
}

TEST(Shrink, KeepsOnlyTheStepsTheFailureDependsOn) {
  FakeProgram p = program();
  const Trace input = failing_trace(p);
  ASSERT_GE(input.steps, 7u);
  ShrinkResult r = shrink_trace(input, p, {});
  ASSERT_EQ(r.verdict, ShrinkResult::Verdict::kShrunk) << r.status.message() << r.why;
  EXPECT_EQ(r.steps_before, input.steps);
  EXPECT_EQ(r.steps_after, 2u);  // P1, P1: nothing else is needed
  EXPECT_EQ(r.trace.failure.kind, input.failure.kind);
  for (const Decision& d : r.trace.decisions) EXPECT_EQ(d.value, 1u);
}

TEST(Shrink, IsDeterministic) {
  FakeProgram p = program();
  const Trace input = failing_trace(p);
  ShrinkResult a = shrink_trace(input, p, {});
  ShrinkResult b = shrink_trace(input, p, {});
  EXPECT_EQ(a.trace.decisions, b.trace.decisions);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(encode_trace(a.trace), encode_trace(b.trace));
}

TEST(Shrink, ATraceThatDoesNotFailIsRefused) {
  FakeProgram p = program();
  Trace input = failing_trace(p);
  input.failure.message = "some other failure";
  input.failure.kind = FailureKind::kDeadlock;
  ShrinkResult r = shrink_trace(input, p, {});
  EXPECT_EQ(r.verdict, ShrinkResult::Verdict::kDoesNotReproduce);
}

}  // namespace
}  // namespace lockstep

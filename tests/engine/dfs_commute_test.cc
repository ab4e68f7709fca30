// The check --dpor none runs on every run (engine/strategies/dfs_commute.h):
// two adjacent steps taken as independent, swapped, must give a schedule
// of the same class, whichever of the two runs comes first.
#include "engine/strategies/dfs_commute.h"

#include <gtest/gtest.h>

#include <vector>

namespace lockstep::dfs {
namespace {

using StepRef = CommuteCheck::StepRef;

StepRef pair_at(uint64_t run, uint32_t step) {
  return {run, step, StepKind::kSend, StepKind::kReceive, 1, 2};
}

TEST(CommuteCheck, AgreeingRunsPassInEitherOrder) {
  CommuteCheck check;
  const std::vector<uint64_t> ab = {11, 22, 33}, ba = {22, 11, 33};
  const std::vector<StepRef> first = {pair_at(0, 0)};
  EXPECT_TRUE(check.record(0, ab, 7, first));
  EXPECT_TRUE(check.record(1, ba, 7, {}));  // the prediction met, agreeing
  EXPECT_FALSE(check.violation());
  EXPECT_EQ(check.describe(), "");

  CommuteCheck later;  // the swapped schedule run before the one that predicts it
  EXPECT_TRUE(later.record(0, ba, 7, {}));
  EXPECT_TRUE(later.record(1, ab, 7, first));
  EXPECT_FALSE(later.violation());
}

TEST(CommuteCheck, ASwapIntoAnotherClassIsReportedWhicheverRunComesFirst) {
  const std::vector<uint64_t> ab = {11, 22, 33}, ba = {22, 11, 33};
  for (bool predicted_first : {true, false}) {
    CommuteCheck check;
    if (predicted_first) {
      EXPECT_TRUE(check.record(4, ab, 7, std::vector<StepRef>{pair_at(4, 0)}));
      EXPECT_FALSE(check.record(9, ba, 8, {}));
    } else {
      EXPECT_TRUE(check.record(9, ba, 8, {}));
      EXPECT_FALSE(check.record(4, ab, 7, std::vector<StepRef>{pair_at(4, 0)}));
    }
    ASSERT_TRUE(check.violation());
    EXPECT_EQ(check.violation()->swapped.run, 4u);
    EXPECT_EQ(check.violation()->swapped.step, 0u);
    EXPECT_EQ(check.violation()->reached_by, 9u);
    EXPECT_EQ(check.describe(),
              "dfs --dpor none: steps 1 (P1 send) and 2 (P2 receive) of run 4 were taken as independent, but "
              "swapped they lead to another class (run 9): a footprint depends on the order steps ran in, and dfs "
              "would miss schedules; please report this with the scenario");
    EXPECT_FALSE(check.record(10, ab, 7, {}));  // it stays failed
  }
}

TEST(CommuteCheck, ASwapDeepInARunChangesOnlyThatPair) {
  // Swapping steps 2 and 3 of five: the other positions keep their tokens.
  CommuteCheck check;
  EXPECT_TRUE(check.record(0, std::vector<uint64_t>{1, 2, 3, 4, 5}, 7, std::vector<StepRef>{pair_at(0, 2)}));
  EXPECT_TRUE(check.record(1, std::vector<uint64_t>{1, 2, 4, 3, 5}, 7, {}));
  EXPECT_TRUE(check.record(2, std::vector<uint64_t>{2, 1, 3, 4, 5}, 9, {}));  // not predicted: no claim
  EXPECT_FALSE(check.violation());
}

TEST(CommuteCheck, TwoRunsPredictingOneScheduleDifferentlyDisagree) {
  CommuteCheck check;
  EXPECT_TRUE(check.record(0, std::vector<uint64_t>{1, 2, 3}, 7, std::vector<StepRef>{pair_at(0, 1)}));
  // Run 0 predicts {1, 3, 2} in class 7, run 1 the same schedule in 8.
  EXPECT_FALSE(check.record(1, std::vector<uint64_t>{3, 1, 2}, 8, std::vector<StepRef>{pair_at(1, 0)}));
  ASSERT_TRUE(check.violation());
  EXPECT_EQ(check.violation()->swapped.run, 1u);
  EXPECT_EQ(check.violation()->reached_by, 0u);
}

TEST(CommuteCheck, OneScheduleInTwoClassesIsReported) {
  CommuteCheck check;
  EXPECT_TRUE(check.record(0, std::vector<uint64_t>{1, 2}, 7, {}));
  EXPECT_FALSE(check.record(3, std::vector<uint64_t>{1, 2}, 8, {}));
  EXPECT_NE(check.describe().find("runs 0 and 3 took one schedule and ended in different classes"),
            std::string::npos);
}

TEST(CommuteCheck, ClearForgetsEverything) {
  CommuteCheck check;
  EXPECT_TRUE(check.record(0, std::vector<uint64_t>{1, 2}, 7, std::vector<StepRef>{pair_at(0, 0)}));
  EXPECT_GT(check.bytes(), 0u);
  check.clear();
  EXPECT_TRUE(check.record(1, std::vector<uint64_t>{2, 1}, 8, {}));  // no prediction left
  EXPECT_TRUE(check.record(2, std::vector<uint64_t>{1, 2}, 9, {}));  // nor the run
}

}  // namespace
}  // namespace lockstep::dfs

// The conflict relation POS and the causal slice rely on.
#include "engine/types.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace lockstep {
namespace {

Op op(uint64_t object, bool writes) {
  Op o;
  o.object = object;
  o.writes = writes;
  return o;
}

TEST(Conflicts, SameObjectRacesWhenOneWrites) {
  const uint64_t cell = object::atomic(1, 1);
  EXPECT_TRUE(op(cell, true).races_with(op(cell, false)));
  EXPECT_TRUE(op(cell, false).races_with(op(cell, true)));
  EXPECT_FALSE(op(cell, false).races_with(op(cell, false)));
}

TEST(Conflicts, DifferentObjectsNeverRace) {
  EXPECT_FALSE(op(object::atomic(1, 1), true).races_with(op(object::atomic(1, 2), true)));
  EXPECT_FALSE(op(object::atomic(1, 1), true).races_with(op(object::atomic(2, 1), true)));
  EXPECT_FALSE(op(object::table_key(1, 5), true).races_with(op(object::table_key(1, 6), true)));
  EXPECT_FALSE(op(object::term(3), true).races_with(op(object::name(3), true)));
  EXPECT_FALSE(op(0, true).races_with(op(0, true)));
}

TEST(Conflicts, AWholeTableAccessRacesWithEveryKeyOfThatTable) {
  EXPECT_TRUE(op(object::table(7), false).races_with(op(object::table_key(7, 123), true)));
  EXPECT_TRUE(op(object::table_key(7, 9), true).races_with(op(object::table(7), false)));
  EXPECT_FALSE(op(object::table(7), false).races_with(op(object::table_key(8, 123), true)));
  EXPECT_FALSE(op(object::table(7), false).races_with(op(object::table_key(7, 123), false)));
}

TEST(Conflicts, NamespacesDoNotCollide) {
  EXPECT_NE(object::process(5), object::name(5));
  EXPECT_NE(object::table(5), object::term(5));
  EXPECT_EQ(object::table_of(object::table_key(42, 1)), 42u);
  EXPECT_EQ(object::table_of(object::process(42)), 0u);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(LOCKSTEP_SOURCE_DIR) + "/docs/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// docs/trace-format.md is the reference for the numbers written to disk.
TEST(Docs, TraceFormatListsEveryStepKind) {
  const std::string doc = read_doc("trace-format.md");
  ASSERT_FALSE(doc.empty());
  for (size_t k = 0; k < static_cast<size_t>(StepKind::kCount_); ++k) {
    const std::string row = "| " + std::to_string(k) + " | " +
                            std::string(step_kind_name(static_cast<StepKind>(k))) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << row;
  }
  for (DecisionKind d : {DecisionKind::kSchedule, DecisionKind::kFireTimer, DecisionKind::kChoice,
                         DecisionKind::kDeliver, DecisionKind::kFault}) {
    const std::string row = "| " + std::to_string(static_cast<int>(d)) + " " +
                            std::string(decision_kind_name(d)) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace lockstep

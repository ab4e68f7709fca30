// The goals a test's body names with a literal, found in its source before
// any run (lua/goals.cc): only whole-literal names of sometimes/reachable,
// within the body's lines, outside comments.
#include <gtest/gtest.h>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

TEST(GoalsInSource, FindsEachLiteralNamedGoalOfTheBodyWithItsLine) {
  const std::string source =
      "ls.reachable('before the body')\n"                      // 1: outside
      "ls.test('t', function()\n"                               // 2
      "  ls.sometimes(\"lost update\", n == 1)\n"               // 3
      "  if retry then ls.reachable('retry') end\n"             // 4
      "  ls.unreachable('never')\n"                             // 5: not a goal to meet
      "  ls.reachable('stage ' .. i)\n"                          // 6: an expression
      "  -- ls.reachable('commented out')\n"                     // 7
      "  local r = ls.reachable  r('aliased')\n"                 // 8: not after . or :
      "  ls.sometimes ( 'spaced' , x)\n"                          // 9
      "end)\n"                                                   // 10
      "ls.reachable('after the body')\n";                        // 11
  const std::vector<GoalCount> goals = goals_in(source, 2, 10, "s.lua");
  ASSERT_EQ(goals.size(), 3u);
  EXPECT_EQ(goals[0].name, "lost update");
  EXPECT_EQ(goals[0].location, "s.lua:3");
  EXPECT_EQ(goals[1].name, "retry");
  EXPECT_EQ(goals[1].location, "s.lua:4");
  EXPECT_EQ(goals[2].name, "spaced");
  EXPECT_EQ(goals[2].location, "s.lua:9");
  for (const GoalCount& g : goals) EXPECT_FALSE(g.unreachable);
}

}  // namespace
}  // namespace lockstep::lua

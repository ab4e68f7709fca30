// Goals (ls.sometimes, ls.reachable, ls.unreachable) on the real binary:
// met and unmet, known from the source before they run, in a process, an
// invariant and a monitor, proven unmet by a complete dfs, counted the
// same whatever --jobs is and across --shard parts merged, and an
// unreachable goal met is a bug whose trace replays and shrinks.
#include <gtest/gtest.h>

#include <regex>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using testing::fresh_dir;
using testing::run_lockstep;
using testing::slurp;
using testing::temp_path;
using testing::write_file;

const std::string kGoals = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/goals/goals.lua";

JsonValue only_test(const std::string& json) {
  auto doc = parse_json(json);
  EXPECT_TRUE(doc.ok()) << json;
  if (!doc.ok() || doc->get("tests")->items.empty()) return {};
  return doc->get("tests")->items[0];
}

const JsonValue* goal(const JsonValue& test, const std::string& name) {
  const JsonValue* goals = test.get("goals");
  if (!goals) return nullptr;
  for (const JsonValue& g : goals->items) {
    if (g.str("name") == name) return &g;
  }
  return nullptr;
}

std::vector<std::string> run_args(const std::string& test, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"run", kGoals, "--test", test, "--traces-dir", fresh_dir("goals")};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(Goals, AGoalMetInSomeIterationsPassesAndSaysWhenItWasFirstMet) {
  auto text = run_lockstep(run_args("a lost update is sometimes seen"));
  ASSERT_EQ(text.code, 0) << text.out << text.err;
  EXPECT_TRUE(std::regex_search(
      text.out, std::regex(R"(goal "lost update" \([^)]*goals\.lua:16\) met \d+ times, first in iteration \d+)")))
      << text.out;
  auto json = run_lockstep(run_args("a lost update is sometimes seen", {"--format", "json"}));
  const JsonValue t = only_test(json.out);
  EXPECT_EQ(t.str("status"), "passed");
  const JsonValue* g = goal(t, "lost update");
  ASSERT_TRUE(g) << json.out;
  EXPECT_EQ(g->str("kind"), "sometimes");
  EXPECT_GT(g->u64("met"), 0u);
  EXPECT_GT(g->u64("missed"), 0u);
  EXPECT_EQ(g->u64("met") + g->u64("missed"), 200u) << "one call per iteration";
  EXPECT_GE(g->u64("first_met"), 1u);
}

// A goal whose line never runs is known from the test's source: the test
// is unmet (exit 1), with the strategy and budget tried, the warning that
// explains it, and a JUnit failure.
TEST(Goals, AGoalNeverMetFailsTheTest) {
  const std::string junit = temp_path("goals.xml");
  auto text = run_lockstep(run_args("the client retries", {"--junit", junit}));
  EXPECT_EQ(text.code, 1) << text.out << text.err;
  EXPECT_NE(text.out.find("  UNMET the client retries (goals.lua)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("goals.lua:31) was never met in 100 iterations of pct"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("warning: receive timeouts were armed 100 times and none fired"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("0 bugs, 1 unmet, 0 errors"), std::string::npos) << text.out;
  EXPECT_NE(slurp(junit).find("<failure type=\"unmet_goal\" message=\"goal &quot;retry&quot;"), std::string::npos)
      << slurp(junit);
  auto json = run_lockstep(run_args("the client retries", {"--format", "json"}));
  EXPECT_EQ(json.code, 1);
  const JsonValue t = only_test(json.out);
  EXPECT_EQ(t.str("status"), "unmet");
  const JsonValue* g = goal(t, "retry");
  ASSERT_TRUE(g) << json.out;
  EXPECT_EQ(g->u64("met"), 0u);
  EXPECT_EQ(g->get("first_met"), nullptr);
  // Once the timeouts may fire early, the retry runs: met.
  auto any = run_lockstep(run_args("the client retries", {"--timers", "any", "--max-steps", "300"}));
  EXPECT_NE(any.out.find("goals.lua:31) met"), std::string::npos) << any.out;
  EXPECT_EQ(any.out.find("UNMET"), std::string::npos) << any.out;
}

// A complete search proves a goal unmet in every schedule.
TEST(Goals, ACompleteSearchSaysNoScheduleMeetsIt) {
  auto r = run_lockstep(run_args("the client retries", {"--strategy", "dfs"}));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("goals.lua:31) is met in no schedule: the search explored all of them"),
            std::string::npos)
      << r.out;
  auto bounded = run_lockstep(run_args("a lost update is sometimes seen", {"--strategy", "dfs"}));
  EXPECT_EQ(bounded.code, 0) << bounded.out;  // a search meets it too
}

// An incomplete search claims no proof: the goal was never met in the
// runs it made.
TEST(Goals, AnIncompleteSearchSaysOnlyWhatItRan) {
  const std::string f = write_file("goal_bounded", "local ls = lockstep\n"
                                                   "ls.test('t', function()\n"
                                                   "  local a = ls.atomics.new(1)\n"
                                                   "  for i = 1, 4 do ls.spawn(function() ls.atomics.add(a, 1, i) end) end\n"
                                                   "  ls.sleep(10)\n"
                                                   "  if ls.atomics.get(a, 1) > 10 then ls.reachable('too much') end\n"
                                                   "end)\n");
  auto r = run_lockstep({"run", f, "--strategy", "dfs", "--iterations", "3", "--traces-dir", fresh_dir("goal_b")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("goal_bounded.lua:6) was never met in 3 runs of dfs"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("is met in no schedule"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: no proof: the search stopped after"), std::string::npos) << r.out;
}

TEST(Goals, GoalsInAnInvariantAndAMonitorCount) {
  auto json = run_lockstep(run_args("goals in an invariant and a monitor", {"--format", "json"}));
  ASSERT_EQ(json.code, 0) << json.out << json.err;
  const JsonValue t = only_test(json.out);
  ASSERT_TRUE(goal(t, "two writes seen by the invariant")) << json.out;
  EXPECT_GT(goal(t, "two writes seen by the invariant")->u64("met"), 0u);
  ASSERT_TRUE(goal(t, "the monitor ran")) << json.out;
  EXPECT_GT(goal(t, "the monitor ran")->u64("met"), 0u);
}

TEST(Goals, AnUnreachableGoalMetIsABugWhoseTraceReplaysAndShrinks) {
  const std::string dir = fresh_dir("goals_unreachable");
  auto r = run_lockstep({"run", kGoals, "--test", "the second writer never sees the first", "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("failure: unreachable in P"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reached ls.unreachable(\"the second writer saw the first\") (at "),
            std::string::npos)
      << r.out;
  const std::string trace = testing::only_trace_in(dir);
  ASSERT_FALSE(trace.empty());
  testing::expect_replays_and_shrinks(trace, dir);
}

// Guidance: rff and surw seek goals as coverage. With the stages of a rare
// interleaving named as goals, both reach the last within 3,000
// iterations (seed 1); surw without the stages does not, so the stages are
// what led it there.
TEST(Goals, TheLearningStrategiesSeekGoalsAsCoverage) {
  const std::string file = std::string(LOCKSTEP_SOURCE_DIR) + "/bench/goal_guidance.lua";  // the benchmark's scenario
  auto first_met = [&](const std::string& strategy, const std::string& test) -> uint64_t {
    auto r = run_lockstep({"run", file, "--test", test, "--strategy", strategy, "--iterations", "3000", "--seed", "1",
                           "--format", "json", "--traces-dir", fresh_dir("staged")});
    const JsonValue t = only_test(r.out);
    const JsonValue* g = goal(t, "in step all the way");
    if (!g || !g->get("first_met")) return 0;
    return std::stoull(g->get("first_met")->text);
  };
  EXPECT_EQ(first_met("surw", "stages"), 2007u);
  EXPECT_EQ(first_met("surw", "final only"), 0u) << "not met in 3,000 without the stages";
  EXPECT_EQ(first_met("rff", "stages"), 2256u);
}

// Counted per iteration and summed in iteration order: the same whatever
// --jobs is, and the parts of a --shard run merge into the whole run's.
TEST(Goals, CountsDoNotDependOnJobsAndShardsMergeIntoTheWhole) {
  auto goals_of = [](const std::string& json) {
    const JsonValue t = only_test(json);
    const JsonValue* g = goal(t, "lost update");
    return g ? std::make_pair(g->u64("met"), g->u64("missed")) : std::make_pair(uint64_t{0}, uint64_t{0});
  };
  auto one = run_lockstep(run_args("a lost update is sometimes seen", {"--format", "json", "--jobs", "1"}));
  auto two = run_lockstep(run_args("a lost update is sometimes seen", {"--format", "json", "--jobs", "2"}));
  EXPECT_EQ(goals_of(one.out), goals_of(two.out));
  EXPECT_EQ(only_test(one.out).get("goals")->items[0].u64("first_met"),
            only_test(two.out).get("goals")->items[0].u64("first_met"));
  std::vector<std::string> parts;
  for (const char* shard : {"0/2", "1/2"}) {
    auto part = run_lockstep(run_args("a lost update is sometimes seen", {"--format", "json", "--shard", shard}));
    parts.push_back(write_file(std::string("goals_part") + shard[0], part.out));
  }
  auto merged = run_lockstep({"merge", parts[0], parts[1], "--format", "json"});
  ASSERT_EQ(merged.code, 0) << merged.out << merged.err;
  EXPECT_EQ(goals_of(merged.out), goals_of(one.out));
  // A goal no part meets leaves the merged test unmet.
  std::vector<std::string> unmet;
  for (const char* shard : {"0/2", "1/2"}) {
    auto part = run_lockstep(run_args("the client retries", {"--format", "json", "--shard", shard}));
    unmet.push_back(write_file(std::string("goals_unmet") + shard[0], part.out));
  }
  auto none = run_lockstep({"merge", unmet[0], unmet[1], "--format", "json"});
  EXPECT_EQ(none.code, 1) << none.out << none.err;
  EXPECT_EQ(only_test(none.out).str("status"), "unmet") << none.out;
}

}  // namespace
}  // namespace lockstep

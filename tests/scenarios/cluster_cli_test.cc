// Nodes, the network and partitions through the real binary: reports name
// nodes, deliveries are steps that replay, the exhaustive search reaches
// every outcome sampling reaches (deliveries, drops, a stopped node), and
// bad network options are refused.
#include <regex>
#include <set>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

// The tests of `file` (tests/cluster/) that reported a bug: the outcomes reached.
std::set<std::string> outcomes_reached(const std::vector<std::string>& extra,
                                       const std::string& file = "outcomes.lua") {
  std::vector<std::string> args = {"run", std::string(LOCKSTEP_SOURCE_DIR) + "/tests/cluster/" + file,
                                   "--format", "json", "-q", "--traces-dir", fresh_dir("outcomes")};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_lockstep(args);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  std::set<std::string> reached;
  const std::regex test(R"re("name":"([a-z: ]*outcome is not \[[a-zA-Z]*\])","status":"(\w+)")re");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), test); it != std::sregex_iterator(); ++it) {
    if ((*it)[2] == "bug") reached.insert((*it)[1]);
  }
  return reached;
}

TEST(Cluster, ExhaustiveSearchReachesEveryOutcomeSamplingReaches) {
  for (const char* network : {"fifo", "reorder"}) {
    const auto sampled = outcomes_reached({"--strategy", "random", "--iterations", "3000", "--network", network});
    const auto searched = outcomes_reached({"--strategy", "dfs", "--iterations", "100000", "--network", network});
    EXPECT_EQ(sampled, searched) << network;
    auto reached = [&](const std::string& x) { return searched.count("outcome is not [" + x + "]"); };
    EXPECT_TRUE(reached("aAb") && reached("A") && reached("")) << network;
    // "A" before "a" only where the network may reorder one sender's messages.
    EXPECT_EQ(reached("Aa") + reached("Aab") + reached("bAa"), std::string(network) == "fifo" ? 0u : 3u) << network;
  }
}

TEST(Cluster, ExhaustiveSearchTriesAKillBeforeEachStepOfItsVictim) {
  const auto sampled = outcomes_reached({"--strategy", "random", "--iterations", "2000"}, "kill_outcomes.lua");
  const auto searched = outcomes_reached({"--strategy", "dfs"}, "kill_outcomes.lua");
  EXPECT_EQ(sampled, searched);
  EXPECT_EQ(searched.size(), 6u);  // "", "a", "ab", for a kill and for a node stopping
}

// A timer's message can land before, between or after a process's two
// messages, and a receive's timeout can beat a reply on its way: dfs with
// --timers any reaches what sampling reaches, one schedule per outcome.
TEST(Cluster, ExhaustiveSearchReachesEveryPlaceATimerCanFire) {
  const auto sampled = outcomes_reached({"--strategy", "random", "--iterations", "2000", "--timers", "any"},
                                        "timer_outcomes.lua");
  const auto searched = outcomes_reached({"--strategy", "dfs", "--timers", "any"}, "timer_outcomes.lua");
  EXPECT_EQ(sampled, searched);
  EXPECT_EQ(searched.size(), 5u);  // tab, atb, abt; reply, timeout
  const auto quiescent = outcomes_reached({"--strategy", "dfs"}, "timer_outcomes.lua");
  EXPECT_EQ(quiescent, (std::set<std::string>{"outcome is not [abt]", "call: outcome is not [reply]"}));
}

TEST(Cluster, ReportsNameNodesAndDeliveriesReplay) {
  const std::string dir = fresh_dir("split_brain_report");
  auto r = run_lockstep({"run", scenario("split_brain.lua"), "--seed", "1", "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("P0@main(root)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("P1@a(primary)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("partition   "), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(deliver +P\d+@main -> P1@a\(primary\))"))) << r.out;
  EXPECT_NE(r.out.find("not linearizable"), std::string::npos) << r.out;

  std::string trace;
  for (const auto& e : std::filesystem::directory_iterator(dir)) trace = e.path().string();
  auto dump = run_lockstep({"dump-trace", "--trace", trace, "--json"});
  EXPECT_EQ(dump.code, 0);
  EXPECT_NE(dump.out.find("\"node\":\"a\""), std::string::npos);
  EXPECT_NE(dump.out.find("\"kind\":\"deliver\""), std::string::npos);
  EXPECT_NE(dump.out.find("\"network\":\"fifo\""), std::string::npos);
  auto replayed = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replayed.code, 1) << replayed.out;
  EXPECT_NE(replayed.out.find("reproduced"), std::string::npos) << replayed.out;
}

TEST(Cluster, ACrashKeepsAPrefixOfTheUnsyncedWritesAndTheSearchTriesEach) {
  // Two unsynced writes: the crash keeps none, the first, or both. Each
  // comes with 4 orders of the two rpc processes' ends against the
  // caller's demonitors (whichever comes first decides whether a DOWN is
  // sent across nodes): 12 classes, as running every interleaving counts.
  for (const char* dpor : {"optimal", "none"}) {
    auto r = run_lockstep({"run", std::string(LOCKSTEP_SOURCE_DIR) + "/tests/lua/cluster.lua", "--test",
                           "disk: synced writes survive a restart; unsynced ones may not", "--strategy", "dfs",
                           "--state-cache", "off", "--dpor", dpor, "--iterations", "100000"});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("explored all 12 schedules: no bug"), std::string::npos) << dpor << "\n" << r.out;
  }
}

TEST(Cluster, MessagesHeldByAPartitionAreNamedInADeadlock) {
  const std::string file = write_file("held", R"(
local ls = lockstep
ls.test("waits across a partition", function()
  ls.cluster.start_nodes({ "b" })
  local root = ls.self()
  ls.cluster.partition({ "main" }, { "b" })
  ls.spawn_on("main", function() end)
  local p = ls.spawn(function() ls.receive() end)
  ls.send({ "nobody", "b" }, "held")
  ls.receive()
end)
)");
  auto r = run_lockstep({"run", file, "--traces-dir", fresh_dir("held_traces")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("deadlock"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 message in flight, held by a partition"), std::string::npos) << r.out;
}

TEST(Cluster, BadNetworkOptionsAreRefused) {
  auto flag = run_lockstep({"run", scenario("split_brain_fixed.lua"), "--network", "udp"});
  EXPECT_EQ(flag.code, 2) << flag.out << flag.err;
  EXPECT_NE(flag.err.find("network"), std::string::npos) << flag.err;
  const std::string file = write_file("bad_network", R"(
lockstep.test("t", { network = "lossy" }, function() end)
)");
  auto opt = run_lockstep({"run", file});
  EXPECT_EQ(opt.code, 3) << opt.out << opt.err;
  EXPECT_NE(opt.err.find("network"), std::string::npos) << opt.err;
  const std::string misuse = write_file("bad_partition", R"(
lockstep.test("t", function()
  lockstep.cluster.start_nodes({ "b" })
  lockstep.cluster.partition({ "b" }, { "main" }, { mode = "sometimes" })
end)
)");
  auto m = run_lockstep({"run", misuse, "--traces-dir", fresh_dir("bad_partition_traces")});
  EXPECT_EQ(m.code, 1) << m.out << m.err;
  EXPECT_NE(m.out.find("mode must be \"defer\" or \"drop\""), std::string::npos) << m.out;
}

}  // namespace
}  // namespace lockstep::testing

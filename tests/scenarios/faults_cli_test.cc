// Faults the strategy chooses, through the real binary: a budget makes
// sampling strategies inject faults that the report and the JSON list, that
// replay follows, that shrink takes out when the failure does not need
// them, and that give the same trace whatever --jobs is; bad budgets and
// dfs with a budget are refused with one clear line.
#include <filesystem>
#include <regex>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

std::string only_trace(const std::string& dir) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".lockstep") found = e.path().string();
  }
  return found;
}

TEST(Faults, ADroppedLeaveIsFoundListedAndReplayed) {
  const std::string dir = fresh_dir("faults_gossip");
  auto r = run_lockstep({"run", scenario("gossip_leave.lua"), "--seed", "1", "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("still lists c after it left"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("faults injected (1):"), std::string::npos) << r.out;
  const std::regex listed(R"(step \d+  fault\.drop  P3@c\(leaver\) -> P[12]@[ab]\(member\))");
  EXPECT_TRUE(std::regex_search(r.out, listed)) << r.out;
  // A table shows the name the scenario gave it, named_table or not.
  EXPECT_NE(r.out.find("ets.new            P0@main(root)  \"views\" -> T1"), std::string::npos) << r.out;
  // The fault is a step of the causal slice too.
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(step \d+ +fault\.drop +P3@c)"))) << r.out;

  const std::string trace = only_trace(dir);
  auto replay = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("reproduced"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("fault.drop"), std::string::npos) << replay.out;
  auto dump = run_lockstep({"dump-trace", "--trace", trace, "--json"});
  EXPECT_NE(dump.out.find("\"faults\":\"drop=1\""), std::string::npos) << dump.out;

  auto json = run_lockstep({"run", scenario("gossip_leave.lua"), "--seed", "1", "--format", "json", "--traces-dir",
                            fresh_dir("faults_gossip_json")});
  // JSON gives each fault's fields, and the line the report prints.
  EXPECT_TRUE(std::regex_search(
      json.out, std::regex(R"re("faults":\[\{"step":\d+,"kind":"drop","process":"P3@c\(leaver\)","target":"P[12]@[ab]\(member\)","detail":"\{from = P3, leave = \\"c\\"\}","text":"step \d+  fault\.drop  P3@c)re")))
      << json.out;
}

TEST(Faults, EveryTwinPassesUnderEveryStrategyWithABiggerBudget) {
  // Each twin with every fault its protocol is built to survive: the
  // gossip retransmits (so loss, doubling and partitions only delay it);
  // the G-counter gossips once per change (so it survives partitions,
  // which hold messages, and doubling, not loss); the read-index leader
  // survives loss and partitions (a lost answer is a timeout and a retry),
  // not doubling (a write delivered twice is applied twice).
  const std::pair<const char*, const char*> twins[] = {
      {"gossip_leave_fixed.lua", "drop=3,duplicate=2,partition=2,crash=0"},
      {"partition_heal_fixed.lua", "duplicate=2,partition=3"},
      {"raft_stale_read_fixed.lua", "drop=2,partition=2"},
  };
  for (const auto& [twin, budget] : twins) {
    for (const char* strategy : {"random", "pct", "pos"}) {
      auto r = run_lockstep({"run", scenario(twin), "--strategy", strategy, "--iterations", "1000", "--faults", budget,
                             "--format", "json", "--traces-dir", fresh_dir("faults_twins")});
      EXPECT_EQ(r.code, 0) << twin << " " << strategy << r.out;
      // Every partition heals in time: no iteration spins until max_steps.
      EXPECT_NE(r.out.find("\"max_steps_hits\":0,\"wall"), std::string::npos) << twin << " " << strategy << r.out;
    }
  }
}

TEST(Faults, ShrinkTakesOutTheFaultsTheFailureDoesNotNeed) {
  const std::string dir = fresh_dir("faults_shrink");
  // A generous budget: the failing run injects more faults than it needs.
  auto r = run_lockstep({"run", scenario("gossip_leave.lua"), "--seed", "1", "--strategy", "random", "--faults",
                         "drop=4,duplicate=3", "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const std::smatch m = [&] {
    std::smatch found;
    std::regex_search(r.out, found, std::regex(R"(faults injected \((\d+)\))"));
    return found;
  }();
  ASSERT_FALSE(m.empty()) << r.out;
  ASSERT_GE(std::stoi(m[1]), 2) << r.out;
  const std::string out = temp_path("faults_shrunk.lockstep");
  auto s = run_lockstep({"shrink", "--trace", only_trace(dir), "-o", out});
  ASSERT_EQ(s.code, 0) << s.out << s.err;
  EXPECT_NE(s.out.find(", " + std::string(m[1]) + " -> 1 faults)"), std::string::npos) << s.out;
  auto replay = run_lockstep({"replay", "--trace", out, "--run"});
  EXPECT_EQ(replay.code, 1) << replay.out;
  EXPECT_NE(replay.out.find("still lists c after it left"), std::string::npos) << replay.out;
  EXPECT_EQ(std::regex_search(replay.out, std::regex("fault\\.duplicate")), false) << replay.out;
}

// A fault-driven trace of a Raft-style model (a partition and its heal,
// heartbeats on timers): candidates follow events by the names the system
// gives them, so taking out steps does not turn a later delivery or fault
// into another message's. It shrinks to the one injected fault the
// failure needs (the heal undoes it and is not counted), far fewer steps
// and switches, and says why it stopped.
TEST(Faults, ShrinkOfAFaultTraceFollowsEventsByNameAndSaysWhyItStopped) {
  const std::string dir = fresh_dir("faults_shrink_raft");
  auto r = run_lockstep({"run", scenario("raft_stale_read.lua"), "--strategy", "pos", "--seed", "2", "--traces-dir",
                         dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const std::string out = temp_path("faults_shrunk_raft.lockstep");
  auto s = run_lockstep({"shrink", "--trace", only_trace(dir), "-o", out});
  ASSERT_EQ(s.code, 0) << s.out << s.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      s.out, m, std::regex(R"(shrunk (\d+) steps -> (\d+) steps \((\d+) -> (\d+) context switches, 1 -> 1 faults\))")))
      << s.out;
  EXPECT_EQ(std::stoi(m[1]), 399) << s.out;
  EXPECT_LE(std::stoi(m[2]), 235) << s.out;
  EXPECT_LE(std::stoi(m[4]), 135) << s.out;
  EXPECT_TRUE(std::regex_search(s.out, std::regex(R"(stopped: no candidate was smaller \(.*\): \d+ failed the same way with no fewer faults, steps or context switches, \d+ did not fail the same way)")))
      << s.out;
  auto replay = run_lockstep({"replay", "--trace", out, "--run"});
  EXPECT_EQ(replay.code, 1) << replay.out;
  EXPECT_NE(replay.out.find("reproduced"), std::string::npos) << replay.out;
  EXPECT_NE(replay.out.find("fault.partition"), std::string::npos) << replay.out;
  // A budget that runs out says so.
  auto cut = run_lockstep({"shrink", "--trace", only_trace(dir), "-o", temp_path("faults_cut.lockstep"),
                           "--max-attempts", "3"});
  EXPECT_EQ(cut.code, 0) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("stopped: it ran out of attempts (--max-attempts 3)"), std::string::npos) << cut.out;
}

TEST(Faults, TheTraceIsTheSameWhateverJobsIs) {
  // Found past the iterations that run one by one, so --jobs 2 runs it on
  // a worker thread.
  const std::string file = write_file("faults_rare", R"(
local ls = lockstep
ls.test("rare", { faults = { drop = 1, duplicate = 1 } }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local me = ls.self()
  local counter = ls.spawn_on("b", function()
    local sum = 0
    while true do
      local m = ls.receive(100)
      if m == nil then break end
      sum = sum + m
    end
    ls.send(me, sum)
  end)
  ls.spawn_on("a", function()
    for i = 1, 8 do ls.send(counter, i) end
  end)
  assert(ls.receive() ~= 40)
end)
)");
  std::string traces[2];
  for (int jobs : {1, 2}) {
    const std::string dir = fresh_dir("faults_jobs" + std::to_string(jobs));
    auto r = run_lockstep({"run", file, "--strategy", "random", "--seed", "2", "--iterations", "5000", "--jobs",
                           std::to_string(jobs), "--traces-dir", dir});
    ASSERT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("iteration: 48 "), std::string::npos) << r.out;
    traces[jobs - 1] = slurp(only_trace(dir));
  }
  EXPECT_FALSE(traces[0].empty());
  EXPECT_EQ(traces[0], traces[1]);
}

TEST(Faults, ABadBudgetIsRefused) {
  auto flag = run_lockstep({"run", scenario("gossip_leave_fixed.lua"), "--faults", "drop=2,melt=1"});
  EXPECT_EQ(flag.code, 2) << flag.out << flag.err;
  EXPECT_NE(flag.err.find("unknown fault kind \"melt\""), std::string::npos) << flag.err;
  const std::string file = write_file("bad_faults", R"(
lockstep.test("t", { faults = { drop = "two" } }, function() end)
)");
  auto opt = run_lockstep({"run", file});
  EXPECT_EQ(opt.code, 3) << opt.out << opt.err;  // the scenario does not load
  EXPECT_NE(opt.err.find("option 'faults' maps fault kinds to counts"), std::string::npos) << opt.err;
}

// dfs explores every placement of the faults a budget allows: it finds the
// dropped leave message, the trace replays and shrinks keeping the drop,
// and the fixed twin is proven under the same budget (and with a bigger
// one, in more schedules).
TEST(Faults, DfsExploresEveryPlacementOfTheBudget) {
  const std::string dir = fresh_dir("dfs_faults");
  auto bug = run_lockstep({"run", scenario("gossip_leave.lua"), "--strategy", "dfs", "--traces-dir", dir});
  ASSERT_EQ(bug.code, 1) << bug.out << bug.err;
  EXPECT_NE(bug.out.find("fault.drop"), std::string::npos) << bug.out;
  std::string trace;
  for (const auto& e : std::filesystem::directory_iterator(dir)) trace = e.path().string();
  auto replayed = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replayed.code, 1) << replayed.out;
  EXPECT_NE(replayed.out.find("reproduced: "), std::string::npos) << replayed.out;
  auto shrunk = run_lockstep({"shrink", "--trace", trace, "-o", dir + "/min.lockstep"});
  EXPECT_EQ(shrunk.code, 0) << shrunk.out << shrunk.err;
  EXPECT_NE(run_lockstep({"dump-trace", "--trace", dir + "/min.lockstep"}).out.find("fault.drop"), std::string::npos);

  auto proof = run_lockstep({"run", scenario("gossip_leave_fixed.lua"), "--strategy", "dfs"});
  ASSERT_EQ(proof.code, 0) << proof.out << proof.err;
  std::smatch one, two;
  ASSERT_TRUE(std::regex_search(proof.out, one, std::regex(R"(explored all (?:[\d,]+ states \()?(\d+) schedules\)?: no bug)"))) << proof.out;
  auto bigger = run_lockstep(
      {"run", scenario("gossip_leave_fixed.lua"), "--strategy", "dfs", "--faults", "drop=2", "--iterations", "1000"});
  ASSERT_EQ(bigger.code, 0) << bigger.out << bigger.err;
  ASSERT_TRUE(std::regex_search(bigger.out, two, std::regex(R"(explored all (?:[\d,]+ states \()?(\d+) schedules\)?: no bug)"))) << bigger.out;
  EXPECT_GT(std::stoull(two[1].str()), std::stoull(one[1].str()));
  // Without a budget there is one placement fewer to explore: none.
  auto none = run_lockstep({"run", scenario("gossip_leave_fixed.lua"), "--strategy", "dfs", "--faults", "none"});
  EXPECT_EQ(none.code, 0) << none.out << none.err;
}

}  // namespace
}  // namespace lockstep::testing

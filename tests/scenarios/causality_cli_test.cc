// The causal slice as a user sees it, and traces of earlier formats.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

using namespace lockstep::testing;

std::string data(const std::string& name) { return std::string(LOCKSTEP_SOURCE_DIR) + "/tests/data/" + name; }

TEST(CausalSlice, KeepsTheWorkersCrashAndTheFreedNameAfterASupervisorRestart) {
  auto r = run_lockstep({"run", scenario("supervisor_restart.lua"), "--seed", "1", "--traces-dir",
                         fresh_dir("slice_sup")});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("no process is registered as \"worker\""), std::string::npos) << r.out;
  // The worker took the name, crashed on the poison and so freed it: the cause.
  EXPECT_NE(r.out.find("register   P2(worker)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("receive    P2(worker) <- P0(root)  \"poison\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit       P2(worker)  reason=\"worker died on poison\""), std::string::npos) << r.out;
  // The supervisor hearing of the crash comes after the client's send: not a cause.
  EXPECT_EQ(r.out.find("receive    P1(supervisor) <- P2(worker)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("causal slice, 23 of 24 steps"), std::string::npos) << r.out;
}

TEST(CausalSlice, AReceiveDependsOnTheSendItTookNotOnEarlierMessages) {
  // "a" is queued first (the sleep lets both senders finish), but the root
  // takes "b": the slice keeps b's send and drops a's.
  const std::string file = write_file("slice_recv", R"(
local ls = lockstep
ls.test("takes b", { strategy = "random", iterations = 1 }, function()
  local root = ls.self()
  ls.spawn(function() ls.label("a") ls.send(root, "a") end)
  ls.sleep(5)
  ls.spawn(function() ls.label("b") ls.send(root, "b") end)
  local b = ls.receive(function(m) return m == "b" end)
  error("took " .. b)
end)
)");
  auto r = run_lockstep({"run", file, "--traces-dir", fresh_dir("slice_recv_traces")});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("send       P2(b) -> P0(root)  \"b\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("send       P1(a) -> P0(root)  \"a\""), std::string::npos) << r.out;
  ::setenv("LOCKSTEP_NO_CAUSAL_SLICE", "1", 1);
  auto full = run_lockstep({"run", file, "--traces-dir", fresh_dir("slice_recv_traces2")});
  ::unsetenv("LOCKSTEP_NO_CAUSAL_SLICE");
  EXPECT_NE(full.out.find("send       P1(a) -> P0(root)  \"a\""), std::string::npos) << full.out;
}

TEST(CausalSlice, AProcessThatTimesOutDoesNotDependOnWhoMonitorsIt) {
  // mutual_call: ping's call to pong times out. Pong monitoring ping (for
  // its own call) is what ping's exit notifies, not why ping failed.
  auto r = run_lockstep({"run", scenario("mutual_call.lua"), "--seed", "1", "--traces-dir", fresh_dir("slice_mc")});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("P1(ping)  T3 receive timeout"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("monitor    P2(pong) -> P1(ping)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("causal slice, 28 of 38 steps"), std::string::npos) << r.out;
}

TEST(CausalSlice, SpawnThenMonitorKeepsTheChildsEnd) {
  // The monitor found the job gone because the job had already run to its
  // exit: that run is in the slice, and spawn_monitor (the twin) passes.
  auto r = run_lockstep({"run", scenario("monitor_race.lua"), "--seed", "1", "--traces-dir", fresh_dir("slice_mon")});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("DOWN reason is noproc"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("start      P1(job)"), std::string::npos) << r.out;
  auto fixed = run_lockstep({"run", scenario("monitor_race_fixed.lua"), "--iterations", "2000", "--traces-dir",
                             fresh_dir("slice_mon_fixed")});
  EXPECT_EQ(fixed.code, 0) << fixed.out;
}

TEST(TraceFormats, TracesOfEveryFormatStillReplayToTheSameFailure) {
  struct Case {
    const char* trace;
    const char* scenario;
    const char* failure;
  };
  for (const Case& c : {Case{"v1-supervisor-restart.lockstep", "supervisor_restart.lua", "no process is registered"},
                        Case{"v1-timeout-race.lockstep", "timeout_race.lua", ""},
                        // Format 2 with a fault decision (a dropped message).
                        Case{"v2-gossip-leave-drop-fault.lockstep", "gossip_leave.lua", "still lists c after it left"},
                        // Format 3 with a crash fault, its restart and a node's boot process.
                        Case{"v3-kv-recovery-crash-fault.lockstep", "kv_recovery.lua", "an acknowledged write was lost"}}) {
    auto printed = run_lockstep({"replay", "--trace", data(c.trace)});
    EXPECT_EQ(printed.code, 0) << c.trace << printed.err;
    EXPECT_NE(printed.out.find("Schedule (causal slice, "), std::string::npos) << printed.out;
    auto rerun = run_lockstep({"replay", "--trace", data(c.trace), "--run", "--scenario", scenario(c.scenario)});
    EXPECT_EQ(rerun.code, 1) << c.trace << rerun.out << rerun.err;
    EXPECT_NE(rerun.out.find("reproduced: "), std::string::npos) << rerun.out;
    EXPECT_NE(rerun.out.find(c.failure), std::string::npos) << rerun.out;
  }
}

}  // namespace

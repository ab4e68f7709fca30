// `lockstep explain` on the example scenarios: the account names the steps
// that race and says which order would pass, checked by running it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

std::string trace_of(const std::string& file) {
  // One directory per test: ctest runs the tests of this file side by side.
  const std::string dir =
      fresh_dir("explain_" + file + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const auto r = run_lockstep(
      {"run", scenario(file), "--seed", "1", "--iterations", "300", "--traces-dir", dir, "-q"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".lockstep") return entry.path().string();
  }
  ADD_FAILURE() << "no trace for " << file;
  return "";
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// The table race of ets_lost_update: P1 reads the counter (line 14), P2
// writes it (line 15); with P2's write first the test passes.
TEST(ExplainCli, NamesTheRacingStepsTheirLinesAndTheOrderThatPasses) {
  const std::string trace = trace_of("ets_lost_update.lua");
  const auto r = run_lockstep({"explain", "--trace", trace});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "What failed\n  step 18: assertion in P0(root): lost update; hits is 1"))
      << r.out;
  EXPECT_TRUE(has(
      r.out, "The race that decides it\n  P1 and P2 both touched one key of table T1, P1 first:"))
      << r.out;
  EXPECT_TRUE(has(r.out, "step 6 (P1, at ")) << r.out;
  EXPECT_TRUE(has(r.out, "ets_lost_update.lua:14): ets.lookup_element T1   (reads)")) << r.out;
  EXPECT_TRUE(has(r.out, "step 10 (P2, at ")) << r.out;
  EXPECT_TRUE(has(r.out, "ets_lost_update.lua:15): ets.insert T1 {\"page\", 1}   (writes)"))
      << r.out;
  EXPECT_TRUE(has(
      r.out, "with step 10 moved before step 6, with only what it needs, the test passes (checked"))
      << r.out;
}

// Messages: lost_update's counter takes one client's get before the
// other's set; deadlock's lock takes one client's acquire while the
// other's is never taken.
TEST(ExplainCli, MessageRacesNameTheMailboxAndTheMessages) {
  const auto lost = run_lockstep({"explain", "--trace", trace_of("lost_update.lua")});
  ASSERT_EQ(lost.code, 0) << lost.err;
  EXPECT_TRUE(has(lost.out, "sent messages to P1(counter)'s mailbox")) << lost.out;
  EXPECT_TRUE(has(lost.out, "send to P1(counter) {\"get\"")) << lost.out;
  EXPECT_TRUE(has(lost.out, "send to P1(counter) {\"set\"")) << lost.out;
  EXPECT_TRUE(has(lost.out, "the test passes (checked")) << lost.out;

  const auto dead = run_lockstep({"explain", "--trace", trace_of("deadlock.lua")});
  ASSERT_EQ(dead.code, 0) << dead.err;
  EXPECT_TRUE(has(dead.out, "deadlock: no process can run")) << dead.out;
  EXPECT_TRUE(has(dead.out, "{\"acquire\", P4}\n      never taken")) << dead.out;
  EXPECT_TRUE(has(dead.out, "The race that decides it")) << dead.out;
}

// message_race's notice arrives before a reply not yet sent: no reordering
// of recorded steps avoids it, holding the sender back does.
TEST(ExplainCli, AMessageTakenBeforeOneStillToComeIsFoundByHoldingItsSenderBack) {
  const auto r = run_lockstep({"explain", "--trace", trace_of("message_race.lua")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "P2(connection)'s message came too early")) << r.out;
  EXPECT_TRUE(has(r.out, "send to P0(root) {\"connection_lost\"}")) << r.out;
  EXPECT_TRUE(has(r.out, "with P2(connection) held back at step 8")) << r.out;
}

std::string trace_in(const std::string& file, const std::vector<std::string>& extra) {
  const std::string dir =
      fresh_dir(std::string("explain_in_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::vector<std::string> args = {"run", file, "--traces-dir", dir, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_lockstep(args);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".lockstep") return entry.path().string();
  }
  ADD_FAILURE() << "no trace for " << file;
  return "";
}

// Each fault the strategy injected is checked by running the schedule
// without it (its events followed by name, so the rest stays the same
// messages): with a generous budget, the duplicate and the first drop are
// not needed, the drop of the leave to b is.
TEST(ExplainCli, EachInjectedFaultIsCheckedByRunningWithoutIt) {
  const auto r = run_lockstep({"explain", "--trace",
                               trace_in(scenario("gossip_leave.lua"), {"--seed", "1", "--strategy", "random",
                                                                       "--faults", "drop=4,duplicate=3"})});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "The strategy injected 3 faults:")) << r.out;
  EXPECT_TRUE(has(r.out, "fault.duplicate  P3@c(leaver) -> P1@a(member)  {from = P3, leave = \"c\"}\n"
                         "      without it, the test still fails the same way: the failure does not need it.\n"))
      << r.out;
  EXPECT_TRUE(has(r.out, "fault.drop  P3@c(leaver) -> P2@b(member)  {from = P3, leave = \"c\"}\n"
                         "      the failure needs it: without it, the test passes (checked: that schedule ran"))
      << r.out;
}

// A lease that expires before its renewal comes: the timer is the cause,
// ahead of the two owners' writes that race after it. A wait that times
// out before its reply is even sent: holding the timer back passes.
TEST(ExplainCli, ATimerThatEndsAWaitIsACause) {
  const std::string file = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/explain/lease_expiry.lua";
  const auto lease =
      run_lockstep({"explain", "--trace", trace_in(file, {"--test", "one holder at a time", "--seed", "1"})});
  ASSERT_EQ(lease.code, 0) << lease.err;
  EXPECT_TRUE(has(lease.out, "The race that decides it\n"
                             "  P1's timer and P3's message both went to P1's mailbox; the timer came first:\n"
                             "    step 12 (P1): timer T1 send_after {\"expire\", P3}\n"))
      << lease.out;
  EXPECT_TRUE(has(lease.out, "send to P1 {\"renew\", P3}")) << lease.out;
  EXPECT_TRUE(has(lease.out, "So this schedule fails because P1's timer fired first")) << lease.out;
  const size_t others = lease.out.find("Other races whose reversal also avoids the failure\n");
  ASSERT_NE(others, std::string::npos) << lease.out;
  EXPECT_NE(lease.out.find("  P2 and P3 both touched one key of table T1", others), std::string::npos) << lease.out;

  const auto wait =
      run_lockstep({"explain", "--trace", trace_in(file, {"--test", "the reply comes in time", "--seed", "1"})});
  ASSERT_EQ(wait.code, 0) << wait.err;
  EXPECT_TRUE(has(wait.out, "The race that decides it\n"
                            "  P0(root)'s wait timed out before any message it waited for came:\n"
                            "    step 4 (P0(root)): timer T1 receive timeout\n"))
      << wait.out;
  EXPECT_TRUE(has(wait.out, "with the timer held back until every process had gone as far as it could, the test "
                            "passes (checked"))
      << wait.out;
}

TEST(ExplainCli, WithoutTheScenarioOrWithNoCheckTheRacesAreStillReported) {
  const std::string trace = trace_of("ets_lost_update.lua");
  const auto quick = run_lockstep({"explain", "--trace", trace, "--no-check"});
  ASSERT_EQ(quick.code, 0) << quick.err;
  EXPECT_TRUE(has(quick.out, "P1 and P2 both touched one key of table T1")) << quick.out;
  EXPECT_TRUE(has(quick.out, "Not checked by running the other order")) << quick.out;
  // A trace whose scenario is gone (copied elsewhere, under another name).
  const std::string dir = fresh_dir("explain_moved");
  const std::string moved = dir + "/moved.lockstep";
  std::filesystem::copy_file(trace, moved);
  const auto gone = run_lockstep({"explain", "--trace", moved, "--scenario", dir + "/missing.lua"});
  EXPECT_EQ(gone.code, 0) << gone.err;
  EXPECT_TRUE(has(gone.err, "races are not checked")) << gone.err;
  EXPECT_TRUE(has(gone.out, "Not checked by running the other order (no scenario)")) << gone.out;
  const std::string junk = dir + "/junk.lockstep";
  std::ofstream(junk) << "junk";
  const auto bad = run_lockstep({"explain", "--trace", junk});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
}

// LOCKSTEP_EXPLAIN_CMD gets the account, the slice and the scenario on
// stdin; its answer is printed after the account.
TEST(ExplainCli, PipesAPromptToTheUsersCommandAndPrintsItsAnswer) {
  const std::string trace = trace_of("ets_lost_update.lua");
  const std::string prompt = temp_path("prompt.txt");
  ::setenv("LOCKSTEP_EXPLAIN_CMD",
           ("cat > " + shell_quote(prompt) + "; echo 'the answer: use update_counter'").c_str(), 1);
  const auto r = run_lockstep({"explain", "--trace", trace});
  ::setenv("LOCKSTEP_EXPLAIN_CMD", "exit 3", 1);
  const auto failing = run_lockstep({"explain", "--trace", trace});
  ::unsetenv("LOCKSTEP_EXPLAIN_CMD");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "The race that decides it")) << r.out;
  EXPECT_TRUE(has(r.out, "Answer from LOCKSTEP_EXPLAIN_CMD")) << r.out;
  EXPECT_TRUE(has(r.out, "the answer: use update_counter")) << r.out;
  const std::string sent = slurp(prompt);
  EXPECT_TRUE(has(sent, "=== lockstep's analysis ===")) << sent;
  EXPECT_TRUE(has(sent, "P1 and P2 both touched one key of table T1")) << sent;
  EXPECT_TRUE(has(sent, "Schedule (")) << sent;
  EXPECT_TRUE(has(sent, slurp(scenario("ets_lost_update.lua")))) << sent;
  EXPECT_EQ(failing.code, 2);
  EXPECT_TRUE(has(failing.err, "LOCKSTEP_EXPLAIN_CMD exited with status 3")) << failing.err;
}

// The prompt goes through a pipe, never a file in /tmp (where another
// user could plant a link), and a command that reads none of it is fine.
TEST(ExplainCli, ThePromptGoesThroughAPipe) {
  const std::string trace = trace_of("ets_lost_update.lua");
  ::setenv("LOCKSTEP_EXPLAIN_CMD", "if test -p /dev/stdin; then echo 'stdin is a pipe'; fi; cat > /dev/null", 1);
  const auto piped = run_lockstep({"explain", "--trace", trace});
  ::setenv("LOCKSTEP_EXPLAIN_CMD", "echo 'read nothing'", 1);
  const auto unread = run_lockstep({"explain", "--trace", trace});
  ::unsetenv("LOCKSTEP_EXPLAIN_CMD");
  EXPECT_EQ(piped.code, 0) << piped.err;
  EXPECT_TRUE(has(piped.out, "stdin is a pipe")) << piped.out;
  EXPECT_EQ(unread.code, 0) << unread.err;
  EXPECT_TRUE(has(unread.out, "read nothing")) << unread.out;
}

}  // namespace
}  // namespace lockstep::testing

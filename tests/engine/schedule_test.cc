// Schedule rows: what every output shows of a trace, built once.
#include "engine/report/schedule.h"

#include <gtest/gtest.h>

#include <sstream>

#include "engine/report/report.h"

namespace lockstep {
namespace {

// P0 spawns P1 and P2; P1 sends to P0; P2 logs and does nothing P0 sees;
// P0 takes P1's message and fails.
Trace sample() {
  Trace t;
  t.processes = {{0, "root"}, {1, "sender"}};
  t.events = {{1, StepKind::kSpawn, 0, 1, ""},        {2, StepKind::kSpawn, 0, 2, ""},
              {3, StepKind::kSend, 1, 0, "\"hi\""},    {4, StepKind::kStart, 2, -1, ""},
              {5, StepKind::kReceive, 0, 1, "\"hi\""}, {6, StepKind::kExit, 0, -1, "reason=\"boom\""}};
  const Access to_root{object::mailbox(0), true};
  const std::span<const Access> send(&to_root, 1);
  t.facts.add({1, EventKey::process(0), StepKind::kSpawn, 0, 0, 0, {}, {}, {}});
  t.facts.add({2, EventKey::process(0), StepKind::kSpawn, 0, 0, 0, {}, {}, {}});
  t.facts.add({3, EventKey::process(1), StepKind::kSend, 1, 0, 1, send, {}, {}});
  t.facts.add({4, EventKey::process(2), StepKind::kStart, 2, 0, 2, {}, {}, {}});
  t.facts.add({5, EventKey::process(0), StepKind::kReceive, 0, 3, 3, send, {}, {}});
  t.facts.add({6, EventKey::process(0), StepKind::kExit, 0, 0, 0, {}, {}, {}});
  t.logs = {{4, 2, "idle"}};
  t.failure = {FailureKind::kAssertion, 6, 0, "boom", "", ""};
  return t;
}

TEST(Schedule, RowsNameProcessesAndMarkTheSliceAndTheFailure) {
  const Trace t = sample();
  const Schedule s(t, true);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_TRUE(s.sliced());
  EXPECT_EQ(s.slice_size(), 5u);  // P2's start is not in the past of the failure
  EXPECT_EQ(s.row(0).actor, "P0(root)");
  EXPECT_EQ(s.row(0).peer, "P1(sender)");
  EXPECT_EQ(s.row(1).peer, "P2");
  EXPECT_FALSE(s.row(3).in_slice);
  EXPECT_TRUE(s.row(2).carries_message);
  EXPECT_TRUE(s.row(5).failed);
  EXPECT_FALSE(s.row(4).failed);
  ASSERT_EQ(s.row(3).logs.size(), 1u);
  EXPECT_EQ(s.row(3).logs[0], "P2: idle");
  for (size_t i : {0, 1, 2, 4, 5}) EXPECT_TRUE(s.row(i).logs.empty()) << i;
}

TEST(Schedule, ALogLineBelongsToTheFirstStepAtOrAfterIt) {
  Trace t = sample();
  t.logs = {{0, 0, "before any step"}, {3, 1, "at the send"}, {3, 1, "again"}, {5, 0, "taken"}};
  t.events.insert(t.events.begin() + 3, Event{3, StepKind::kExit, 1, -1, ""});  // a second row of step 3
  const Schedule s(t, false);
  EXPECT_EQ(s.row(0).logs, std::vector<std::string>{"P0(root): before any step"});
  EXPECT_EQ(s.row(2).logs, (std::vector<std::string>{"P1(sender): at the send", "P1(sender): again"}));
  EXPECT_TRUE(s.row(3).logs.empty());  // the same step again: its lines went to the first row
  EXPECT_TRUE(s.row(4).logs.empty());
  EXPECT_EQ(s.row(5).logs, std::vector<std::string>{"P0(root): taken"});
}

TEST(Schedule, UnslicedRowsAreAllShown) {
  const Trace t = sample();
  const Schedule s(t, false);
  EXPECT_FALSE(s.sliced());
  EXPECT_EQ(s.slice_size(), 6u);
}

TEST(Schedule, TheTextRendererPrintsTheSliceFromRows) {
  std::ostringstream out;
  TextStyle style;
  print_schedule(out, sample(), style);
  const std::string text = out.str();
  EXPECT_NE(text.find("Schedule (causal slice, 5 of 6 steps):"), std::string::npos) << text;
  EXPECT_NE(text.find("step 5    receive    P0(root) <- P1(sender)  \"hi\""), std::string::npos) << text;
  EXPECT_NE(text.find("<-- FAILED HERE"), std::string::npos);
  EXPECT_EQ(text.find("P2: idle"), std::string::npos);  // its step is not shown
}

// A run's faults as fields: a message's sender and recipient (or the name
// it was sent to), a node fault's node, whatever the node is called.
TEST(InjectedFaults, GiveKindStepAndTarget) {
  Trace t = sample();
  t.processes.push_back({3, "leaver", "c node"});
  t.events = {{4, StepKind::kFaultDrop, 3, 0, "{leave = 1}"},
              {5, StepKind::kFaultDuplicate, 3, -1, "(views) {1}"},
              {6, StepKind::kFaultCrash, -1, -1, "c node (2 processes lost)"},
              {7, StepKind::kFaultRestart, -1, -1, "c node"},
              {8, StepKind::kFaultPartition, -1, -1, "b cut off from every node"},
              {9, StepKind::kFaultHeal, -1, -1, "b reconnected"},
              {10, StepKind::kSend, 0, 1, "not a fault"}};
  const std::vector<InjectedFault> f = injected_faults(t);
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].kind, "drop");
  EXPECT_EQ(f[0].step, 4u);
  EXPECT_EQ(f[0].process, "P3@c node(leaver)");
  EXPECT_EQ(f[0].target, "P0@main(root)");
  EXPECT_EQ(f[0].detail, "{leave = 1}");
  EXPECT_EQ(f[0].line, "step 4  fault.drop  P3@c node(leaver) -> P0@main(root)  {leave = 1}");
  EXPECT_EQ(f[1].kind, "duplicate");
  EXPECT_EQ(f[1].target, "views");
  EXPECT_EQ(f[1].detail, "{1}");
  EXPECT_EQ(f[2].kind, "crash");
  EXPECT_EQ(f[2].process, "");
  EXPECT_EQ(f[2].target, "c node");
  EXPECT_EQ(f[2].detail, "2 processes lost");
  EXPECT_EQ(f[3].target, "c node");
  EXPECT_EQ(f[4].target, "b");
  EXPECT_EQ(f[4].detail, "cut off from every node");
  EXPECT_EQ(f[5].kind, "heal");
  EXPECT_EQ(f[5].target, "b");
}

class CountingReporter final : public Reporter {
 public:
  void load_error(const std::string&) override { ++calls; }
  void bug_found(const TestReport&, const Trace&) override { ++calls; }
  void test_finished(const TestReport&) override { ++calls; }
  void run_finished(const RunSummary&) override { ++calls; }
  int calls = 0;
};

TEST(Reporters, AFanoutReachesEveryReporterAndFormatsComeFromOneTable) {
  FanoutReporter fan;
  auto a = std::make_unique<CountingReporter>();
  auto b = std::make_unique<CountingReporter>();
  CountingReporter* pa = a.get();
  CountingReporter* pb = b.get();
  fan.add(std::move(a));
  fan.add(std::move(b));
  fan.test_finished({});
  fan.run_finished({});
  EXPECT_EQ(pa->calls, 2);
  EXPECT_EQ(pb->calls, 2);
  ASSERT_NE(find_report_format("text"), nullptr);
  ASSERT_NE(find_report_format("json"), nullptr);
  EXPECT_EQ(find_report_format("xml"), nullptr);
}

}  // namespace
}  // namespace lockstep

namespace lockstep {
namespace {

// The progress line (a terminal's stderr) names the test in at most 40
// characters, cut between words.
TEST(TextReporter, TheProgressLineCutsALongNameBetweenWords) {
  std::ostringstream out, err;
  TextStyle style;
  style.progress = true;
  TextReporter reporter(out, err, style);
  reporter.progress("every participant reaches the same outcome after a crash", 5, 10, 1.0);
  EXPECT_NE(err.str().find("  every participant reaches the same...: 5/10 iterations"), std::string::npos)
      << err.str();
  reporter.search_progress("short name", {7, 9, 0, std::nullopt, 1.0});
  EXPECT_NE(err.str().find("  short name: 7 schedules explored; 9 runs/s"), std::string::npos) << err.str();
  // A search that remembers states shows them first.
  reporter.search_progress("cached", {7, 2000, 0, 12345, 1.0});
  EXPECT_NE(err.str().find("  cached: 12,345 states, 7 schedules explored; 2000 runs/s"), std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace lockstep

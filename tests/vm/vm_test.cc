// VM semantics with a scripted guest (tests/vm/fake_guest.h).
#include "vm/vm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "engine/scheduler.h"
#include "engine/strategy.h"
#include "tests/vm/fake_guest.h"

namespace lockstep::vm {
namespace {

using testing::Action;
using testing::FakeGuest;
using testing::VmRun;
using testing::receive_any;
using testing::send_to;

TEST(Vm, MessagesBetweenOnePairArriveInSendOrder) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    VmRun r;
    const ValueRef child = r.guest.script({send_to(0, 1), send_to(0, 2), send_to(0, 3)});
    r.vm.start_root(r.guest.script({
        [child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
        receive_any(), receive_any(), receive_any(),
    }));
    ASSERT_EQ(r.go(seed).outcome, Outcome::kPassed);
    auto& got = r.guest.received[0];
    ASSERT_EQ(got.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(r.guest.payload(got[i]), i + 1);
  }
}

TEST(Vm, ProcessEndIsAStepOfItsOwn) {
  VmRun r;
  const ValueRef child = r.guest.script({});
  r.vm.start_root(r.guest.script({[child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
                                  receive_any()}));
  struct Zero : ChoiceSource {
    uint64_t choose(uint64_t) override { return 0; }
  } zero;
  r.vm.step(r.vm.enabled()[0], zero);  // root starts and posts spawn
  r.vm.step(r.vm.enabled()[0], zero);  // spawn
  // The child starts, returns at once, and then has its exit pending.
  auto find = [&](uint32_t pid) {
    for (const Op& op : r.vm.enabled()) {
      if (op.key == EventKey::process(pid)) return op;
    }
    return Op{};
  };
  Op start = find(1);
  EXPECT_EQ(start.step, StepKind::kStart);
  r.vm.step(start, zero);
  EXPECT_TRUE(r.vm.is_alive(1) == false);  // ending, no longer counts as alive
  EXPECT_EQ(find(1).step, StepKind::kExit);
}

TEST(Vm, UnprotectedCrashIsABugAndRunsNext) {
  VmRun r;
  const ValueRef child = r.guest.script({[](Vm&, Reply&, FakeGuest& g) { g.raise(); }});
  r.vm.start_root(r.guest.script({[child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
                                  receive_any()}));
  auto res = r.go();
  EXPECT_EQ(res.outcome, Outcome::kFailed);
  EXPECT_EQ(res.failure.kind, FailureKind::kCrash);
  EXPECT_EQ(res.failure.pid, 1);
}

TEST(Vm, TrappedLinkedCrashArrivesAsExitMessage) {
  VmRun r;
  const ValueRef child = r.guest.script({[](Vm&, Reply&, FakeGuest& g) { g.raise(); }});
  r.vm.start_root(r.guest.script({
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_trap_exit(true); },
      [child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kLink); },
      receive_any(),
  }));
  auto res = r.go();
  ASSERT_EQ(res.outcome, Outcome::kPassed) << res.failure.message;
  ASSERT_EQ(r.guest.received[0].size(), 1u);
  EXPECT_EQ(r.guest.received[0][0].kind, Message::Kind::kExit);
  EXPECT_EQ(r.guest.received[0][0].from, 1u);
}

TEST(Vm, LinkedAbnormalExitKillsNonTrappingPartner) {
  VmOptions options;
  options.allow_crashes = true;  // the crash itself is no bug
  VmRun r(options);
  const ValueRef crasher = r.guest.script({[](Vm&, Reply&, FakeGuest& g) { g.raise(); }});
  r.vm.start_root(r.guest.script({
      [crasher](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(crasher, Vm::SpawnMode::kLink); },
      receive_any(),
  }));
  // The root is linked to the crasher and does not trap: it dies with the
  // crasher's reason, and a root ending abnormally is an assertion bug.
  auto res = r.go();
  EXPECT_EQ(res.outcome, Outcome::kFailed);
  EXPECT_EQ(res.failure.kind, FailureKind::kAssertion);
  EXPECT_EQ(res.failure.pid, 0);
}

TEST(Vm, KillIsUntrappableAndReportsKilled) {
  VmRun r;
  const ValueRef victim = r.guest.script({[](Vm& vm, Reply&, FakeGuest&) { vm.post_trap_exit(true); },
                                          receive_any()});
  Pid victim_pid = 0;
  r.vm.start_root(r.guest.script({
      [victim](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(victim, Vm::SpawnMode::kPlain); },
      [&victim_pid](Vm& vm, Reply& rep, FakeGuest&) {
        victim_pid = static_cast<Pid>(rep.u);
        vm.post_monitor(victim_pid);
      },
      [&victim_pid](Vm& vm, Reply&, FakeGuest&) { vm.post_signal(victim_pid, Reason{ReasonKind::kKill, 0}); },
      receive_any(),
  }));
  ASSERT_EQ(r.go().outcome, Outcome::kPassed);
  ASSERT_EQ(r.guest.received[0].size(), 1u);
  const Message& down = r.guest.received[0][0];
  EXPECT_EQ(down.kind, Message::Kind::kDown);
  EXPECT_EQ(down.reason.kind, ReasonKind::kKilled);
}

TEST(Vm, MonitoringADeadProcessGivesNoproc) {
  VmRun r;
  const ValueRef child = r.guest.script({});
  Pid child_pid = 0;
  r.vm.start_root(r.guest.script({
      [child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
      [&child_pid](Vm& vm, Reply& rep, FakeGuest&) {
        child_pid = static_cast<Pid>(rep.u);
        vm.post_sleep(10);  // the child runs and ends meanwhile
      },
      [&child_pid](Vm& vm, Reply&, FakeGuest&) { vm.post_monitor(child_pid); },
      receive_any(),
  }));
  ASSERT_EQ(r.go().outcome, Outcome::kPassed);
  ASSERT_EQ(r.guest.received[0].size(), 1u);
  EXPECT_EQ(r.guest.received[0][0].kind, Message::Kind::kDown);
  EXPECT_EQ(r.guest.received[0][0].reason.kind, ReasonKind::kNoproc);
}

TEST(Vm, SelectiveReceiveTestsEachMessageOnce) {
  VmRun r;
  std::vector<Action> flood;
  for (int i = 0; i < 1000; ++i) flood.push_back(send_to(0, 1));
  flood.push_back(send_to(0, 2));
  const ValueRef sender = r.guest.script(flood);
  r.vm.start_root(r.guest.script({
      [sender](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(sender, Vm::SpawnMode::kPlain); },
      [](Vm& vm, Reply&, FakeGuest& g) {
        vm.post_receive(g.matcher([&g](const Message& m) { return g.payload(m) == 2; }), -1);
      },
  }));
  ASSERT_EQ(r.go().outcome, Outcome::kPassed);
  ASSERT_EQ(r.guest.received[0].size(), 1u);
  EXPECT_EQ(r.guest.payload(r.guest.received[0][0]), 2);
  EXPECT_EQ(r.guest.match_calls, 1001);  // never a re-scan
}

TEST(Vm, QuiescentTimersFireOnlyWhenNothingElseCanRun) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    VmRun r;
    std::vector<Action> busy;
    for (int i = 0; i < 20; ++i) busy.push_back(send_to(1, 0));  // sends to itself
    const ValueRef worker = r.guest.script(busy);
    int64_t woke_at = -1;
    r.vm.start_root(r.guest.script({
        [worker](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(worker, Vm::SpawnMode::kPlain); },
        [](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(5); },
        [&woke_at](Vm& vm, Reply&, FakeGuest&) {
          woke_at = vm.now();
          vm.post_is_alive(1);
        },
    }));
    ASSERT_EQ(r.go(seed).outcome, Outcome::kPassed);
    EXPECT_EQ(woke_at, 5);
    EXPECT_EQ(r.guest.replies[0].back(), Reply::Kind::kBool);
  }
}

// While the root sleeps until a later deadline, no run can end before the
// timers due now fire (dfs makes no branch of each): the query says so
// then, and not while the root waits in a receive, which a message ends.
TEST(Vm, TheRootWaitsForTimeOnlyWhileItSleepsPastNow) {
  for (const bool root_sleeps : {true, false}) {
    SCOPED_TRACE(root_sleeps);
    VmRun r;
    bool waits = !root_sleeps;
    int64_t at = -1;
    const ValueRef worker = r.guest.script({
        [](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(10); },
        [&](Vm& vm, Reply&, FakeGuest&) {
          waits = vm.root_waits_for_time();
          at = vm.now();
          vm.post_is_alive(0);
        },
        send_to(0, 1),
    });
    EXPECT_FALSE(r.vm.root_waits_for_time()) << "before the root runs";
    std::vector<Action> root{[worker](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(worker, Vm::SpawnMode::kPlain); }};
    if (root_sleeps) {
      root.push_back([](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(100); });
    } else {
      root.push_back(receive_any());
    }
    r.vm.start_root(r.guest.script(root));
    ASSERT_EQ(r.go().outcome, Outcome::kPassed);
    EXPECT_EQ(at, 10);
    EXPECT_EQ(waits, root_sleeps) << "when the worker's sleep ended";
  }
}

TEST(Vm, ReceiveTimeoutReturnsNilAfterTheDeadline) {
  VmRun r;
  int64_t at = -1;
  r.vm.start_root(r.guest.script({
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 30); },
      [&at](Vm& vm, Reply& rep, FakeGuest&) {
        at = vm.now();
        EXPECT_EQ(rep.kind, Reply::Kind::kNil);
      },
  }));
  ASSERT_EQ(r.go().outcome, Outcome::kPassed);
  EXPECT_EQ(at, 30);
}

TEST(Vm, RegisteringATakenNameRaisesInTheCaller) {
  VmRun r;
  r.vm.start_root(r.guest.script({
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_register(vm.intern("x"), 0); },
      [](Vm& vm, Reply& rep, FakeGuest&) {
        EXPECT_EQ(rep.kind, Reply::Kind::kBool);
        vm.post_register(vm.intern("x"), 0);
      },
      [](Vm& vm, Reply& rep, FakeGuest&) {
        EXPECT_EQ(rep.kind, Reply::Kind::kError);
        EXPECT_NE(rep.error.find("already registered"), std::string::npos);
        vm.post_whereis(vm.intern("x"));
      },
      [](Vm&, Reply& rep, FakeGuest&) {
        EXPECT_EQ(rep.kind, Reply::Kind::kPid);
        EXPECT_EQ(rep.u, 0u);
      },
  }));
  EXPECT_EQ(r.go().outcome, Outcome::kPassed);
}

TEST(Vm, NamesAreReleasedWhenTheOwnerExits) {
  VmRun r;
  const ValueRef child = r.guest.script({[](Vm& vm, Reply&, FakeGuest&) { vm.post_register(vm.intern("w"), vm.self()); }});
  r.vm.start_root(r.guest.script({
      [child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
      [](Vm& vm, Reply& rep, FakeGuest&) { vm.post_monitor(static_cast<Pid>(rep.u)); },
      receive_any(),
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_whereis(vm.intern("w")); },
      [](Vm&, Reply& rep, FakeGuest&) { EXPECT_EQ(rep.kind, Reply::Kind::kNil); },
  }));
  EXPECT_EQ(r.go().outcome, Outcome::kPassed);
}

TEST(Vm, DeadlockListsBlockedProcesses) {
  VmRun r;
  const ValueRef child = r.guest.script({receive_any()});
  r.vm.start_root(r.guest.script({[child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
                                  receive_any()}));
  auto res = r.go();
  ASSERT_EQ(res.outcome, Outcome::kFailed);
  EXPECT_EQ(res.failure.kind, FailureKind::kDeadlock);
  EXPECT_NE(res.failure.details.find("P0(root) waits in receive"), std::string::npos) << res.failure.details;
  EXPECT_NE(res.failure.details.find("P1 waits in receive"), std::string::npos);
}


// --- Faults the strategy injects (vm/ops_faults.cc), driven step by step.

class NoChoices final : public ChoiceSource {
 public:
  uint64_t choose(uint64_t) override { return 0; }
};

// Runs the first enabled event that `want` accepts; false if none.
bool step_where(Vm& vm, const std::function<bool(const Op&)>& want) {
  NoChoices choices;
  for (const Op& op : vm.enabled()) {
    if (want(op)) {
      vm.step(Op(op), choices);
      return true;
    }
  }
  return false;
}
bool is_process(const Op& op) { return op.key.kind == EventKind::kProcess; }

// The root's own sleep timer, due now: dfs fires it first of the timers
// due with it. The query names it while it is due (and enabled), and
// names nothing while the root sleeps past now (the worker's timer fires
// alone at 10) or waits in a receive whose timeout is due (a message
// could end that first).
TEST(Vm, TheRootsDueTimerIsNamedOnlyWhileItsSleepIsDue) {
  enum class Root { kSleepsAsLong, kSleepsLonger, kReceives };
  for (const Root how : {Root::kSleepsAsLong, Root::kSleepsLonger, Root::kReceives}) {
    SCOPED_TRACE(static_cast<int>(how));
    VmRun r;
    const ValueRef worker = r.guest.script({[](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(10); }});
    std::vector<Action> root{[worker](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(worker, Vm::SpawnMode::kPlain); }};
    if (how == Root::kReceives) {
      root.push_back([](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 10); });
    } else {
      root.push_back([how](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(how == Root::kSleepsAsLong ? 10 : 100); });
    }
    r.vm.start_root(r.guest.script(root));
    std::vector<int64_t> named;  // when
    for (int steps = 0; steps < 20; ++steps) {
      if (r.vm.enabled().empty() && !r.vm.advance_time()) break;
      if (const std::optional<EventKey> due = r.vm.roots_due_timer()) {
        named.push_back(r.vm.now());
        EXPECT_EQ(due->kind, EventKind::kTimer);
        ASSERT_TRUE(step_where(r.vm, [&](const Op& op) { return op.key == *due; })) << "named, but not enabled";
        EXPECT_FALSE(r.vm.roots_due_timer()) << "fired";
      } else {
        // The worker's timer first, then anything: the root's is named
        // as long as it is due and has not fired.
        ASSERT_TRUE(step_where(r.vm, [](const Op&) { return true; }));
      }
    }
    EXPECT_EQ(named, how == Root::kSleepsAsLong   ? std::vector<int64_t>{10}
                     : how == Root::kSleepsLonger ? std::vector<int64_t>{100}
                                                  : std::vector<int64_t>{});
  }
}
bool has(Vm& vm, StepKind kind) {
  for (const Op& op : vm.enabled()) {
    if (op.step == kind) return true;
  }
  return false;
}

Action start_nodes_ab() {
  return [](Vm& vm, Reply&, FakeGuest&) { vm.post_start_nodes({vm.intern("a"), vm.intern("b")}); };
}
Action spawn_on(ValueRef body, NodeId node) {
  return [body, node](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(body, Vm::SpawnMode::kPlain, node); };
}

// A heal or partition writes only the directions it changes, and reads
// the others it names: a heal of what is not cut commutes with every
// message crossing between the nodes (dfs counts fewer classes of a test
// that heals at its end), and a cut writes what it cuts. The event offered
// before it runs says so too.
// A receive whose timer fired has committed to returning nil: its step
// touches its mailbox no more (a message sent after the timeout changes
// nothing it does), so a search takes it as commuting with such sends. A
// receive that found a message still writes the mailbox it takes from.
TEST(Vm, AReceiveThatTimedOutTouchesNoMailbox) {
  VmRun r;
  r.vm.start_root(r.guest.script({
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 30); },
      [](Vm& vm, Reply&, FakeGuest& g) { vm.post_send({0, 0}, g.value(7)); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 30); },
      [](Vm&, Reply& rep, FakeGuest&) { EXPECT_EQ(rep.kind, Reply::Kind::kMessage); },
  }));
  NoChoices choices;
  std::vector<Op> receives;
  while (!r.vm.enabled().empty() || r.vm.advance_time()) {
    const Op op = r.vm.enabled()[0];
    if (op.key.kind == EventKind::kProcess && op.step == StepKind::kReceive) receives.push_back(op);
    r.vm.step(op, choices);
  }
  ASSERT_EQ(receives.size(), 2u);
  EXPECT_EQ(receives[0].object, 0u) << "timed out";
  EXPECT_EQ(receives[1].object, object::mailbox(0)) << "took the message sent to itself";
  EXPECT_TRUE(receives[1].writes);
}

// What the runtime predicts a timer's firing will touch (a search judges
// from it whether the step before commutes with the timer) holds every
// access the firing makes: a send_after's, a receive timeout's and
// sleeps', each fired early (timers = "any"). (Leaving the clock out of the
// prediction fails it.)
TEST(Vm, ATimersPredictedFootprintHoldsWhatItsFiringTouches) {
  VmOptions o;
  o.timers = TimerMode::kAny;
  VmRun r(o);
  const ValueRef child = r.guest.script({
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 50); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(30); },
  });
  r.vm.start_root(r.guest.script({
      [child](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(child, Vm::SpawnMode::kPlain); },
      [](Vm& vm, Reply&, FakeGuest& g) { vm.post_send_after({1, 0}, g.value(5), 20); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, 40); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_sleep(10); },
  }));
  NoChoices choices;
  int fired = 0;
  while (!r.vm.enabled().empty() || r.vm.advance_time()) {
    std::span<const Op> enabled = r.vm.enabled();
    Op op = enabled[0];
    for (const Op& e : enabled) {
      if (e.key.kind == EventKind::kTimer) op = e;  // fire timers as soon as offered
    }
    std::vector<Access> predicted;
    const bool known = op.key.kind == EventKind::kTimer && r.vm.timer_footprint(op, predicted);
    const StepResult res = r.vm.step(op, choices);
    if (op.key.kind != EventKind::kTimer) continue;
    ASSERT_TRUE(known) << "timer " << op.key.id;
    ++fired;
    for (const Access& a : res.facts.accesses) {
      const bool covered = std::any_of(predicted.begin(), predicted.end(), [&](const Access& p) {
        return p.object == a.object && (p.writes || !a.writes);
      });
      EXPECT_TRUE(covered) << "timer " << op.key.id << " touched " << std::hex << a.object << " (writes " << a.writes
                           << ") unpredicted";
    }
  }
  // The send_after (its message ends the child's receive), the root's
  // receive timeout, and both sleeps.
  EXPECT_EQ(fired, 4);
}

TEST(Vm, ACutOrHealWritesOnlyTheDirectionsItChanges) {
  VmRun r;
  const auto heal_all = [](Vm& vm, Reply&, FakeGuest&) { vm.post_heal({}, {}); };
  r.vm.start_root(r.guest.script({
      start_nodes_ab(), heal_all,
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_partition({vm.intern("a")}, {vm.intern("b")}, Cut::kDefer, false); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_partition({vm.intern("a")}, {vm.intern("b")}, Cut::kDefer, false); },
      heal_all, heal_all,
  }));
  NoChoices choices;
  const uint64_t ab = object::reach(1, 2), ba = object::reach(2, 1);
  // Per cluster step: whether the event offered writes, and what it wrote
  // among the reach and node objects.
  std::vector<std::pair<bool, std::set<uint64_t>>> seen;
  while (!r.vm.enabled().empty()) {
    const Op op = r.vm.enabled()[0];
    const StepResult res = r.vm.step(op, choices);
    if (op.step != StepKind::kHeal && op.step != StepKind::kPartition) continue;
    std::set<uint64_t> written;
    for (const Access& a : res.facts.accesses) {
      const uint64_t tag = a.object & object::kTagMask;
      if (a.writes && (tag == object::kReach || tag == object::kNode)) written.insert(a.object);
    }
    seen.emplace_back(op.writes, written);
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_FALSE(seen[0].first) << "a heal of nothing cut";
  EXPECT_EQ(seen[0].second, std::set<uint64_t>{});
  EXPECT_TRUE(seen[1].first) << "a cut";
  EXPECT_EQ(seen[1].second, (std::set<uint64_t>{ab, ba}));
  EXPECT_FALSE(seen[2].first) << "a cut of what is cut so already";
  EXPECT_EQ(seen[2].second, std::set<uint64_t>{});
  EXPECT_TRUE(seen[3].first) << "a heal of a cut";
  EXPECT_EQ(seen[3].second, (std::set<uint64_t>{ab, ba}));
  EXPECT_FALSE(seen[4].first) << "healed already";
  EXPECT_EQ(seen[4].second, std::set<uint64_t>{});
}

TEST(VmFaults, ADropIsOfferedWithADeliverableMessageUntilTheBudgetIsSpent) {
  VmOptions options;
  options.faults.drop = 1;
  VmRun r(options);
  const ValueRef receiver = r.guest.script({receive_any(), receive_any()});
  const ValueRef sender = r.guest.script({send_to(1, 7), send_to(1, 8)});
  r.vm.start_root(r.guest.script({start_nodes_ab(), spawn_on(receiver, 2), spawn_on(sender, 1), receive_any()}));
  // Processes run until the first message is in flight: a delivery, and
  // after everything else, the fault that drops it.
  while (!has(r.vm, StepKind::kDeliver)) ASSERT_TRUE(step_where(r.vm, is_process));
  auto enabled = r.vm.enabled();
  ASSERT_EQ(enabled.back().step, StepKind::kFaultDrop);
  EXPECT_EQ(enabled.back().key.kind, EventKind::kFault);
  EXPECT_FALSE(has(r.vm, StepKind::kFaultCrash));  // not in this budget
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.step == StepKind::kFaultDrop; }));
  // The budget is spent: the second message can only be delivered.
  while (!has(r.vm, StepKind::kDeliver)) ASSERT_TRUE(step_where(r.vm, is_process));
  EXPECT_FALSE(has(r.vm, StepKind::kFaultDrop));
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.step == StepKind::kDeliver; }));
  while (step_where(r.vm, [](const Op& op) { return op.key == EventKey::process(1); })) {}
  ASSERT_EQ(r.guest.received[1].size(), 1u);
  EXPECT_EQ(r.guest.payload(r.guest.received[1][0]), 8);
}

TEST(VmFaults, ADuplicateDeliversACopyAndKeepsTheMessageInFlight) {
  VmOptions options;
  options.faults.duplicate = 1;
  VmRun r(options);
  const ValueRef receiver = r.guest.script({receive_any(), receive_any()});
  const ValueRef sender = r.guest.script({send_to(1, 7)});
  r.vm.start_root(r.guest.script({start_nodes_ab(), spawn_on(receiver, 2), spawn_on(sender, 1), receive_any()}));
  while (!has(r.vm, StepKind::kDeliver)) ASSERT_TRUE(step_where(r.vm, is_process));
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.step == StepKind::kFaultDuplicate; }));
  EXPECT_TRUE(has(r.vm, StepKind::kDeliver));
  EXPECT_FALSE(has(r.vm, StepKind::kFaultDuplicate));
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.step == StepKind::kDeliver; }));
  while (step_where(r.vm, [](const Op& op) { return op.key == EventKey::process(1); })) {}
  ASSERT_EQ(r.guest.received[1].size(), 2u);
  EXPECT_EQ(r.guest.payload(r.guest.received[1][0]), 7);
  EXPECT_EQ(r.guest.payload(r.guest.received[1][1]), 7);
}

TEST(VmFaults, APartitionFaultHealsWhenNothingElseCouldEverRun) {
  VmOptions options;
  options.faults.partition = 1;
  VmRun r(options);
  const ValueRef sender = r.guest.script({send_to(0, 5)});
  r.vm.start_root(r.guest.script({start_nodes_ab(), spawn_on(sender, 2), receive_any()}));
  while (!has(r.vm, StepKind::kDeliver)) ASSERT_TRUE(step_where(r.vm, is_process));
  // Cut node b (index 2) off: its message to the root is held.
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.key == EventKey{EventKind::kFault, 2 * 8 + 4}; }));
  EXPECT_FALSE(has(r.vm, StepKind::kDeliver));
  EXPECT_FALSE(has(r.vm, StepKind::kFaultPartition));  // the budget is spent
  while (step_where(r.vm, is_process)) {}
  // Nothing else can run and no timer is armed: only the heal is offered.
  EXPECT_TRUE(r.vm.enabled().empty());
  ASSERT_TRUE(r.vm.advance_time());
  ASSERT_EQ(r.vm.enabled().size(), 1u);
  EXPECT_EQ(r.vm.enabled()[0].step, StepKind::kFaultHeal);
  ASSERT_TRUE(step_where(r.vm, [](const Op&) { return true; }));
  EXPECT_TRUE(has(r.vm, StepKind::kDeliver));
}

// A heal of everything also heals what a partition fault cut: where the
// program healed those ways already, it changes no way, but the fault's
// heal is no longer offered.
TEST(VmFaults, AHealOfEverythingEndsAPartitionFaultWhoseWaysWereHealed) {
  VmOptions options;
  options.faults.partition = 1;
  VmRun r(options);
  r.vm.start_root(r.guest.script({
      start_nodes_ab(),
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_heal({vm.intern("b")}, {}); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_heal({}, {}); },
      [](Vm& vm, Reply&, FakeGuest&) { vm.post_heal({}, {}); },  // keeps something beside the faults
  }));
  ASSERT_TRUE(step_where(r.vm, is_process));  // start
  ASSERT_TRUE(step_where(r.vm, is_process));  // start_nodes
  // Cut node b (index 2) off, then the program heals b with every node.
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.key == EventKey{EventKind::kFault, 2 * 8 + 4}; }));
  EXPECT_TRUE(has(r.vm, StepKind::kFaultHeal));
  ASSERT_TRUE(step_where(r.vm, is_process));  // heal(b)
  EXPECT_TRUE(has(r.vm, StepKind::kFaultHeal)) << "the fault's cut is still its own";
  ASSERT_TRUE(step_where(r.vm, is_process));  // heal()
  ASSERT_TRUE(has(r.vm, StepKind::kHeal));
  EXPECT_FALSE(has(r.vm, StepKind::kFaultHeal)) << "healed by the program";
}

TEST(VmFaults, ACrashedNodeMayRestartAndTheRootsNodeNeverCrashes) {
  VmOptions options;
  options.faults.crash = 1;
  VmRun r(options);
  const ValueRef idle = r.guest.script({receive_any()});
  r.vm.start_root(r.guest.script({start_nodes_ab(), spawn_on(idle, 1), receive_any()}));
  while (!has(r.vm, StepKind::kFaultCrash)) ASSERT_TRUE(step_where(r.vm, is_process));
  for (const Op& op : r.vm.enabled()) {
    if (op.step == StepKind::kFaultCrash) {
      EXPECT_NE(op.key.id >> 3, 0u) << "main never crashes";
    }
  }
  ASSERT_TRUE(step_where(r.vm, [](const Op& op) { return op.key == EventKey{EventKind::kFault, 1 * 8 + 2}; }));
  EXPECT_FALSE(r.vm.is_alive(1));
  EXPECT_FALSE(has(r.vm, StepKind::kFaultCrash));
  EXPECT_TRUE(has(r.vm, StepKind::kFaultRestart));
  // ls.cluster.faults(false) withdraws new faults, never a restart.
  r.vm.set_faults_enabled(false);
  EXPECT_TRUE(has(r.vm, StepKind::kFaultRestart));
}

}  // namespace
}  // namespace lockstep::vm

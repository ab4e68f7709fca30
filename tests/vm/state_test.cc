// The iteration's state as data: a fingerprint that two orders of
// independent steps reaching one state share, and that any observable
// difference changes.
#include <gtest/gtest.h>

#include "tests/vm/fake_guest.h"

namespace lockstep::vm {
namespace {

using testing::Action;
using testing::FakeGuest;
using testing::VmRun;

struct Zero : ChoiceSource {
  uint64_t choose(uint64_t) override { return 0; }
};

// Runs the event of `pid` (a process, or with `timer` a timer) that is
// enabled now; fails the test if there is none.
void run(VmRun& r, uint32_t id, EventKind kind = EventKind::kProcess) {
  Zero zero;
  for (const Op& op : r.vm.enabled()) {
    if (op.key == EventKey{kind, id}) {
      r.vm.step(Op(op), zero);
      return;
    }
  }
  ADD_FAILURE() << "no enabled event " << event_key_name({kind, id});
}

Action spawn(ValueRef body, Vm::SpawnMode mode = Vm::SpawnMode::kPlain) {
  return [body, mode](Vm& vm, Reply&, FakeGuest&) { vm.post_spawn(body, mode); };
}
Action send_self(int64_t v) {
  return [v](Vm& vm, Reply&, FakeGuest& g) { vm.post_send({vm.self(), 0}, g.value(v)); };
}
Action send_after_self(int64_t v, int64_t ms) {
  return [v, ms](Vm& vm, Reply&, FakeGuest& g) { vm.post_send_after({vm.self(), 0}, g.value(v), ms); };
}
Action receive_any() {
  return [](Vm& vm, Reply&, FakeGuest&) { vm.post_receive(0, -1); };
}

// Root spawns two workers; each spawns a child linked to it and sends
// itself `v`. Which pid each child gets depends on the order.
struct TwoWorkers {
  VmRun r;
  explicit TwoWorkers(int64_t v = 7) {
    const ValueRef leaf = r.guest.script({receive_any()});
    const ValueRef worker = r.guest.script({spawn(leaf, Vm::SpawnMode::kLink), send_self(v), receive_any()});
    r.vm.start_root(r.guest.script({spawn(worker), spawn(worker), receive_any()}));
    run(r, 0);  // root starts, posts its first spawn
    run(r, 0);  // P1
    run(r, 0);  // P2; the root then waits
  }
};

TEST(StateFingerprint, TwoOrdersOfIndependentStepsReachOneFingerprint) {
  // P1 and P2 each spawn a child and send to themselves; run in either
  // order, the children get each other's pids, and the states are one.
  TwoWorkers a, b;
  for (uint32_t pid : {1u, 1u, 2u, 2u}) run(a.r, pid);  // P1 spawns P3, P2 spawns P4
  for (uint32_t pid : {2u, 2u, 1u, 1u}) run(b.r, pid);  // P2 spawns P3, P1 spawns P4
  run(a.r, 3), run(a.r, 4);
  run(b.r, 4), run(b.r, 3);
  EXPECT_EQ(a.r.vm.fingerprint(), b.r.vm.fingerprint());
  // A third order, which sends before the children start.
  TwoWorkers c;
  for (uint32_t pid : {1u, 2u, 2u, 1u}) run(c.r, pid);
  run(c.r, 4), run(c.r, 3);
  EXPECT_EQ(a.r.vm.fingerprint(), c.r.vm.fingerprint());
}

TEST(StateFingerprint, OneMoreStepChangesIt) {
  TwoWorkers a;
  const Fingerprint before = a.r.vm.fingerprint();
  run(a.r, 1);
  EXPECT_NE(before, a.r.vm.fingerprint());
}

TEST(StateFingerprint, AMessageOfOtherContentChangesIt) {
  TwoWorkers a(7), b(8);
  for (uint32_t pid : {1u, 1u}) run(a.r, pid), run(b.r, pid);
  EXPECT_NE(a.r.vm.fingerprint(), b.r.vm.fingerprint());
}

TEST(StateFingerprint, MailboxOrderMatters) {
  // Two messages to one mailbox in either order are two states.
  auto make = [](int64_t first, int64_t second) {
    auto r = std::make_unique<VmRun>();
    r->vm.start_root(r->guest.script({send_self(first), send_self(second), receive_any()}));
    run(*r, 0), run(*r, 0), run(*r, 0);
    return r;
  };
  auto a = make(1, 2), b = make(2, 1), c = make(1, 2);
  EXPECT_NE(a->vm.fingerprint(), b->vm.fingerprint());
  EXPECT_EQ(a->vm.fingerprint(), c->vm.fingerprint());
}

TEST(StateFingerprint, TimersCountByTimeLeft) {
  auto make = [](int64_t ms) {
    auto r = std::make_unique<VmRun>();
    r->vm.start_root(r->guest.script({send_after_self(1, ms), receive_any()}));
    run(*r, 0), run(*r, 0);
    return r;
  };
  auto a = make(10), b = make(20), c = make(10);
  EXPECT_NE(a->vm.fingerprint(), b->vm.fingerprint());
  EXPECT_EQ(a->vm.fingerprint(), c->vm.fingerprint());
}

TEST(StateFingerprint, TableRowsCount) {
  auto make = [](int64_t v) {
    auto r = std::make_unique<VmRun>();
    r->vm.start_root(r->guest.script({
        [](Vm& vm, Reply&, FakeGuest&) { vm.post_ets_new({}); },
        [v](Vm& vm, Reply& reply, FakeGuest& g) {
          vm.post_ets(StepKind::kEtsInsert, static_cast<uint32_t>(reply.u), "", {{"k", "k", g.value(v)}});
        },
        receive_any(),
    }));
    run(*r, 0), run(*r, 0), run(*r, 0);
    return r;
  };
  auto a = make(1), b = make(2), c = make(1);
  EXPECT_NE(a->vm.fingerprint(), b->vm.fingerprint());
  EXPECT_EQ(a->vm.fingerprint(), c->vm.fingerprint());
}

TEST(StateFingerprint, AResetVmHashesAsANewOne) {
  TwoWorkers a;
  for (uint32_t pid : {1u, 1u, 2u}) run(a.r, pid);
  VmRun fresh;
  EXPECT_NE(a.r.vm.fingerprint(), fresh.vm.fingerprint());
  a.r.vm.reset({});
  EXPECT_EQ(a.r.vm.fingerprint(), fresh.vm.fingerprint());
}

TEST(StateFingerprint, DescribesEachConcern) {
  TwoWorkers a;
  const std::string text = a.r.vm.describe_state();
  EXPECT_NE(text.find("P0(root) blocked"), std::string::npos) << text;
  EXPECT_NE(text.find("time 0 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("node main up"), std::string::npos) << text;
}

}  // namespace
}  // namespace lockstep::vm

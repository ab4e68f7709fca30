// Happens-before and the causal slice on hand-built step records.
#include "engine/causality.h"

#include <gtest/gtest.h>

#include <vector>

namespace lockstep {
namespace {

using Steps = std::vector<uint32_t>;

// Builds a FactLog step by step; accesses are copied in by FactLog::add.
class LogBuilder {
 public:
  LogBuilder& step(int64_t actor, StepKind kind, std::vector<Access> accesses = {}, uint32_t consumed = 0,
                   uint32_t cause = 0) {
    StepFacts f;
    f.step = static_cast<uint32_t>(log_.size() + 1);
    f.event = EventKey::process(static_cast<uint32_t>(actor));
    f.kind = kind;
    f.actor = actor;
    f.consumed = consumed;
    f.cause = cause != 0 ? cause : consumed;
    f.accesses = accesses;
    log_.add(f);
    return *this;
  }
  const FactLog& log() const { return log_; }

 private:
  FactLog log_;
};

Access w(uint64_t o) { return {o, true}; }
Access r(uint64_t o) { return {o, false}; }

TEST(FactLog, KeepsEachStepsAccesses) {
  LogBuilder b;
  b.step(0, StepKind::kSend, {w(object::mailbox(1))}).step(1, StepKind::kReceive, {w(object::mailbox(1))}, 1);
  ASSERT_EQ(b.log().size(), 2u);
  const StepFacts f = b.log().at(1);
  EXPECT_EQ(f.step, 2u);
  EXPECT_EQ(f.consumed, 1u);
  ASSERT_EQ(f.accesses.size(), 1u);
  EXPECT_EQ(f.accesses[0], w(object::mailbox(1)));
}

TEST(HappensBefore, ProgramOrderAndConsumedSendsAreEdges) {
  LogBuilder b;
  b.step(0, StepKind::kStart)                                  // 1
      .step(1, StepKind::kStart)                               // 2
      .step(0, StepKind::kSend, {w(object::mailbox(1))})       // 3
      .step(1, StepKind::kReceive, {w(object::mailbox(1))}, 3) // 4
      .step(1, StepKind::kSend, {w(object::mailbox(2))});      // 5
  HappensBefore hb(b.log());
  EXPECT_EQ(hb.direct(4), (Steps{2, 3}));
  EXPECT_TRUE(hb.happens_before(1, 5));   // 1 -> 3 -> 4 -> 5
  EXPECT_FALSE(hb.happens_before(5, 1));
  EXPECT_FALSE(hb.happens_before(2, 3));  // concurrent
}

TEST(HappensBefore, MailboxOrderIsNotAnEdge) {
  // Two senders fill P2's mailbox; P2 takes the second message first. Its
  // receive depends on that send only, not on the message queued before it.
  LogBuilder b;
  b.step(0, StepKind::kSend, {w(object::mailbox(2))})       // 1
      .step(1, StepKind::kSend, {w(object::mailbox(2))})    // 2
      .step(2, StepKind::kReceive, {w(object::mailbox(2))}, 2);  // 3
  HappensBefore hb(b.log());
  EXPECT_EQ(hb.direct(3), (Steps{2}));
  EXPECT_EQ(causal_slice(b.log(), 3, false), (Steps{2, 3}));
}

TEST(HappensBefore, ReadsDependOnTheLastWriteAndWritesOnTheReadsSince) {
  const uint64_t cell = object::atomic(1, 1);
  LogBuilder b;
  b.step(0, StepKind::kAtomicsPut, {w(cell)})   // 1
      .step(1, StepKind::kAtomicsGet, {r(cell)})  // 2
      .step(2, StepKind::kAtomicsGet, {r(cell)})  // 3
      .step(3, StepKind::kAtomicsPut, {w(cell)}); // 4
  HappensBefore hb(b.log());
  EXPECT_EQ(hb.direct(2), (Steps{1}));
  EXPECT_EQ(hb.direct(3), (Steps{1}));  // reads do not order each other
  EXPECT_EQ(hb.direct(4), (Steps{1, 2, 3}));
  EXPECT_FALSE(hb.happens_before(2, 3));
}

TEST(HappensBefore, WholeTableAccessesOrderAgainstEveryKey) {
  LogBuilder b;
  b.step(0, StepKind::kEtsInsert, {w(object::table_key(7, 1))})   // 1
      .step(1, StepKind::kEtsInsert, {w(object::table_key(7, 2))})  // 2
      .step(2, StepKind::kEtsInsert, {w(object::table_key(8, 1))})  // 3: another table
      .step(3, StepKind::kEtsTab2List, {r(object::table(7))})       // 4
      .step(4, StepKind::kEtsDeleteTable, {w(object::table(7))})    // 5
      .step(5, StepKind::kEtsLookup, {r(object::table_key(7, 1))}); // 6
  HappensBefore hb(b.log());
  EXPECT_EQ(hb.direct(4), (Steps{1, 2}));
  EXPECT_EQ(hb.direct(5), (Steps{1, 2, 4}));
  EXPECT_EQ(hb.direct(6), (Steps{1, 5}));
  EXPECT_FALSE(hb.happens_before(3, 6));
}

TEST(CausalSlice, KeepsTheExitThatFreedANameAndDropsWhatCameAfter) {
  // The supervisor case: the worker registers, dies (freeing its name), the
  // supervisor hears of it; a client's send to the name fails. The freed
  // name is the cause; the supervisor's receive is not.
  const uint64_t worker_name = object::name(42);
  LogBuilder b;
  b.step(2, StepKind::kRegister, {w(worker_name), r(object::process(2))})        // 1
      .step(3, StepKind::kSend, {r(worker_name), w(object::mailbox(2))})          // 2
      .step(2, StepKind::kReceive, {w(object::mailbox(2))}, 2)                    // 3
      .step(2, StepKind::kExit, {w(object::process(2)), w(worker_name), w(object::mailbox(1))})  // 4
      .step(1, StepKind::kReceive, {w(object::mailbox(1))}, 4)                    // 5
      .step(3, StepKind::kSend, {r(worker_name)})                                 // 6
      .step(3, StepKind::kExit, {w(object::process(3))});                         // 7
  EXPECT_EQ(causal_slice(b.log(), 7, false), (Steps{1, 2, 3, 4, 6, 7}));
}

TEST(CausalSlice, AnExitDoesNotPullInTheReadersOfItsControlState) {
  // P2 monitored P1 (a read of P1's control state); P1's exit writes it to
  // send the DOWN. The failure of P1 does not depend on P2's monitor.
  LogBuilder b;
  b.step(2, StepKind::kMonitor, {r(object::process(1))})   // 1
      .step(1, StepKind::kReceive, {w(object::mailbox(1))})  // 2 (timed out)
      .step(1, StepKind::kExit, {w(object::process(1)), w(object::mailbox(2))});  // 3
  EXPECT_EQ(causal_slice(b.log(), 3, false), (Steps{2, 3}));
  HappensBefore hb(b.log());
  EXPECT_FALSE(hb.happens_before(1, 3));
}

TEST(CausalSlice, AnExitDoesNotPullInTheReadersOfTheNamesItReleases) {
  const uint64_t name = object::name(7);
  LogBuilder b;
  b.step(1, StepKind::kRegister, {w(name), r(object::process(1))})  // 1
      .step(2, StepKind::kWhereis, {r(name)})                        // 2
      .step(1, StepKind::kReceive, {w(object::mailbox(1))})          // 3
      .step(1, StepKind::kExit, {w(object::process(1)), w(name)});   // 4
  EXPECT_EQ(causal_slice(b.log(), 4, false), (Steps{1, 3, 4}));
}

TEST(CausalSlice, ADeadlockKeepsThePastOfEveryProcesssLastStep) {
  LogBuilder b;
  b.step(0, StepKind::kStart).step(1, StepKind::kStart).step(0, StepKind::kReceive).step(2, StepKind::kStart);
  EXPECT_EQ(causal_slice(b.log(), 4, true), (Steps{1, 2, 3, 4}));
}

}  // namespace
}  // namespace lockstep

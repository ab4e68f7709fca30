// Coverage: step names that hold across schedules, reads-from pairs,
// schedule classes, and totals that do not depend on iteration order.
#include "engine/coverage.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/scheduler.h"
#include "engine/strategy.h"
#include "tests/engine/fake_system.h"

namespace lockstep {
namespace {

using testing::FakeStep;
using testing::FakeSystem;

StepFacts facts(uint32_t step, int64_t actor, std::span<const EventKey> created = {}) {
  StepFacts f;
  f.step = step;
  f.actor = actor;
  f.event = EventKey::process(static_cast<uint32_t>(actor));
  f.kind = created.empty() ? StepKind::kSend : StepKind::kSpawn;
  f.created = created;
  return f;
}

TEST(StepNames, NameAProcessByItsCreationPathNotItsPid) {
  // Run A: the root spawns P1, P1 spawns P2, the root spawns P3.
  // Run B: the root spawns P1, the root spawns P2, P1 spawns P3.
  const EventKey p1[] = {EventKey::process(1)}, p2[] = {EventKey::process(2)}, p3[] = {EventKey::process(3)};
  StepNames a, b;
  a.begin();
  a.on_step(facts(1, 0, p1));
  a.on_step(facts(2, 1, p2));
  a.on_step(facts(3, 0, p3));
  b.begin();
  b.on_step(facts(1, 0, p1));
  b.on_step(facts(2, 0, p2));
  b.on_step(facts(3, 1, p3));
  EXPECT_EQ(a.process_name(2), b.process_name(3));  // P1's first child
  EXPECT_EQ(a.process_name(3), b.process_name(2));  // the root's second child
  EXPECT_NE(a.process_name(2), a.process_name(3));
  // A process's first step has the same name whichever pid it got.
  const uint64_t first_a = a.on_step(facts(4, 2));
  const uint64_t first_b = b.on_step(facts(4, 3));
  EXPECT_EQ(first_a, first_b);
}

TEST(StepNames, PredictTheNameAnEventGetsWhenItRuns) {
  StepNames n;
  n.begin();
  n.on_step(facts(1, 0));
  const Op next{EventKey::process(0), StepKind::kSend, true, 0, 0};
  const uint64_t predicted = n.predict(next);
  EXPECT_EQ(n.on_step(facts(2, 0)), predicted);
  EXPECT_EQ(n.predict({EventKey::timer(1), StepKind::kTimer, true, 0, 0}), 0u);
}

// The distinct schedule classes and reads-from pairs over many random runs.
struct Reached {
  std::set<uint64_t> classes, reads_from;
};
Reached explore(const std::vector<std::vector<FakeStep>>& procs, int runs = 200) {
  Reached out;
  CoverageRecorder recorder;
  auto s = make_random_strategy({});
  for (int seed = 1; seed <= runs; ++seed) {
    FakeSystem sys(procs);
    s->begin_iteration(seed, {});
    recorder.begin();
    run_iteration(sys, *s, {}, nullptr, nullptr, &recorder);
    IterationCoverage c = recorder.finish();
    out.classes.insert(c.schedule_class);
    out.reads_from.insert(c.reads_from.begin(), c.reads_from.end());
  }
  return out;
}

FakeStep write(uint64_t object) {
  FakeStep s;
  s.kind = StepKind::kEtsInsert;
  s.object = object;
  return s;
}
FakeStep read(uint64_t object) {
  FakeStep s;
  s.kind = StepKind::kEtsLookup;
  s.object = object;
  s.writes = false;
  return s;
}

TEST(CoverageRecorder, IndependentStepsInAnyOrderAreOneClass) {
  const uint64_t a = object::table_key(1, 1), b = object::table_key(1, 2);
  EXPECT_EQ(explore({{write(a), write(a)}, {write(b), read(b)}}).classes.size(), 1u);
}

TEST(CoverageRecorder, RacingWritesInEitherOrderAreTwoClasses) {
  const uint64_t a = object::table_key(1, 1);
  EXPECT_EQ(explore({{write(a)}, {write(a)}}).classes.size(), 2u);
  // Three writers: 3! orders.
  EXPECT_EQ(explore({{write(a)}, {write(a)}, {write(a)}}).classes.size(), 6u);
}

TEST(CoverageRecorder, AReadSeesOneOfTheWritesBeforeIt) {
  const uint64_t a = object::table_key(1, 1);
  // The reader sees nothing, P0's write or P1's write: three pairs; and
  // the classes are the orders of the two writes times where the read is.
  Reached r = explore({{write(a)}, {write(a)}, {read(a)}});
  EXPECT_EQ(r.reads_from.size(), 3u);
  EXPECT_EQ(r.classes.size(), 6u);
}

TEST(CoverageRecorder, AReceiveIsPairedWithTheSendItConsumed) {
  // Two senders to P2, which receives twice: each receive takes either.
  Reached r = explore({{testing::fake_send(2, 1)}, {testing::fake_send(2, 2)},
                       {testing::fake_receive(), testing::fake_receive()}});
  EXPECT_EQ(r.reads_from.size(), 4u);
}

TEST(LastWrites, RemembersWhatAMapWouldThroughGrowthAndClears) {
  // Iterations of growing and shrinking size: each starts empty, whatever
  // the one before left (object 0 included), and agrees with a map.
  LastWrites table;
  uint64_t x = 12345;
  for (int iteration = 0; iteration < 12; ++iteration) {
    table.clear();
    std::map<uint64_t, uint64_t> want;
    const int objects = iteration % 3 == 0 ? 5000 : 40;
    for (int op = 0; op < 4 * objects; ++op) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      // Object 0, ids that differ only in high bits, and dense ones.
      const uint64_t object = op % 97 == 0 ? 0 : (x >> 40) % objects * (op % 2 ? 1 : uint64_t{1} << 40);
      uint64_t& got = table.at(object);
      ASSERT_EQ(got, want[object]) << "iteration " << iteration << ", object " << object;
      if (op % 3 != 0) got = want[object] = x | 1;
    }
  }
}

TEST(CoverageTotals, CountFirstSightingsWhateverTheOrderIterationsArrive) {
  IterationCoverage one{{1, 2}, {10}, 100}, two{{2, 3}, {10}, 200}, three{{4}, {11}, 100};
  CoverageTotals in_order, shuffled, left, right;
  in_order.add(0, one);
  in_order.add(1, two);
  in_order.add(2, three);
  left.add(2, three);
  right.add(1, two);
  left.add(0, one);
  shuffled.merge(left);
  shuffled.merge(right);
  for (const CoverageTotals* t : {&in_order, &shuffled}) {
    EXPECT_EQ(t->reads_from().count, 4u);
    EXPECT_EQ(t->reads_from().last_new, 2u);
    EXPECT_EQ(t->receives().count, 2u);
    EXPECT_EQ(t->schedule_classes().count, 2u);
    EXPECT_EQ(t->schedule_classes().last_new, 1u);
    const auto g = t->growth(3);
    ASSERT_EQ(g.size(), 3u);  // after 1, 2, 3 iterations
    EXPECT_EQ(g[0].reads_from, 2u);
    EXPECT_EQ(g[1].reads_from, 3u);
    EXPECT_EQ(g[2].reads_from, 4u);
  }
  // A run stopped at iteration 1 forgets what only iteration 2 reached.
  in_order.keep_up_to(1);
  EXPECT_EQ(in_order.reads_from().count, 3u);
  EXPECT_EQ(in_order.receives().count, 1u);
}

}  // namespace
}  // namespace lockstep

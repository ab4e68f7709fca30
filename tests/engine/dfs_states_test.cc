// dfs with a state cache (--state-cache on), against brute force on random
// programs whose state graphs have joins and cycles (tests/engine/
// fake_machine.h): the search must find a bug exactly when a failing
// state is reachable, and when none is, be in every reachable state at
// some point and count each state where it chose an event once. Without the cache the same
// programs, when they have no loops, must give the same verdict.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "engine/base/prng.h"
#include "engine/scheduler.h"
#include "engine/strategies/dfs_states.h"
#include "engine/strategy.h"
#include "tests/engine/fake_machine.h"

namespace lockstep {
namespace {

using testing::FakeMachine;
using testing::MachineStep;
using Programs = std::vector<std::vector<MachineStep>>;

struct NoChoices final : ChoiceSource {
  uint64_t choose(uint64_t) override { return 0; }
};

// Every state reachable from the start (a failing state ends a run: it is
// reached, not left), and which of them fail or can choose an event.
struct Reachable {
  std::set<uint64_t> states;
  std::map<uint64_t, FakeMachine::State> content;  // for failure messages
  std::set<uint64_t> choosing;  // not failing, something can run
  std::set<uint64_t> last;      // nothing can run and time cannot move on (ended or deadlocked)
  bool bug = false;       // a failing state is reachable
  size_t shortest = 0;    // the fewest steps that reach a failing or deadlocked state
  bool deadlock = false;  // a state where nothing can run but not all ended

  // The reachable states `visited` lacks, for a failure message.
  std::string missed(const std::set<uint64_t>& visited) const {
    std::string out;
    for (uint64_t h : states) {
      if (visited.count(h)) continue;
      const auto& s = content.at(h);
      out += "missed pc";
      for (uint32_t x : s.pc) out += " " + std::to_string(x);
      out += " reg";
      for (uint32_t x : s.reg) out += " " + std::to_string(x);
      out += " cells";
      for (uint32_t x : s.cells) out += " " + std::to_string(x);
      out += " woken";
      for (uint32_t x : s.woken) out += " " + std::to_string(x);
      out += "\n";
    }
    return out;
  }
};

// `max_depth`: only the states within that many steps of the start (a
// search whose runs max_steps cuts off there reaches no others).
Reachable brute_force(const Programs& programs, uint32_t cells, std::optional<uint32_t> bad,
                      size_t max_depth = SIZE_MAX) {
  Reachable out;
  FakeMachine start(programs, cells);
  start.bad_ = bad;
  std::deque<std::pair<FakeMachine, size_t>> queue{{start, 0}};  // breadth first: (state, its distance)
  out.states.insert(FakeMachine::hash(start.state()));
  while (!queue.empty()) {
    auto [m, distance] = std::move(queue.front());
    queue.pop_front();
    if (distance >= max_depth) continue;
    const std::vector<Op> enabled(m.enabled().begin(), m.enabled().end());
    if (!enabled.empty()) out.choosing.insert(FakeMachine::hash(m.state()));
    if (FakeMachine later = m; enabled.empty() && later.advance_time()) {  // time moves on: a state of its own
      later.seen_.clear();
      out.content.emplace(FakeMachine::hash(later.state()), later.state());
      if (out.states.insert(FakeMachine::hash(later.state())).second) queue.push_back({std::move(later), distance});
      continue;
    }
    if (enabled.empty()) out.last.insert(FakeMachine::hash(m.state()));
    if (enabled.empty() && !m.done()) {
      out.shortest = out.bug || out.deadlock ? std::min(out.shortest, distance) : distance;
      out.deadlock = true;
    }
    for (const Op& op : enabled) {
      FakeMachine next = m;
      next.seen_.clear();
      NoChoices none;
      const StepResult r = next.step(op, none);
      const bool fresh = out.states.insert(FakeMachine::hash(next.state())).second;
      out.content.emplace(FakeMachine::hash(next.state()), next.state());
      if (r.failure) {
        out.shortest = out.bug || out.deadlock ? std::min(out.shortest, distance + 1) : distance + 1;
        out.bug = true;
        continue;
      }
      if (fresh) queue.push_back({std::move(next), distance + 1});
    }
  }
  return out;
}

// A search was only in reachable states, and in every one of them when no
// bug is reachable (a failure ends its run: states past it, and those an
// equivalent order of the failing run's steps would reach, are not
// visited, but the bug is reported).
void expect_visits(const std::set<uint64_t>& visited, const Reachable& truth, const std::string& context) {
  for (uint64_t h : visited) EXPECT_TRUE(truth.states.count(h)) << context << "a state no run can reach";
  if (!truth.bug) {
    EXPECT_EQ(visited, truth.states) << context << truth.missed(visited);
  }
}

// The same for a search with the reduction, which need not pass through
// every state (two steps that commute run in one order): it reaches every
// state where runs end (each class of runs is explored), when no bug is
// reachable.
void expect_reduced_visits(const std::set<uint64_t>& visited, const Reachable& truth, const std::string& context) {
  for (uint64_t h : visited) EXPECT_TRUE(truth.states.count(h)) << context << "a state no run can reach";
  if (truth.bug) return;
  for (uint64_t h : truth.last) EXPECT_TRUE(visited.count(h)) << context << "a state where runs end, missed";
}

struct Search {
  std::set<uint64_t> visited;  // every state some run was in
  std::set<uint64_t> orbits;   // the same, each state's group order sorted (FakeMachine::canonical)
  bool bug = false;
  size_t first_failure_steps = 0;  // the steps of the first failing run (a deadlock too)
  bool deadlock = false;
  bool complete = false;
  bool turned_on = false;  // --state-cache on went on with the cache at every state
  uint64_t schedules = 0, abandoned = 0, states = 0, hits = 0;
  double omission = 0;  // --bitstate: the probability at the end
};

// --state-cache's values, as the strategy's parameter holds them.
enum Cache : int { kOff = 0, kOn = 1, kFull = 2 };

Search search(const Programs& programs, uint32_t cells, std::optional<uint32_t> bad, Cache cache,
              bool shortest = false, uint64_t budget = 200000, bool symmetric = false,
              std::pair<uint64_t, uint64_t> part = {0, 1}, uint64_t units_per_part = 0, uint64_t bitstate_mb = 0,
              uint32_t max_steps = 1000) {
  StrategyParams params;
  params.set("state_cache", cache);
  if (bitstate_mb) params.set("bitstate", bitstate_mb);
  params.set("shortest", shortest ? 1 : 0);
  if (units_per_part) params.set("split_units", units_per_part);
  auto dfs = make_dfs_strategy(params);
  if (part.second > 1) {
    EXPECT_EQ(dfs->search()->split(part.first, part.second), "");
  }
  Search out;
  for (uint64_t i = 0; i < budget; ++i) {
    if (!dfs->begin_iteration(i, {i, 0})) {
      out.complete = true;
      break;
    }
    FakeMachine m(programs, cells);
    m.bad_ = bad;
    m.symmetric_ = symmetric;
    IterationLimits limits;
    limits.max_steps = max_steps;
    const IterationResult r = run_iteration(m, *dfs, limits, nullptr, nullptr);
    for (const auto& s : m.seen_) {
      out.visited.insert(FakeMachine::hash(s));
      out.orbits.insert(FakeMachine::hash(m.canonical(s)));
    }
    if (dfs->search()->restarting()) {  // a new round: what the last one saw is void
      out = Search{};
      continue;
    }
    if (r.outcome == Outcome::kFailed && !out.bug && !out.deadlock) out.first_failure_steps = r.steps;
    if (r.outcome == Outcome::kFailed) {
      (r.failure.kind == FailureKind::kDeadlock ? out.deadlock : out.bug) = true;
    }
    if (r.outcome == Outcome::kAbandoned) {
      if (!dfs->search()->stopped_at_known_state()) ++out.abandoned;
    } else {
      ++out.schedules;
    }
  }
  if (auto counts = dfs->search()->state_counts()) {
    out.states = counts->states;
    out.hits = counts->hits;
    out.turned_on = counts->turned_on;
    out.omission = counts->omission_probability;
  }
  return out;
}

// 2 or 3 processes of 2 to 4 instructions over 2 cells; with `loops`, an
// instruction may jump back (a retry, a spin), so runs revisit states.
// Awaits (a step disabled by shared state, which the VM has nowhere: its
// only blocking step is a receive) come only with loops.
Programs random_programs(Prng& rng, bool loops) {
  Programs programs(2 + rng.below(2));
  for (auto& program : programs) {
    const size_t n = 2 + rng.below(3);
    for (size_t i = 0; i < n; ++i) {
      MachineStep s;
      s.op = static_cast<MachineStep::Op>(rng.below(loops ? 4 : 3));
      s.cell = static_cast<uint32_t>(rng.below(2));
      s.value = static_cast<uint32_t>(rng.below(FakeMachine::kValues));
      if (rng.below(3) == 0) {  // a conditional jump, forward or (with loops) back
        s.when = static_cast<uint32_t>(rng.below(FakeMachine::kValues));
        s.target = static_cast<uint32_t>(loops ? rng.below(n + 1) : i + 1 + rng.below(n - i));
      }
      program.push_back(s);
    }
  }
  return programs;
}

// Programs that wait for time to move on (tick), for --state-cache on,
// which caches the states where time moved on and searches between them
// with the reduction: 2 or 3 processes of 2 to 4 instructions over 2
// cells, a tick in at least one. No awaits (between ticks the search is
// the stateless one, and the VM blocks only in receives). `loops`: jumps
// may go back. `through_ticks`: only jumps back, each over a tick, so a
// run comes back to a state only after time moved on.
Programs programs_with_ticks(Prng& rng, bool loops, bool through_ticks) {
  for (;;) {
    Programs programs(2 + rng.below(2));
    bool ticks = false;
    for (auto& program : programs) {
      const size_t n = 2 + rng.below(3);
      for (size_t i = 0; i < n; ++i) {
        MachineStep s;
        s.op = rng.below(4) == 0 ? MachineStep::Op::kTick : static_cast<MachineStep::Op>(rng.below(3));
        ticks = ticks || s.op == MachineStep::Op::kTick;
        s.cell = static_cast<uint32_t>(rng.below(2));
        s.value = static_cast<uint32_t>(rng.below(FakeMachine::kValues));
        if (rng.below(3) == 0) {
          s.when = static_cast<uint32_t>(rng.below(FakeMachine::kValues));
          s.target = static_cast<uint32_t>(loops ? rng.below(n + 1) : i + 1 + rng.below(n - i));
          if (through_ticks) {
            s.target = static_cast<uint32_t>(rng.below(i + 1));
            bool over_tick = s.op == MachineStep::Op::kTick;
            for (size_t t = s.target; t < i; ++t) over_tick = over_tick || program[t].op == MachineStep::Op::kTick;
            if (!over_tick) s.target = UINT32_MAX;
          }
        }
        program.push_back(s);
      }
    }
    if (ticks) return programs;
  }
}

// A failing value for cell 0 half the time, none the other half.
std::optional<uint32_t> maybe_bad(Prng& rng) {
  return rng.below(2) ? std::optional<uint32_t>(1 + static_cast<uint32_t>(rng.below(2))) : std::nullopt;
}

// How many jumps back (loops) the programs have.
size_t back_jumps(const Programs& programs) {
  size_t n = 0;
  for (const auto& program : programs) {
    for (size_t i = 0; i < program.size(); ++i) n += program[i].target <= i ? 1 : 0;
  }
  return n;
}

std::string describe(const Programs& programs) {
  static const char* const kOps[] = {"read", "write", "add", "await", "tick"};
  std::string out;
  for (size_t p = 0; p < programs.size(); ++p) {
    out += "P" + std::to_string(p) + ":";
    for (const MachineStep& s : programs[p]) {
      out += std::string(" ") + kOps[static_cast<int>(s.op)];
      if (s.op != MachineStep::Op::kTick) out += " c" + std::to_string(s.cell) + " " + std::to_string(s.value);
      if (s.target != UINT32_MAX) out += " (->" + std::to_string(s.target) + " if " + std::to_string(s.when) + ")";
      out += ";";
    }
    out += "\n";
  }
  return out;
}

// What a failure message says about the round: its number, the failing
// value, the programs.
std::string context_of(int round, std::optional<uint32_t> bad, const Programs& programs) {
  return "round " + std::to_string(round) + (bad ? " bad " + std::to_string(*bad) : "") + "\n" + describe(programs);
}

TEST(DfsStateCache, VisitsEveryReachableStateOfLoopingProgramsAndFindsEveryBug) {
  Prng rng(71);
  size_t with_cycles = 0, bugs = 0, states = 0, hits = 0;
  for (int round = 0; round < 1000; ++round) {
    const Programs programs = random_programs(rng, true);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    const Search s = search(programs, 2, bad, kFull);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(s.complete) << context;
    EXPECT_EQ(s.bug, truth.bug) << context;
    expect_visits(s.visited, truth, context);
    if (!truth.bug) {
      EXPECT_EQ(s.states, truth.choosing.size()) << context << "each state an event was chosen in, once";
    }
    EXPECT_EQ(s.deadlock, truth.deadlock) << context;
    // A run as long as max_steps could only come from a loop the cache
    // did not cut; with the cache a run ends at a state met before.
    with_cycles += back_jumps(programs);
    bugs += truth.bug ? 1 : 0;
    states += s.states;
    hits += s.hits;
  }
  EXPECT_GT(with_cycles, 100u) << "the programs should loop";
  EXPECT_GT(bugs, 40u);
  EXPECT_GT(hits, states / 10) << "runs should stop at states explored before";
}

// Runs cut off at a small max_steps: every state within that many steps is
// visited and every bug within them found. A state met again after fewer
// steps than before is explored again once runs have been cut off (its
// first visit had less of its future under the bound), and judged by its
// sleep set alone before any was.
TEST(DfsStateCache, VisitsEveryStateWithinMaxStepsWhenRunsAreCutOff) {
  Prng rng(83);
  size_t cut = 0, bugs = 0;
  for (int round = 0; round < 400; ++round) {
    const Programs programs = random_programs(rng, true);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const uint32_t max_steps = static_cast<uint32_t>(3 + rng.below(5));
    const Reachable truth = brute_force(programs, 2, bad, max_steps);
    const Reachable whole = brute_force(programs, 2, bad);
    const Search s = search(programs, 2, bad, kFull, false, 200000, false, {0, 1}, 0, 0, max_steps);
    const std::string context = context_of(round, bad, programs) + "max_steps " + std::to_string(max_steps) + "\n";
    ASSERT_TRUE(s.complete) << context;
    EXPECT_EQ(s.bug, truth.bug) << context;
    expect_visits(s.visited, truth, context);
    cut += whole.states.size() > truth.states.size() ? 1 : 0;
    bugs += truth.bug ? 1 : 0;
  }
  EXPECT_GT(cut, 100u) << "max_steps should cut the programs off";
  EXPECT_GT(bugs, 20u);
}

// --bitstate: with a table far bigger than the states, the bit table
// visits every reachable state and finds every bug with the cache at every
// state (full), gives the verdict where time moves on (on), and says how
// unlikely a miss was.
TEST(DfsStateCache, ABitTableWithRoomVisitsEveryReachableStateAndFindsEveryBug) {
  Prng rng(79);
  size_t bugs = 0, hits = 0, on_bugs = 0;
  for (int round = 0; round < 250; ++round) {
    const Programs programs = random_programs(rng, true);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    const std::string context = context_of(round, bad, programs);
    const Search s = search(programs, 2, bad, kFull, false, 200000, false, {0, 1}, 0, 1);
    ASSERT_TRUE(s.complete) << context;
    EXPECT_EQ(s.bug, truth.bug) << context;
    EXPECT_EQ(s.deadlock, truth.deadlock) << context;
    expect_visits(s.visited, truth, context);
    if (s.states > 0) EXPECT_GT(s.omission, 0.0) << context << "a state set bits";
    EXPECT_LT(s.omission, 1e-9) << context;
    bugs += truth.bug ? 1 : 0;
    hits += s.hits;
  }
  for (int round = 0; round < 250; ++round) {  // where time moves on, with the reduction
    const Programs programs = programs_with_ticks(rng, false, false);
    const std::optional<uint32_t> bad = 1 + static_cast<uint32_t>(rng.below(2));
    const Reachable truth = brute_force(programs, 2, bad);
    const std::string context = context_of(round, bad, programs);
    const Search on = search(programs, 2, bad, kOn, false, 200000, false, {0, 1}, 0, 1);
    ASSERT_TRUE(on.complete) << context;
    EXPECT_EQ(on.bug, truth.bug) << context;
    expect_reduced_visits(on.visited, truth, context);
    EXPECT_LT(on.omission, 1e-9) << context;
    on_bugs += truth.bug ? 1 : 0;
    if (!truth.bug) EXPECT_EQ(on.deadlock, truth.deadlock) << context;
  }
  EXPECT_GT(bugs, 10u);
  EXPECT_GT(on_bugs, 10u);
  EXPECT_GT(hits, 100u) << "runs should stop at states the bits hold";
}

// Split into parts (--shard K/N), each with a cache of its own: together
// the parts visit every reachable state and find every bug, and each part
// ends. A state met in two parts is explored in both.
TEST(DfsStateCache, SplitIntoPartsVisitsEveryReachableStateAndFindsEveryBug) {
  Prng rng(73);
  size_t bugs = 0, split_work = 0;
  for (int round = 0; round < 300; ++round) {
    const Programs programs = random_programs(rng, true);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    bugs += truth.bug ? 1 : 0;
    for (const auto& [parts, units] : std::vector<std::pair<uint64_t, uint64_t>>{{2, 1}, {3, 4}}) {
      const std::string context = "round " + std::to_string(round) + (bad ? " bad " + std::to_string(*bad) : "") +
                                  ", " + std::to_string(parts) + " parts of " + std::to_string(units) +
                                  " units\n" + describe(programs);
      std::set<uint64_t> visited;
      bool bug = false;
      size_t parts_with_runs = 0;
      for (uint64_t k = 0; k < parts; ++k) {
        const Search s = search(programs, 2, bad, kFull, false, 200000, false, {k, parts}, units);
        ASSERT_TRUE(s.complete) << context;
        visited.insert(s.visited.begin(), s.visited.end());
        bug = bug || s.bug;
        parts_with_runs += s.schedules > 0 ? 1 : 0;
      }
      EXPECT_EQ(bug, truth.bug) << context;
      expect_visits(visited, truth, context);
      split_work += parts_with_runs > 1 ? 1 : 0;
    }
  }
  EXPECT_GT(bugs, 40u);
  EXPECT_GT(split_work, 100u) << "the work should be shared: more than one part running schedules";
}

TEST(DfsStateCache, GivesTheVerdictOfTheStatelessSearchOnProgramsWithoutLoops) {
  Prng rng(72);
  size_t bugs = 0, fewer = 0;
  for (int round = 0; round < 600; ++round) {
    const Programs programs = random_programs(rng, false);
    const std::optional<uint32_t> bad = 1 + static_cast<uint32_t>(rng.below(2));
    const Reachable truth = brute_force(programs, 2, bad);
    const Search with = search(programs, 2, bad, kFull);
    const Search without = search(programs, 2, bad, kOff);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(with.complete && without.complete) << context;
    EXPECT_EQ(with.bug, truth.bug) << context;
    EXPECT_EQ(without.bug, truth.bug) << context;
    expect_visits(with.visited, truth, context);
    bugs += truth.bug ? 1 : 0;
    if (truth.bug) continue;  // a failure ends a run: what lies past it depends on the order explored
    EXPECT_EQ(with.deadlock, truth.deadlock) << context;
    EXPECT_EQ(without.deadlock, truth.deadlock) << context;
    EXPECT_LE(with.schedules, without.schedules)
        << context << "a run that reaches a known state stops there: never more schedules than without";
    fewer += with.schedules < without.schedules ? 1 : 0;
  }
  EXPECT_GT(fewer, 0u) << "programs whose runs meet again at one state should need fewer schedules";
  EXPECT_GT(bugs, 100u);
  EXPECT_LT(bugs, 500u);
}

// --state-cache on: the reduction, and the cache where time moved on (no
// race crosses such a state, so what is explored below it depends on the
// state and its sleep set alone). Loops that pass a tick come back to a
// state where time moved on, which the cache cuts: the search ends, in
// every reachable state, finding every bug, without turning to the cache
// at every state.
TEST(DfsStateCache, OnCachesWhereTimeMovesOnAndEndsLoopsThroughTime) {
  Prng rng(75);
  size_t bugs = 0, loops = 0, hits = 0, states = 0;
  for (int round = 0; round < 600; ++round) {
    const Programs programs = programs_with_ticks(rng, true, true);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    const Search s = search(programs, 2, bad, kOn);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(s.complete) << context;
    EXPECT_EQ(s.bug, truth.bug) << context;
    expect_reduced_visits(s.visited, truth, context);
    if (!truth.bug) {
      EXPECT_EQ(s.deadlock, truth.deadlock) << context;
    }
    EXPECT_FALSE(s.turned_on) << context << "every loop passes a tick: the cache where time moves on ends it";
    loops += back_jumps(programs);
    bugs += truth.bug ? 1 : 0;
    hits += s.hits;
    states += s.states;
  }
  EXPECT_GT(loops, 100u) << "the programs should loop";
  EXPECT_GT(bugs, 40u);
  EXPECT_GT(states, 500u);
  EXPECT_GT(hits, states / 10) << "runs should stop at states explored before";
}

// Without loops, --state-cache on gives the stateless search's verdict
// and never runs more schedules: a run stops where time moved on to a
// state explored before.
TEST(DfsStateCache, OnGivesTheVerdictOfTheStatelessSearchWithNoMoreSchedules) {
  Prng rng(76);
  size_t bugs = 0, fewer = 0;
  for (int round = 0; round < 600; ++round) {
    const Programs programs = programs_with_ticks(rng, false, false);
    const std::optional<uint32_t> bad = 1 + static_cast<uint32_t>(rng.below(2));
    const Reachable truth = brute_force(programs, 2, bad);
    const Search on = search(programs, 2, bad, kOn);
    const Search off = search(programs, 2, bad, kOff);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(on.complete && off.complete) << context;
    EXPECT_EQ(on.bug, truth.bug) << context;
    EXPECT_EQ(off.bug, truth.bug) << context;
    expect_reduced_visits(on.visited, truth, context);
    expect_reduced_visits(off.visited, truth, context);
    bugs += truth.bug ? 1 : 0;
    if (truth.bug) continue;
    EXPECT_EQ(on.deadlock, truth.deadlock) << context;
    EXPECT_LE(on.schedules, off.schedules) << context;
    fewer += on.schedules < off.schedules ? 1 : 0;
  }
  EXPECT_GT(fewer, 30u) << "runs that meet again where time moved on should need fewer schedules";
  EXPECT_GT(bugs, 100u);
  EXPECT_LT(bugs, 500u);
}

// A loop that does not wait for time comes back to a state within one
// stretch of time, which the cache where time moves on never sees:
// --state-cache on notices the run came back (or was cut off at
// max_steps) and starts again with the cache at every state. Every
// reachable state is visited and every bug found either way.
TEST(DfsStateCache, OnTurnsToTheCacheAtEveryStateWhenALoopDoesNotWaitForTime) {
  Prng rng(77);
  size_t bugs = 0, turned = 0;
  for (int round = 0; round < 400; ++round) {
    const Programs programs = programs_with_ticks(rng, true, false);
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    const Search s = search(programs, 2, bad, kOn);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(s.complete) << context;
    EXPECT_EQ(s.bug, truth.bug) << context;
    expect_reduced_visits(s.visited, truth, context);
    if (!truth.bug) {
      EXPECT_EQ(s.deadlock, truth.deadlock) << context;
    }
    bugs += truth.bug ? 1 : 0;
    turned += s.turned_on ? 1 : 0;
  }
  EXPECT_GT(bugs, 40u);
  EXPECT_GT(turned, 20u) << "some programs loop without waiting for time";
}

// Symmetry: processes that run one program are interchangeable, and the
// fingerprint and event names sort them (as ls.symmetric makes the VM's).
// Every orbit of reachable states (a state and its permutations) is
// visited, each bug found, with no more states than without symmetry.
TEST(DfsStateCache, WithSymmetryVisitsEveryOrbitAndFindsEveryBug) {
  Prng rng(74);
  size_t bugs = 0, fewer = 0, looping = 0;
  for (int round = 0; round < 500; ++round) {
    Programs programs = random_programs(rng, rng.below(2) == 0);
    programs.resize(2);
    programs.push_back(programs[rng.below(2)]);  // two of the three run one program
    if (rng.below(3) == 0) programs[0] = programs[1] = programs[2];
    const std::optional<uint32_t> bad = maybe_bad(rng);
    const Reachable truth = brute_force(programs, 2, bad);
    const Search sym = search(programs, 2, bad, kFull, false, 200000, true);
    const Search plain = search(programs, 2, bad, kFull);
    const std::string context = context_of(round, bad, programs);
    ASSERT_TRUE(sym.complete) << context;
    EXPECT_EQ(sym.bug, truth.bug) << context;
    for (uint64_t h : sym.visited) EXPECT_TRUE(truth.states.count(h)) << context << "a state no run can reach";
    if (!truth.bug) {
      FakeMachine m(programs, 2);
      std::set<uint64_t> orbits;
      for (const auto& [h, s] : truth.content) orbits.insert(FakeMachine::hash(m.canonical(s)));
      orbits.insert(FakeMachine::hash(m.canonical(FakeMachine(programs, 2).state())));
      EXPECT_EQ(sym.orbits, orbits) << context << "every orbit of the reachable states";
      EXPECT_EQ(sym.deadlock, truth.deadlock) << context;
      EXPECT_LE(sym.states, plain.states) << context;
      fewer += sym.states < plain.states ? 1 : 0;
    }
    bugs += truth.bug ? 1 : 0;
    looping += back_jumps(programs);
  }
  EXPECT_GT(bugs, 40u);
  EXPECT_GT(fewer, 100u) << "permuted states should be counted once";
  EXPECT_GT(looping, 50u);
}

// --shortest on: rounds of growing depth, so the first failing run found
// is as short as the shortest path to a failing state; without a bug, the
// last round is the whole search.
TEST(DfsStateCache, ShortestFirstFindsABugOfTheFewestSteps) {
  Prng rng(73);
  size_t failing = 0, longer = 0;
  for (int round = 0; round < 250; ++round) {
    const Programs programs = random_programs(rng, true);
    const std::optional<uint32_t> bad = 1 + static_cast<uint32_t>(rng.below(2));
    const Reachable truth = brute_force(programs, 2, bad);
    const Search s = search(programs, 2, bad, kFull, true);
    const std::string context = context_of(round, bad, programs);
    ASSERT_EQ(s.bug || s.deadlock, truth.bug || truth.deadlock) << context;
    if (truth.bug || truth.deadlock) {  // the search stops at its first failure, as a run does
      EXPECT_EQ(s.first_failure_steps, truth.shortest) << context;
      ++failing;
      longer += search(programs, 2, bad, kFull).first_failure_steps > truth.shortest ? 1 : 0;
    } else {
      EXPECT_TRUE(s.complete) << context;
      expect_visits(s.visited, truth, context);
    }
  }
  EXPECT_GT(failing, 60u);
  EXPECT_GT(longer, 5u) << "a depth-first search should often find a longer run first";
}

// The table itself: Godefroid's rule for a state met again with sleep
// set Z after a first visit with Z'.
TEST(DfsStateTable, ExploresFromAStateMetAgainOnlyWhatSleptTheFirstTime) {
  dfs::StateTable table;
  const StateId s{1, 2};
  std::vector<uint64_t> wake;
  bool every = false;
  EXPECT_EQ(table.visit(s, 5, true, true, {1, 2}, wake, every), dfs::StateTable::Visit::kNew);
  // Met again with more asleep: everything awake now was explored.
  EXPECT_EQ(table.visit(s, 5, true, true, {1, 2, 3}, wake, every), dfs::StateTable::Visit::kKnown);
  // With 2 awake: 2 slept the first time, so only 2 is explored now.
  EXPECT_EQ(table.visit(s, 5, true, true, {1}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(wake, std::vector<uint64_t>{2});
  EXPECT_FALSE(every);
  // The record keeps what slept both times: {1}. With 1 awake, 1 is new.
  EXPECT_EQ(table.visit(s, 5, true, true, {}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(wake, std::vector<uint64_t>{1});
  EXPECT_EQ(table.visit(s, 5, true, true, {}, wake, every), dfs::StateTable::Visit::kKnown);
  // In a shortest-first round, met later than at first, an event explored
  // then has fewer steps left under the round's depth: the record does not
  // count it.
  EXPECT_EQ(table.visit(s, 7, true, true, {}, wake, every), dfs::StateTable::Visit::kKnown);
  const StateId t{3, 4};
  EXPECT_EQ(table.visit(t, 5, true, true, {1}, wake, every), dfs::StateTable::Visit::kNew);
  EXPECT_EQ(table.visit(t, 7, true, true, {}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(table.visit(t, 7, true, true, {}, wake, every), dfs::StateTable::Visit::kAgain) << "1 is still owed at depth 5";
  EXPECT_EQ(table.visit(t, 5, true, true, {}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(table.visit(t, 5, true, true, {}, wake, every), dfs::StateTable::Visit::kKnown);
  // Met sooner than ever: its future is longer under max_steps, so all of
  // it is explored again.
  EXPECT_EQ(table.visit(s, 2, true, true, {4}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_TRUE(every);
  EXPECT_EQ(table.size(), 2u);
  // Outside rounds (max_steps the only limit), what is explored from a
  // state met deeper counts: a loop back to it ends there next time round.
  const StateId u{5, 6};
  EXPECT_EQ(table.visit(u, 5, false, true, {1}, wake, every), dfs::StateTable::Visit::kNew);
  EXPECT_EQ(table.visit(u, 9, false, true, {}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(wake, std::vector<uint64_t>{1});
  EXPECT_EQ(table.visit(u, 13, false, true, {}, wake, every), dfs::StateTable::Visit::kKnown);
  // Before any run was cut off, every future explored from a state ended
  // within the bound: met sooner, it is judged by its sleep set alone.
  const StateId w{7, 8};
  EXPECT_EQ(table.visit(w, 5, false, false, {1}, wake, every), dfs::StateTable::Visit::kNew);
  EXPECT_EQ(table.visit(w, 2, false, false, {1}, wake, every), dfs::StateTable::Visit::kKnown);
  EXPECT_FALSE(every);
  EXPECT_EQ(table.visit(w, 1, false, false, {}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_EQ(wake, std::vector<uint64_t>{1}) << "only what slept before";
  EXPECT_FALSE(every);
  // Once runs are cut off, a state met sooner than ever is explored again whole.
  EXPECT_EQ(table.visit(w, 0, false, true, {1}, wake, every), dfs::StateTable::Visit::kAgain);
  EXPECT_TRUE(every);
}

// A bit table: a state and its sleep set are one key; a full table takes
// states never met for explored ones, and its omission probability says so.
TEST(DfsStateTable, ABitTableIsLossyAndSaysHowLikelyAMissIs) {
  dfs::StateTable table;
  table.use_bits(1 << 20);
  std::vector<uint64_t> wake;
  bool every = false;
  EXPECT_EQ(table.omission_probability(), 0.0);
  const StateId s{1, 2};
  EXPECT_EQ(table.visit(s, 5, false, true, {1}, wake, every), dfs::StateTable::Visit::kNew);
  EXPECT_EQ(table.visit(s, 9, false, true, {1}, wake, every), dfs::StateTable::Visit::kKnown);
  // Another sleep set is another key: explored again from every event awake.
  EXPECT_EQ(table.visit(s, 5, false, true, {}, wake, every), dfs::StateTable::Visit::kNew);
  EXPECT_TRUE(wake.empty());
  EXPECT_EQ(table.size(), 2u);
  const double fill = 6.0 / (8.0 * (1 << 20));
  EXPECT_NEAR(table.omission_probability(), fill * fill * fill, 1e-30);

  // 64 bits: a few dozen states fill it, and then a state never met is
  // taken for an explored one.
  dfs::StateTable odd;
  odd.use_bits(3 << 20);
  EXPECT_EQ(odd.bytes(), 2u << 20) << "the largest power of two of bits that fits";
  dfs::StateTable tiny;
  tiny.use_bits(8);
  EXPECT_EQ(tiny.bytes(), 8u);
  uint64_t missed = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    if (tiny.visit(StateId{i, i * 7}, 1, false, true, {}, wake, every) == dfs::StateTable::Visit::kKnown) ++missed;
  }
  EXPECT_GT(missed, 100u);
  EXPECT_EQ(tiny.size() + missed, 200u);
  EXPECT_GT(tiny.omission_probability(), 0.9);
  EXPECT_LE(tiny.omission_probability(), 1.0);
}

}  // namespace
}  // namespace lockstep

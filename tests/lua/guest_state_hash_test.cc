// The guest's part of a state fingerprint: values by content, never by
// address, and each process's continuation (frames, where each stands,
// locals, upvalues).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <utility>

#include "lua/guest.h"
#include "vm/vm.h"

namespace lockstep {
namespace {

constexpr const char* kScenario = R"lua(
local ls = lockstep
-- Tests 0-7 send their root a value and wait; each tail-calls go, so
-- their roots stand in the same frame and differ only by the value.
local function go(t)
  ls.send(ls.self(), t)
  ls.receive()
end
ls.test("b then a", function() local t = {}; t.b = 2; t.a = 1; return go(t) end)
ls.test("a then b", function() local t = {}; t.a = 1; t.b = 2; return go(t) end)
ls.test("other value", function() local t = {}; t.a = 1; t.b = 3; return go(t) end)
ls.test("cycle", function() local t = {1, 2}; t.self = t; return go({t, t}) end)
ls.test("cycle again", function() local t = {1, 2}; t.self = t; return go({t, t}) end)
ls.test("pid and function", function() return go({ls.self(), go}) end)
local function churn()
  local junk = {}
  for i = 1, 100 do junk[i] = { i } end
end
ls.test("pid and function, other addresses", function() churn(); return go({ls.self(), go}) end)
ls.test("pid and another function", function() return go({ls.self(), print}) end)

-- 8: two senders; the root takes each by a match function.
ls.test("taken by match", function()
  local me = ls.self()
  ls.spawn(function() ls.send(me, 1) end)
  ls.spawn(function() ls.send(me, 2) end)
  local a = ls.receive(function(m) return m == 1 end)
  local b = ls.receive(function(m) return m == 2 end)
  ls.receive()
end)
-- 9: two senders; the root takes what comes first.
ls.test("taken as they come", function()
  local me = ls.self()
  ls.spawn(function() ls.send(me, 1) end)
  ls.spawn(function() ls.send(me, 2) end)
  local a = ls.receive()
  local b = ls.receive()
  ls.receive()
end)
-- 10: two sync points on one line, then a loop of one.
ls.test("one line", function()
  local me = ls.self()
  ls.is_alive(me); ls.is_alive(me)
  while true do ls.is_alive(me) end
end)
-- 11: a scenario-level local, reached through an upvalue.
local hits = 0
ls.test("upvalue", function()
  local me = ls.self()
  while true do hits = hits + 1; ls.is_alive(me) end
end)
-- 12: a global set to the same value each time round.
ls.test("global", function()
  local me = ls.self()
  while true do SEEN = true; ls.is_alive(me) end
end)
-- 13: a table that grows.
ls.test("table", function()
  local me, t = ls.self(), {}
  while true do t[#t + 1] = 0; ls.is_alive(me) end
end)
-- 14: a list nested deeper than a fingerprint follows.
ls.test("deep", function()
  local me, list = ls.self(), nil
  for _ = 1, 1000 do list = { next = list } end
  while true do ls.is_alive(me) end
end)
-- 15: tables as keys, made between sync points: pairs visits them in
-- the order of their addresses, which any allocation in between moves.
ls.test("addresses", function()
  local me, keys, order = ls.self(), {}, {}
  for round = 1, 6 do
    local made = {}
    for i = 1, 40 do made[i] = { round, i } end
    for i = 1, 40, 3 do keys[made[i]] = #order + i end
    ls.is_alive(me)
  end
  for k, v in pairs(keys) do order[#order + 1] = v end
  error(table.concat(order, ","))
end)

-- 16-18: the root starts three workers (five steps); each takes a
-- number, writes a row keyed by its pid and waits (three steps each).
local function start_workers(symmetric)
  local t = ls.ets.new("seen", { type = "set", access = "public" })
  local c = ls.atomics.new(1)
  local pids = {}
  for i = 1, 3 do
    pids[i] = ls.spawn(function()
      local n = ls.atomics.add_get(c, 1, 1)
      ls.ets.insert(t, { ls.self(), n })
      ls.receive()
    end)
  end
  if symmetric then ls.symmetric(pids) end
  return pids
end
ls.test("symmetric", function() start_workers(true); ls.receive() end)
ls.test("not declared", function() start_workers(false); ls.receive() end)
ls.test("kept in a list", function() local pids = start_workers(true); ls.receive() end)

-- 19-21: closures of one function, by their upvalues.
local function make(x) return function() return x end end
ls.test("closure of 1", function() return go({make(1)}) end)
ls.test("closure of 2", function() return go({make(2)}) end)
ls.test("closure of 1, other addresses", function() churn(); return go({make(1)}) end)
-- 22-24: functions the run compiled itself.
ls.test("loaded", function() return go({load("return 1")}) end)
ls.test("loaded, other addresses", function() churn(); return go({load("return 1")}) end)
ls.test("loaded, other code", function() return go({load("return 2")}) end)
)lua";

struct Zero : ChoiceSource {
  uint64_t choose(uint64_t) override { return 0; }
};

// One iteration of test `index`, stepped by hand.
class Iteration {
 public:
  explicit Iteration(size_t index) {
    // One file per process: ctest runs these tests in parallel processes.
    const std::string path = ::testing::TempDir() + "guest_state_hash_test." + std::to_string(getpid()) + ".lua";
    std::ofstream(path) << kScenario;
    auto program = lua::LuaProgram::load(path);
    if (!program.ok()) {
      ADD_FAILURE() << program.status().message();
      return;
    }
    program_ = std::move(*program);
    auto sys = program_->start(index, RunOptions{});
    EXPECT_TRUE(sys.ok());
    if (sys.ok()) vm_ = dynamic_cast<vm::Vm*>(*sys);
    EXPECT_NE(vm_, nullptr);
  }

  // Runs one step of process `pid`.
  Iteration& run(uint32_t pid) {
    if (vm_ == nullptr) return *this;
    for (const Op& op : vm_->enabled()) {
      if (op.key == EventKey::process(pid)) {
        const Op chosen = op;
        vm_->step(chosen, zero_);
        return *this;
      }
    }
    ADD_FAILURE() << "P" << pid << " cannot run";
    return *this;
  }
  Iteration& run(std::initializer_list<uint32_t> pids) {
    for (uint32_t p : pids) run(p);
    return *this;
  }

  vm::Fingerprint fingerprint() { return vm_ ? vm_->fingerprint() : vm::Fingerprint{}; }

  // Runs the root to its end, taking a fingerprint before every step if
  // asked; what it failed with.
  std::string finish(bool fingerprints) {
    for (int steps = 0; vm_ && steps < 1000; ++steps) {
      if (fingerprints) fingerprint();
      StepResult r;
      for (const Op& op : vm_->enabled()) {
        if (op.key == EventKey::process(0)) {
          const Op chosen = op;
          r = vm_->step(chosen, zero_);
          break;
        }
      }
      if (r.failure) return r.failure.message;
      if (r.finished) break;
    }
    return "(no failure)";
  }

 private:
  std::unique_ptr<Program> program_;
  vm::Vm* vm_ = nullptr;
  Zero zero_;
};

vm::Fingerprint after_send(size_t test) { return Iteration(test).run({0, 0}).fingerprint(); }

TEST(GuestValueHash, TablesHashByContentWhateverTheirInsertionOrder) {
  EXPECT_EQ(after_send(0), after_send(1));
  EXPECT_NE(after_send(1), after_send(2));
}

TEST(GuestValueHash, CyclesAndSharingHashAndEqualStructuresAgree) {
  EXPECT_EQ(after_send(3), after_send(4));
  EXPECT_NE(after_send(3), after_send(0));
}

TEST(GuestValueHash, HandlesAndFunctionsHashWithoutAddresses) {
  EXPECT_EQ(after_send(5), after_send(6));  // the same values at other addresses
  EXPECT_NE(after_send(5), after_send(7));  // another function
}

TEST(GuestValueHash, ClosuresHashByTheirFunctionAndUpvalues) {
  EXPECT_EQ(after_send(19), after_send(21));
  EXPECT_NE(after_send(19), after_send(20));
  EXPECT_NE(after_send(19), after_send(5));
}

TEST(GuestValueHash, FunctionsARunCompiledHashByTheirDefinition) {
  // Its prototypes are not in the saved state, and may sit where another
  // run's were: they are named by their source and lines instead.
  EXPECT_EQ(after_send(22), after_send(23));
  EXPECT_NE(after_send(22), after_send(24));
  EXPECT_NE(after_send(22), after_send(19));
}

// The root spawns P1 and P2 (three steps), each sends it a value (two
// steps each), then the root takes two messages (two steps).
vm::Fingerprint senders(size_t test, bool first_one_first) {
  Iteration it(test);
  it.run({0, 0, 0});
  if (first_one_first) {
    it.run({1, 1, 2, 2});
  } else {
    it.run({2, 2, 1, 1});
  }
  return it.run({0, 0}).fingerprint();
}

TEST(GuestContinuationHash, TwoOrdersOfIndependentStepsReachOneState) {
  EXPECT_EQ(senders(8, true), senders(8, false));
}

TEST(GuestContinuationHash, LocalsThatDifferMakeTheStatesDiffer) {
  // a = 1, b = 2 against a = 2, b = 1: nothing else differs.
  EXPECT_NE(senders(9, true), senders(9, false));
}

TEST(GuestContinuationHash, TwoSyncPointsOnOneLineAreTwoPlaces) {
  Iteration it(10);
  const vm::Fingerprint first = it.run(0).fingerprint();  // at the first is_alive
  const vm::Fingerprint second = it.run(0).fingerprint();
  const vm::Fingerprint loop = it.run(0).fingerprint();
  EXPECT_NE(first, second);
  EXPECT_NE(second, loop);
  EXPECT_EQ(loop, it.run(0).fingerprint()) << "a loop back to the same place and locals is the same state";
}

// The fingerprints before and after one more step of the root's loop.
std::pair<vm::Fingerprint, vm::Fingerprint> round_the_loop(size_t test) {
  Iteration it(test);
  const vm::Fingerprint before = it.run({0, 0}).fingerprint();
  return {before, it.run(0).fingerprint()};
}

TEST(GuestContinuationHash, UpvaluesGlobalsAndTablesAreState) {
  auto [up_before, up_after] = round_the_loop(11);
  EXPECT_NE(up_before, up_after) << "a scenario-level local changed";
  auto [global_before, global_after] = round_the_loop(12);
  EXPECT_EQ(global_before, global_after) << "the same global, set again";
  auto [table_before, table_after] = round_the_loop(13);
  EXPECT_NE(table_before, table_after) << "a table grew";
}

TEST(GuestContinuationHash, AValueTooDeepToFollowNeverEqualsAnotherState) {
  auto [before, after] = round_the_loop(14);  // and no crash
  EXPECT_NE(before, after);
}

// The root starts the workers, then the workers `order` run to their wait.
vm::Fingerprint workers(size_t test, std::initializer_list<uint32_t> order, int last_steps = 3) {
  Iteration it(test);
  it.run({0, 0, 0, 0, 0});
  size_t i = 0;
  for (uint32_t w : order) {
    const int steps = ++i == order.size() ? last_steps : 3;
    for (int s = 0; s < steps; ++s) it.run(w);
  }
  return it.fingerprint();
}

TEST(SymmetryHash, StatesThatDifferByAPermutationOfSymmetricProcessesAreOne) {
  // Worker 1 then 2 against 2 then 1: each got the other's number, and
  // each keyed its row by its own pid; a permutation of the two.
  EXPECT_EQ(workers(16, {1, 2}), workers(16, {2, 1}));
  EXPECT_EQ(workers(16, {1}), workers(16, {3})) << "one worker done, whichever";
  EXPECT_EQ(workers(16, {1, 3, 2}), workers(16, {3, 2, 1}));
  EXPECT_NE(workers(17, {1, 2}), workers(17, {2, 1})) << "without ls.symmetric, which pid holds which number counts";
  EXPECT_NE(workers(17, {1}), workers(17, {3}));
}

TEST(SymmetryHash, AnyOtherDifferenceStillTellsStatesApart) {
  EXPECT_NE(workers(16, {1, 2}), workers(16, {1, 2}, 2)) << "the second has not written its row";
  EXPECT_NE(workers(16, {1, 2}), workers(16, {1, 2, 3}, 1)) << "the third has taken a step";
  EXPECT_NE(workers(16, {1}), workers(16, {2, 3}));
  // The root keeps the pids in a list: its order names each worker.
  EXPECT_NE(workers(18, {1, 2}), workers(18, {2, 1}));
  EXPECT_EQ(workers(18, {1, 2}), workers(18, {1, 2}));
}

TEST(GuestStateHash, TakingAFingerprintChangesNothingTheGuestCanSee) {
  // Had a fingerprint allocated in the guest heap, the tables made after
  // it would sit elsewhere and pairs would visit them in another order.
  const std::string plain = Iteration(15).finish(false);
  EXPECT_NE(plain.find(','), std::string::npos) << plain;
  EXPECT_EQ(plain, Iteration(15).finish(true));
}

}  // namespace
}  // namespace lockstep

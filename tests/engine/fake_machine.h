// A System for state-caching tests: processes are small programs over
// shared cells that loop and wait, so the state graph has joins (two
// orders reach one state) and cycles (a loop returns to a state), which
// the straight-line FakeSystem never has.
//
// Each process has a program counter and one register; every instruction
// is one step and, after it, jumps to `target` when the register equals
// `when`, else falls through. A process whose counter is past its program
// has ended. Cells and the register hold values mod kValues, so the state
// space is finite: (counters, registers, cells).
//
//   read c       reg := cell[c]
//   write c v    cell[c] := v
//   add c v      cell[c] := cell[c] + v; reg := the new value
//   await c v    enabled only while cell[c] == v; reg := v
//   tick         waits for virtual time to move on: enabled once time has
//                advanced since the process reached it (time advances
//                when nothing else can run, as the VM's does, and wakes
//                every process waiting in a tick)
//
// A run fails at the step that makes cell 0 equal `bad` (when set). It
// ends when every process has ended, and deadlocks when none can run but
// some have not ended. state_id() names the state by its content; event
// names are the pids, which every path gives the same process.
//
// With `symmetric_`, processes that run the same program are
// interchangeable (as ls.symmetric declares them): state_id() names the
// state with each group's (counter, register) pairs sorted, and an event by
// its process's group and rank in that order (ties by pid), as the VM does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "engine/base/hash.h"
#include "engine/system.h"

namespace lockstep::testing {

struct MachineStep {
  enum class Op : uint8_t { kRead, kWrite, kAdd, kAwait, kTick };
  Op op = Op::kRead;
  uint32_t cell = 0;
  uint32_t value = 0;
  uint32_t when = 0;          // jump when the register equals this after the step
  uint32_t target = UINT32_MAX;  // where to (UINT32_MAX: never jump)
  bool operator==(const MachineStep&) const = default;
};

class FakeMachine final : public System {
 public:
  static constexpr uint32_t kValues = 3;

  struct State {
    std::vector<uint32_t> pc, reg, cells;
    std::vector<uint32_t> woken;  // per process: in a tick, and time has moved on since
    bool operator==(const State&) const = default;
  };

  FakeMachine(std::vector<std::vector<MachineStep>> programs, uint32_t cells)
      : programs_(std::move(programs)) {
    for (uint32_t p = 0; p < programs_.size(); ++p) {
      uint32_t g = 0;
      while (g < groups_.size() && programs_[groups_[g][0]] != programs_[p]) ++g;
      if (g == groups_.size()) groups_.emplace_back();
      groups_[g].push_back(p);
      group_.push_back(g);
    }
    state_.pc.assign(programs_.size(), 0);
    state_.reg.assign(programs_.size(), 0);
    state_.cells.assign(cells, 0);
    state_.woken.assign(programs_.size(), 0);
    refresh();
    seen_.push_back(state_);
  }

  std::optional<uint32_t> bad_;  // the value of cell 0 that fails a run
  bool symmetric_ = false;       // processes with one program are interchangeable
  std::vector<State> seen_;      // every state this run was in, in order

  const State& state() const { return state_; }
  static uint64_t hash(const State& s) {
    uint64_t h = 0x6d61636869;
    for (const auto* v : {&s.pc, &s.reg, &s.cells, &s.woken}) {
      for (uint32_t x : *v) h = mix64(h ^ (x + 0x9e3779b97f4a7c15ull));
      h = mix64(h + 0x51);
    }
    return h;
  }

  std::span<const Op> enabled() override { return enabled_; }
  // Wakes every process waiting in a tick, if any is (a new state).
  bool advance_time() override {
    bool any = false;
    for (uint32_t p = 0; p < programs_.size(); ++p) {
      if (in_tick(state_, p) && !state_.woken[p]) any = true, state_.woken[p] = 1;
    }
    if (!any) return false;
    ++now_;
    refresh();
    seen_.push_back(state_);
    return true;
  }
  int64_t now() const override { return now_; }

  StepResult step(const Op& op, ChoiceSource&) override {
    const uint32_t p = op.key.id;
    const MachineStep& s = programs_[p][state_.pc[p]];
    uint32_t& reg = state_.reg[p];
    uint32_t& cell = state_.cells[s.cell];
    StepResult r;
    bool writes = false;
    switch (s.op) {
      case MachineStep::Op::kRead: reg = cell; break;
      case MachineStep::Op::kWrite: cell = s.value % kValues; writes = true; break;
      case MachineStep::Op::kAdd: cell = (cell + s.value) % kValues; reg = cell; writes = true; break;
      case MachineStep::Op::kAwait: reg = cell; break;
      case MachineStep::Op::kTick: state_.woken[p] = 0; break;
    }
    state_.pc[p] = s.target != UINT32_MAX && reg == s.when ? s.target : state_.pc[p] + 1;
    access_ = {object::atomic(1, s.cell), writes};
    r.facts.actor = p;
    if (s.op != MachineStep::Op::kTick) r.facts.accesses = std::span<const Access>(&access_, 1);
    refresh();
    seen_.push_back(state_);
    if (bad_ && state_.cells[0] == *bad_) {
      r.failure.kind = FailureKind::kAssertion;
      r.failure.message = "cell 0 went bad";
    }
    r.finished = enabled_.empty() && done();
    return r;
  }

  Failure deadlock() override {
    Failure f;
    f.kind = FailureKind::kDeadlock;
    f.message = "every process that has not ended waits";
    return f;
  }
  void set_event_sink(EventSink*) override {}

  std::optional<StateId> state_id(const StateOptions& options) override {
    return StateId{hash(symmetric_ && !options.ids ? canonical(state_) : state_), 0x5717e};
  }
  void event_names(std::span<const Op> enabled, const StateOptions& options, std::vector<uint64_t>& out) override {
    out.clear();
    for (const Op& op : enabled) {
      const uint32_t p = op.key.id;
      out.push_back(symmetric_ && !options.ids ? uint64_t{group_[p]} << 32 | rank(p) : p);
    }
  }

  // The state with each group's (counter, register) pairs in order: one
  // state for every permutation of a group's processes.
  State canonical(const State& s) const {
    State c = s;
    for (const auto& members : groups_) {
      std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> local;
      for (uint32_t p : members) local.emplace_back(s.pc[p], s.reg[p], s.woken[p]);
      std::sort(local.begin(), local.end());
      for (size_t i = 0; i < members.size(); ++i)
        std::tie(c.pc[members[i]], c.reg[members[i]], c.woken[members[i]]) = local[i];
    }
    return c;
  }

  // The processes that can take a step in state s.
  std::vector<uint32_t> runnable(const State& s) const {
    std::vector<uint32_t> out;
    for (uint32_t p = 0; p < programs_.size(); ++p) {
      if (s.pc[p] >= programs_[p].size()) continue;
      const MachineStep& m = programs_[p][s.pc[p]];
      if (m.op == MachineStep::Op::kAwait && s.cells[m.cell] != m.value % kValues) continue;
      if (m.op == MachineStep::Op::kTick && !s.woken[p]) continue;
      out.push_back(p);
    }
    return out;
  }
  bool in_tick(const State& s, uint32_t p) const {
    return s.pc[p] < programs_[p].size() && programs_[p][s.pc[p]].op == MachineStep::Op::kTick;
  }
  bool done() const {
    for (uint32_t p = 0; p < programs_.size(); ++p) {
      if (state_.pc[p] < programs_[p].size()) return false;
    }
    return true;
  }

 private:
  void refresh() {
    enabled_.clear();
    for (uint32_t p : runnable(state_)) {
      const MachineStep& m = programs_[p][state_.pc[p]];
      const bool writes = m.op == MachineStep::Op::kWrite || m.op == MachineStep::Op::kAdd;
      enabled_.push_back({.key = EventKey::process(p),
                          .step = writes ? StepKind::kAtomicsPut : StepKind::kAtomicsGet,
                          .writes = writes,
                          .object = object::atomic(1, m.cell)});
    }
  }

  // Process p's place among its group's processes ordered by (counter,
  // register), ties by pid.
  uint32_t rank(uint32_t p) const {
    uint32_t r = 0;
    const auto mine = std::make_tuple(state_.pc[p], state_.reg[p], state_.woken[p], p);
    for (uint32_t q : groups_[group_[p]])
      r += std::make_tuple(state_.pc[q], state_.reg[q], state_.woken[q], q) < mine ? 1 : 0;
    return r;
  }

  std::vector<std::vector<MachineStep>> programs_;
  std::vector<std::vector<uint32_t>> groups_;  // processes by program
  std::vector<uint32_t> group_;                // each process's group
  State state_;
  std::vector<Op> enabled_;
  Access access_;
  int64_t now_ = 0;
};

}  // namespace lockstep::testing

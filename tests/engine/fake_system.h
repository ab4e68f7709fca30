// A System for engine tests: each process is a fixed list of steps; a
// process is enabled while it has steps left. Records the order in which
// steps ran, so tests can assert on interleavings.
#pragma once

#include <functional>
#include <vector>

#include "engine/system.h"

namespace lockstep::testing {

struct FakeStep {
  StepKind kind = StepKind::kSend;
  uint64_t object = 0;
  bool writes = true;
};

class FakeSystem final : public System {
 public:
  explicit FakeSystem(std::vector<std::vector<FakeStep>> processes) : procs_(std::move(processes)) {
    next_.assign(procs_.size(), 0);
    refresh();
  }

  std::span<const Op> enabled() override { return enabled_; }
  bool advance_time() override { return false; }

  StepResult step(const Op& op, ChoiceSource& choices) override {
    order_.push_back(op.key.id);
    const FakeStep& ran = procs_[op.key.id][next_[op.key.id]];
    access_ = {ran.object, ran.writes};
    ++next_[op.key.id];
    if (choose_per_step_) chosen_.push_back(choices.choose(choose_per_step_));
    refresh();
    StepResult r;
    if (fails_ && fails_(order_)) {
      r.failure.kind = FailureKind::kAssertion;
      r.failure.message = "bad interleaving";
    }
    r.finished = enabled_.empty() && !deadlock_when_done_;
    r.facts.actor = op.key.id;
    if (access_.object != 0) r.facts.accesses = std::span<const Access>(&access_, 1);
    return r;
  }

  Failure deadlock() override {
    Failure f;
    f.kind = FailureKind::kDeadlock;
    f.message = "fake deadlock";
    return f;
  }
  void set_event_sink(EventSink*) override {}

  // The failure predicate sees the pids in the order their steps ran.
  std::function<bool(const std::vector<uint32_t>&)> fails_;
  bool deadlock_when_done_ = false;
  uint64_t choose_per_step_ = 0;  // if > 0, each step makes a choice in [0, n)
  std::vector<uint32_t> order_;
  std::vector<uint64_t> chosen_;

 private:
  void refresh() {
    enabled_.clear();
    for (uint32_t p = 0; p < procs_.size(); ++p) {
      if (next_[p] < procs_[p].size()) {
        const FakeStep& s = procs_[p][next_[p]];
        enabled_.push_back({EventKey::process(p), s.kind, s.writes, s.object});
      }
    }
  }

  std::vector<std::vector<FakeStep>> procs_;
  std::vector<size_t> next_;
  std::vector<Op> enabled_;
  Access access_;  // what the last step touched (its facts point here)
};

}  // namespace lockstep::testing

// pos: Partial Order Sampling (Yuan, Yang, Gu, "Partial Order Aware
// Concurrency Sampling", CAV 2018).
//
// Every enabled event gets a random priority; the highest runs. After an
// event runs, the events that race with it (same object, at least one
// writing: same mailbox, same registered name, ...) get fresh priorities, as
// does the next event of the process that ran. Unlike PCT this samples
// partial orders close to uniformly, without a depth parameter.
#include <algorithm>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

constexpr uint64_t kUnset = 0;  // real priorities are never 0 (see fresh())

class PosStrategy final : public Strategy {
 public:
  void begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    prio_.reset();
    have_last_ = false;
  }

  size_t pick(std::span<const Op> enabled) override {
    if (have_last_) {
      // Events racing with the one that just ran are re-sampled.
      for (const Op& op : enabled) {
        if (op.races_with(last_)) priority(op) = fresh();
      }
    }
    size_t best = 0;
    uint64_t best_prio = priority(enabled[0]);
    for (size_t i = 1; i < enabled.size(); ++i) {
      uint64_t p = priority(enabled[i]);
      if (p > best_prio) {
        best = i;
        best_prio = p;
      }
    }
    return best;
  }

  void on_scheduled(const Op& op) override {
    // The process's next event (or a re-armed timer) is a new event.
    priority(op) = kUnset;
    last_ = op;
    have_last_ = true;
  }

  uint64_t choose(uint64_t n) override { return prng_.below(n); }

 private:
  uint64_t fresh() { return prng_.next() | 1; }

  uint64_t& priority(const Op& op) {
    uint64_t& p = prio_[op.key];
    if (p == kUnset) p = fresh();
    return p;
  }

  Prng prng_;
  EventTable<uint64_t> prio_{kUnset};
  Op last_;
  bool have_last_ = false;
};

}  // namespace

std::unique_ptr<Strategy> make_pos_strategy(const StrategyParams&) {
  return std::make_unique<PosStrategy>();
}

}  // namespace lockstep

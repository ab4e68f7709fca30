// pos: Partial Order Sampling (Yuan, Yang, Gu, "Partial Order Aware
// Concurrency Sampling", CAV 2018).
//
// Every enabled event gets a random priority; the highest runs. After an
// event runs, the enabled events that race with what it did (its step
// facts: an overlapping object, at least one writing — a mailbox, a
// registered name, a table key, ...) get fresh priorities, as does the
// next event of the process that ran. Unlike PCT this samples
// partial orders close to uniformly, without a depth parameter.
#include <algorithm>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

constexpr uint64_t kUnset = 0;  // real priorities are never 0 (see fresh())

class PosStrategy final : public Strategy {
 public:
  bool begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    prio_.reset();
    last_.clear();
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    // Events racing with the step that just ran are re-sampled.
    for (const Access& a : last_) {
      for (const Op& op : enabled) {
        if (races(op, a)) priority(op) = fresh();
      }
    }
    last_.clear();
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

  bool on_step(const StepFacts& facts) override {
    // The process's next event (or a re-armed timer) is a new event.
    prio_[facts.event] = kUnset;
    last_.assign(facts.accesses.begin(), facts.accesses.end());
    return true;
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
  std::vector<Access> last_;  // what the last step touched
};

}  // namespace

std::unique_ptr<Strategy> make_pos_strategy(const StrategyParams&) {
  return std::make_unique<PosStrategy>();
}

}  // namespace lockstep

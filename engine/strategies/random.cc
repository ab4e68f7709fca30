// random: every enabled operation is equally likely at every step.
#include "engine/strategy.h"

namespace lockstep {
namespace {

class RandomStrategy final : public Strategy {
 public:
  bool begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    return true;
  }
  size_t pick(std::span<const Op> enabled) override { return prng_.below(enabled.size()); }
  uint64_t choose(uint64_t n) override { return prng_.below(n); }

 private:
  Prng prng_;
};

}  // namespace

std::unique_ptr<Strategy> make_random_strategy(const StrategyParams&) {
  return std::make_unique<RandomStrategy>();
}

std::optional<uint64_t> always_fair(const StrategyParams&, uint64_t) { return 0; }

}  // namespace lockstep

// fair_pct: PCT (Burckhardt et al., ASPLOS 2010) for the first
// --fair-after scheduling points of an iteration, then uniformly random.
//
// PCT's strict priorities can starve a process for as long as a
// higher-priority one stays enabled: a spin loop waiting for a flag that
// only the starved process would set never ends, and the iteration is cut
// off at max_steps. Coyote and Lockstep for Elixir pair PCT with a fair
// tail for that reason; the tail gives every enabled process a chance.
#include "engine/strategy.h"

namespace lockstep {
namespace {

class FairPctStrategy final : public Strategy {
 public:
  explicit FairPctStrategy(const StrategyParams& params)
      : pct_(make_pct_strategy(params)), fair_after_(params.get("fair_after", 200)) {}

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    points_ = 0;
    prng_.reseed(seed ^ 0x6a09e667f3bcc909ull);  // the tail's own stream
    return pct_->begin_iteration(seed, hint);
  }

  size_t pick(std::span<const Op> enabled) override {
    if (enabled.size() >= 2 && ++points_ > fair_after_) return prng_.below(enabled.size());
    return pct_->pick(enabled);
  }

  uint64_t choose(uint64_t n) override { return pct_->choose(n); }
  bool on_step(const StepFacts& facts) override { return pct_->on_step(facts); }

 private:
  std::unique_ptr<Strategy> pct_;
  uint64_t fair_after_;
  uint64_t points_ = 0;
  Prng prng_;
};

}  // namespace

std::unique_ptr<Strategy> make_fair_pct_strategy(const StrategyParams& params) {
  return std::make_unique<FairPctStrategy>(params);
}

std::optional<uint64_t> fair_pct_fair_after(const StrategyParams& params, uint64_t) {
  return params.get("fair_after", 200);
}

}  // namespace lockstep

// idpct: iterative-deepening PCT. PCT (Burckhardt et al., ASPLOS 2010)
// finds a bug of depth d with probability at least 1 / (n k^(d-1)), but
// only if its depth parameter is at least d, and every extra level costs a
// factor k. idpct cycles the depth over iterations, d = 1, 2, ...,
// --max-depth, 1, 2, ..., so shallow bugs are found as fast as with the
// right depth and deep ones without guessing it. Iteration i uses depth
// 1 + (i mod max-depth): still a pure function of the seed and i.
#include <algorithm>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

class IdPctStrategy final : public Strategy {
 public:
  explicit IdPctStrategy(const StrategyParams& params) : max_depth_(std::clamp<uint64_t>(params.get("max_depth", 5), 1, 1000)) {
    for (uint64_t d = 1; d <= max_depth_; ++d) by_depth_.push_back(make_pct_strategy({{"pct_depth", d}}));
  }

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    current_ = by_depth_[hint.iteration % max_depth_].get();
    return current_->begin_iteration(seed, hint);
  }

  size_t pick(std::span<const Op> enabled) override { return current_->pick(enabled); }
  uint64_t choose(uint64_t n) override { return current_->choose(n); }
  bool on_step(const StepFacts& facts) override { return current_->on_step(facts); }

 private:
  uint64_t max_depth_;
  std::vector<std::unique_ptr<Strategy>> by_depth_;
  Strategy* current_ = nullptr;
};

}  // namespace

std::unique_ptr<Strategy> make_idpct_strategy(const StrategyParams& params) {
  return std::make_unique<IdPctStrategy>(params);
}

}  // namespace lockstep

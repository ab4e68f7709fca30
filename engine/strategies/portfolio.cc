// portfolio: rotates strategies across iterations, as Coyote's default
// does: iteration i runs the (i mod 6)-th of pct (depth 3), pos, random,
// fair_pct, pct (depth 2) and idpct. Which strategy finds a bug fastest
// depends on the bug (PCT for ordering bugs of small depth, POS for races
// on shared objects, random for shallow ones); rotating bounds the
// iterations lost to a poor pick at a factor of six. Each iteration is a
// pure function of the seed and i, so --iteration, --jobs and --shard work.
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

struct Member {
  std::unique_ptr<Strategy> (*make)(const StrategyParams&);
  StrategyParams params;
  std::optional<uint64_t> (*fair_after)(const StrategyParams&, uint64_t);  // null: never fair
};

const std::vector<Member> kMembers = {
    {make_pct_strategy, {{"pct_depth", 3}}, nullptr},
    {make_pos_strategy, {}, nullptr},
    {make_random_strategy, {}, always_fair},
    {make_fair_pct_strategy, {{"pct_depth", 3}, {"fair_after", 200}}, fair_pct_fair_after},
    {make_pct_strategy, {{"pct_depth", 2}}, nullptr},
    {make_idpct_strategy, {{"max_depth", 5}}, nullptr},
};

class PortfolioStrategy final : public Strategy {
 public:
  explicit PortfolioStrategy(const StrategyParams&) {
    for (const Member& m : kMembers) members_.push_back(m.make(m.params));
  }

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    current_ = members_[hint.iteration % members_.size()].get();
    // The member sees its own iteration count, so idpct still cycles.
    IterationHint own = hint;
    own.iteration = hint.iteration / members_.size();
    return current_->begin_iteration(seed, own);
  }

  size_t pick(std::span<const Op> enabled) override { return current_->pick(enabled); }
  uint64_t choose(uint64_t n) override { return current_->choose(n); }
  bool on_step(const StepFacts& facts) override { return current_->on_step(facts); }

 private:
  std::vector<std::unique_ptr<Strategy>> members_;
  Strategy* current_ = nullptr;
};

}  // namespace

std::unique_ptr<Strategy> make_portfolio_strategy(const StrategyParams& params) {
  return std::make_unique<PortfolioStrategy>(params);
}

std::optional<uint64_t> portfolio_fair_after(const StrategyParams&, uint64_t iteration) {
  const Member& m = kMembers[iteration % kMembers.size()];
  return m.fair_after ? m.fair_after(m.params, iteration / kMembers.size()) : std::nullopt;
}

}  // namespace lockstep

// portfolio: rotates strategies across iterations, as Coyote's default
// does: iteration i runs the (i mod 6)-th of surw, pct (depth 3), rff,
// pos, fair_pct and idpct. Which strategy finds a bug fastest depends on
// the bug (PCT for ordering bugs of small depth, POS and rff for races on
// shared objects, surw for bugs that need one process to run between the
// steps of another among many); rotating bounds the iterations lost to a
// poor pick at a factor of six (docs/strategies.md has the measurements).
//
// Two members learn (surw, rff), so the portfolio is a learner: a lesson
// goes to the member that taught it, and each member sees its own
// iteration count (i div 6), so idpct still cycles its depths.
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
    {make_surw_strategy, {}, always_fair},
    {make_pct_strategy, {{"pct_depth", 3}}, nullptr},
    {make_rff_strategy, {}, nullptr},
    {make_pos_strategy, {}, nullptr},
    {make_fair_pct_strategy, {{"pct_depth", 3}, {"fair_after", 200}}, fair_pct_fair_after},
    {make_idpct_strategy, {{"max_depth", 5}}, nullptr},
};

// A member's lesson, addressed to it.
struct PortfolioLesson final : Learner::Lesson {
  size_t member = 0;
  std::unique_ptr<Learner::Lesson> inner;
};

class PortfolioStrategy final : public Strategy, public Learner {
 public:
  explicit PortfolioStrategy(const StrategyParams&) {
    for (const Member& m : kMembers) members_.push_back(m.make(m.params));
  }

  Learner* learner() override { return this; }

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    index_ = hint.iteration % members_.size();
    current_ = members_[index_].get();
    // The member sees its own iteration count, so idpct still cycles.
    IterationHint own = hint;
    own.iteration = hint.iteration / members_.size();
    return current_->begin_iteration(seed, own);
  }

  size_t pick(std::span<const Op> enabled) override { return current_->pick(enabled); }
  uint64_t choose(uint64_t n) override { return current_->choose(n); }
  bool on_step(const StepFacts& facts) override { return current_->on_step(facts); }
  void on_advance_time(int64_t now) override { current_->on_advance_time(now); }
  void end_iteration(const IterationResult& result) override { current_->end_iteration(result); }

  std::unique_ptr<Lesson> lesson() override {
    Learner* member = current_->learner();
    auto inner = member ? member->lesson() : nullptr;
    if (!inner) return nullptr;
    auto l = std::make_unique<PortfolioLesson>();
    l->member = index_;
    l->inner = std::move(inner);
    return l;
  }

  void learn(const Lesson& lesson) override {
    const auto& l = static_cast<const PortfolioLesson&>(lesson);
    members_[l.member]->learner()->learn(*l.inner);
  }

 private:
  std::vector<std::unique_ptr<Strategy>> members_;
  Strategy* current_ = nullptr;
  size_t index_ = 0;
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

// Faults for sampling strategies: a wrapper that decides when the faults a
// test's budget allows are injected, and leaves every other decision to
// the strategy it wraps (which never sees a fault event).
//
// Like PCT's change points, injection points are drawn uniformly over the
// longest schedule seen so far (in scheduling points), one per unit of
// budget. At an injection point a fault is injected if one is offered
// (else at the next point where one is): first a fault type uniformly
// among those offered, then one fault of that type uniformly, so a single
// crash is as likely as dropping one of many messages. A crash or a
// partition gets its restart or heal at a point drawn after it (within one
// schedule length), so a system that retries forever sees the network come
// back. The first iteration knows no schedule length and injects nothing.
// Restarts and heals offered alone (nothing else can run) are taken at once.
//
// Its random numbers come from a stream of their own, so the wrapped
// strategy draws what it would draw without faults.
#include <algorithm>
#include <array>
#include <functional>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

class FaultInjector final : public Strategy {
 public:
  FaultInjector(std::unique_ptr<Strategy> inner, const FaultBudget& budget)
      : inner_(std::move(inner)),
        units_(uint64_t{budget.drop} + budget.duplicate + budget.crash + budget.partition) {}

  std::string refuses(const RunOptions& options) const override { return inner_->refuses(options); }

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    prng_.reseed(seed ^ 0xbb67ae8584caa73bull);
    points_ = 0;
    next_ = 0;
    plan_.clear();
    recover_.clear();
    const uint64_t horizon = std::min<uint64_t>(hint.max_scheduling_points, uint64_t{1} << 40);
    horizon_ = horizon;
    if (horizon > 0) {
      for (uint64_t i = 0; i < units_; ++i) plan_.push_back(1 + prng_.below(horizon));
      std::sort(plan_.begin(), plan_.end());
    }
    return inner_->begin_iteration(seed, hint);
  }

  size_t pick(std::span<const Op> enabled) override {
    // A system offers faults after every other event.
    size_t first_fault = enabled.size();
    while (first_fault > 0 && enabled[first_fault - 1].key.kind == EventKind::kFault) --first_fault;
    if (enabled.size() >= 2) ++points_;
    const std::span<const Op> faults = enabled.subspan(first_fault);
    if (first_fault == 0) return pick_fault(faults, true);  // nothing else can run: a restart or heal
    if (!faults.empty()) {
      // A restart or heal that is due, if one is offered.
      if (!recover_.empty() && recover_.front() <= points_ && offers(faults, true)) {
        std::pop_heap(recover_.begin(), recover_.end(), std::greater<>());
        recover_.pop_back();
        return first_fault + pick_fault(faults, true);
      }
      if (next_ < plan_.size() && plan_[next_] <= points_ && offers(faults, false)) {
        ++next_;
        const size_t i = pick_fault(faults, false);
        if (faults[i].role() == StepRole::kOutage) {
          recover_.push_back(points_ + 1 + prng_.below(std::max<uint64_t>(horizon_, 1)));
          std::push_heap(recover_.begin(), recover_.end(), std::greater<>());
        }
        return first_fault + i;
      }
    }
    return inner_->pick(enabled.first(first_fault));
  }

  uint64_t choose(uint64_t n) override { return inner_->choose(n); }
  bool on_step(const StepFacts& facts) override { return inner_->on_step(facts); }
  void on_advance_time(int64_t now) override { inner_->on_advance_time(now); }
  bool wants_observations() const override { return inner_->wants_observations(); }
  void end_iteration(const IterationResult& result) override { inner_->end_iteration(result); }
  // It wraps picking only: a learner inside learns as it would alone.
  // (A search is never wrapped: it explores faults as any other event.)
  Learner* learner() override { return inner_->learner(); }

 private:
  static bool is_recovery(const Op& op) {
    return op.role() == StepRole::kRecovery;
  }
  static bool offers(std::span<const Op> faults, bool recovery) {
    return std::any_of(faults.begin(), faults.end(), [&](const Op& op) { return is_recovery(op) == recovery; });
  }

  // Among the faults that are (or are not) recoveries: a type uniformly
  // among those offered, then a fault of it uniformly.
  size_t pick_fault(std::span<const Op> faults, bool recovery) {
    std::array<StepKind, 8> types{};
    size_t ntypes = 0;
    for (const Op& op : faults) {
      if (is_recovery(op) != recovery) continue;
      if (std::find(types.begin(), types.begin() + ntypes, op.step) == types.begin() + ntypes && ntypes < types.size()) {
        types[ntypes++] = op.step;
      }
    }
    if (ntypes == 0) return 0;
    const StepKind type = types[prng_.below(ntypes)];
    const auto of_type = static_cast<uint64_t>(
        std::count_if(faults.begin(), faults.end(), [&](const Op& op) { return op.step == type; }));
    uint64_t k = prng_.below(of_type);
    for (size_t i = 0; i < faults.size(); ++i) {
      if (faults[i].step == type && k-- == 0) return i;
    }
    return 0;
  }

  std::unique_ptr<Strategy> inner_;
  uint64_t units_;
  Prng prng_;
  uint64_t points_ = 0;
  std::vector<uint64_t> plan_;     // injection points of new faults, sorted
  size_t next_ = 0;
  std::vector<uint64_t> recover_;  // points where a restart or heal is due (a min-heap)
  uint64_t horizon_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> with_faults(std::unique_ptr<Strategy> strategy, const FaultBudget& budget) {
  if (budget.empty() || strategy->search()) return strategy;
  return std::make_unique<FaultInjector>(std::move(strategy), budget);
}

}  // namespace lockstep

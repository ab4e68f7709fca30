// pct: Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010), with Coyote's refinements.
//
// Every event (a process, a timer, ...) gets a random priority when first seen; the
// highest-priority enabled operation always runs. d - 1 change points are
// drawn uniformly over the longest schedule seen so far, counted in
// scheduling points (steps with at least two enabled operations); at a change
// point the highest-priority enabled operation is demoted below all others.
// The first iteration knows no schedule length and has no change points.
//
// Priorities are iid uniform 62-bit numbers, so a process spawned mid-run
// lands at a uniformly random position among the processes not yet demoted;
// demoted ones get decreasing negative priorities.
#include <algorithm>
#include <limits>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

constexpr int64_t kUnset = std::numeric_limits<int64_t>::min();

class PctStrategy final : public Strategy {
 public:
  // Depths past 1,000 (a crafted trace's parameters) mean nothing more and
  // would make change-point sampling slow: clamped.
  explicit PctStrategy(uint32_t depth) : depth_(depth == 0 ? 1 : std::min<uint32_t>(depth, 1000)) {}

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    prng_.reseed(seed);
    prio_.reset();
    demotions_ = 0;
    points_ = 0;
    change_points_.clear();
    next_change_ = 0;
    // A crafted hint cannot make the horizon exceed what any run can reach.
    const uint64_t horizon = std::min<uint64_t>(hint.max_scheduling_points, uint64_t{1} << 40);
    const uint64_t wanted = std::min<uint64_t>(depth_ - 1, horizon);
    while (change_points_.size() < wanted) {
      uint64_t p = 1 + prng_.below(horizon);
      if (std::find(change_points_.begin(), change_points_.end(), p) == change_points_.end()) {
        change_points_.push_back(p);
      }
    }
    std::sort(change_points_.begin(), change_points_.end());
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    if (enabled.size() >= 2) {
      ++points_;
      if (next_change_ < change_points_.size() && change_points_[next_change_] == points_) {
        ++next_change_;
        priority(enabled[highest(enabled)]) = -static_cast<int64_t>(++demotions_);
      }
    }
    return highest(enabled);
  }

  uint64_t choose(uint64_t n) override { return prng_.below(n); }

 private:
  size_t highest(std::span<const Op> enabled) {
    size_t best = 0;
    int64_t best_prio = priority(enabled[0]);
    for (size_t i = 1; i < enabled.size(); ++i) {
      int64_t p = priority(enabled[i]);
      if (p > best_prio) {
        best = i;
        best_prio = p;
      }
    }
    return best;
  }

  int64_t& priority(const Op& op) {
    int64_t& p = prio_[op.key];
    if (p == kUnset) p = static_cast<int64_t>(prng_.next() >> 2);
    return p;
  }

  uint32_t depth_;
  Prng prng_;
  EventTable<int64_t> prio_{kUnset};
  uint64_t demotions_ = 0;
  uint64_t points_ = 0;
  std::vector<uint64_t> change_points_;
  size_t next_change_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_pct_strategy(const StrategyParams& params) {
  return std::make_unique<PctStrategy>(static_cast<uint32_t>(params.get("pct_depth", 3)));
}

}  // namespace lockstep

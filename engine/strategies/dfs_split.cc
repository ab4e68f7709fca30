#include "engine/strategies/dfs_split.h"

#include <algorithm>

namespace lockstep::dfs {

void SplitPlan::start(uint64_t part, uint64_t parts, uint64_t units_per_part) {
  part_ = part;
  parts_ = parts;
  units_per_part_ = units_per_part;
  planning_ = true;
  expand_.insert(kRootNode);
}

void SplitPlan::restart() {
  const uint64_t part = part_, parts = parts_, units_per_part = units_per_part_;
  *this = SplitPlan{};
  start(part, parts, units_per_part);
}

uint64_t SplitPlan::next_unit(uint64_t node, bool leaf) {
  if (planning_) plan_.push_back({0, node, leaf});
  return units_++;
}

void SplitPlan::weigh(uint64_t unit, double weight) {
  if (unit < plan_.size()) plan_[unit].weight = weight;
}

void SplitPlan::end_pass() {
  ++passes_;
  double total = 0;
  for (const Unit& u : plan_) total += u.weight;
  const double wanted = static_cast<double>(units_per_part_ * parts_);
  bool refined = false;
  if (passes_ < kMaxPasses && runs_ < kMaxRuns) {
    for (const Unit& u : plan_) {
      if (!u.leaf && u.weight > 0 && u.weight >= total / wanted) refined = expand_.insert(u.node).second || refined;
    }
  }
  if (!refined) deal();
  plan_.clear();
  units_ = 0;
}

void SplitPlan::deal() {
  planning_ = false;
  mine_.assign(plan_.size(), false);
  std::vector<size_t> by_weight;
  for (size_t u = 0; u < plan_.size(); ++u) {
    if (plan_[u].weight > 0) {
      by_weight.push_back(u);
    } else {
      mine_[u] = u % parts_ == part_;
    }
  }
  std::stable_sort(by_weight.begin(), by_weight.end(),
                   [&](size_t a, size_t b) { return plan_[a].weight > plan_[b].weight; });
  std::vector<double> load(parts_, 0);
  for (size_t u : by_weight) {
    const size_t p = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[p] += plan_[u].weight;
    mine_[u] = p == part_;
  }
}

}  // namespace lockstep::dfs

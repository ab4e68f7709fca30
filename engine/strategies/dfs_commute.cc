#include "engine/strategies/dfs_commute.h"

namespace lockstep::dfs {
namespace {

// A schedule's hash is sum(token_k * B^k) mod 2^64, so a swap of steps k
// and k+1 changes it by a constant-time amount. (B is odd: every power is
// a unit, and tokens are well mixed already.)
constexpr uint64_t kBase = 0x100000001b3ull;

std::string pid(int64_t actor) { return actor >= 0 ? "P" + std::to_string(actor) : std::string("the system"); }

}  // namespace

bool CommuteCheck::record(uint64_t run, std::span<const uint64_t> tokens, uint64_t cls,
                          std::span<const StepRef> swappable) {
  if (violation_) return false;
  while (powers_.size() <= tokens.size()) powers_.push_back(powers_.empty() ? 1 : powers_.back() * kBase);
  uint64_t h = 0;
  for (size_t k = 0; k < tokens.size(); ++k) h += tokens[k] * powers_[k];
  auto [known, fresh] = runs_.try_emplace(h, cls, run);
  if (!fresh && known->second.first != cls) {
    // One schedule, two classes: the runs were not what their schedules
    // say (a choice or an event left out of the tokens).
    violation_ = Violation{StepRef{known->second.second, UINT32_MAX}, run};
    return false;
  }
  if (auto p = predicted_.find(h); p != predicted_.end()) {
    if (p->second.cls != cls) {
      violation_ = Violation{p->second.swapped, run};
      return false;
    }
    predicted_.erase(p);
  }
  for (const StepRef& s : swappable) {
    const size_t i = s.step;
    const uint64_t a = tokens[i], b = tokens[i + 1];
    const uint64_t swapped = h + (b - a) * powers_[i] + (a - b) * powers_[i + 1];
    if (auto r = runs_.find(swapped); r != runs_.end()) {
      if (r->second.first != cls) {
        violation_ = Violation{s, r->second.second};
        return false;
      }
      continue;
    }
    auto [p, added] = predicted_.try_emplace(swapped, Prediction{cls, s});
    if (!added && p->second.cls != cls) {
      // Two runs predict one schedule differently: one of them is wrong,
      // which the run that takes it will tell; report it now.
      violation_ = Violation{s, p->second.swapped.run};
      return false;
    }
  }
  return true;
}

std::string CommuteCheck::describe() const {
  if (!violation_) return {};
  const StepRef& s = violation_->swapped;
  if (s.step == UINT32_MAX) {
    return "dfs --dpor none: runs " + std::to_string(s.run) + " and " + std::to_string(violation_->reached_by) +
           " took one schedule and ended in different classes; please report this with the scenario";
  }
  return "dfs --dpor none: steps " + std::to_string(s.step + 1) + " (" + pid(s.actor) + " " +
         std::string(step_kind_name(s.kind)) + ") and " + std::to_string(s.step + 2) + " (" + pid(s.next_actor) + " " +
         std::string(step_kind_name(s.next_kind)) + ") of run " + std::to_string(s.run) +
         " were taken as independent, but swapped they lead to another class (run " +
         std::to_string(violation_->reached_by) + "): a footprint depends on the order steps ran in, and dfs "
         "would miss schedules; please report this with the scenario";
}

void CommuteCheck::clear() {
  runs_.clear();
  predicted_.clear();
  violation_.reset();
}

size_t CommuteCheck::bytes() const {
  // A node and a bucket per entry, roughly.
  return runs_.size() * (sizeof(std::pair<uint64_t, std::pair<uint64_t, uint64_t>>) + 2 * sizeof(void*)) +
         predicted_.size() * (sizeof(std::pair<uint64_t, Prediction>) + 2 * sizeof(void*)) +
         powers_.capacity() * sizeof(uint64_t);
}

}  // namespace lockstep::dfs

#include "engine/strategy.h"

#include <array>

namespace lockstep {

std::span<const StrategyInfo> strategies() {
  static const std::array<StrategyInfo, 3> kStrategies = {{
      {"random", "uniformly random among the enabled operations", make_random_strategy},
      {"pct",
       "probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random priorities "
       "with --pct-depth - 1 priority change points",
       make_pct_strategy},
      {"pos",
       "partial order sampling (Yuan, Yang, Gu, CAV 2018): random priorities per event, "
       "reset for the events that race with the one that ran",
       make_pos_strategy},
  }};
  return kStrategies;
}

const StrategyInfo* find_strategy(std::string_view name, std::span<const StrategyInfo> table) {
  for (const auto& s : table) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace lockstep

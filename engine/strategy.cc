#include "engine/strategy.h"

#include <array>

namespace lockstep {

namespace {
constexpr OptionSpec kPctDepth = {"pct_depth",
                                  "--pct-depth",
                                  "PCT bug depth: priority change points + 1",
                                  OptionType::kCount,
                                  OptionTarget::kParam,
                                  "3",
                                  "",
                                  1000};
constexpr OptionSpec kPctParams[] = {kPctDepth};
constexpr OptionSpec kFairPctParams[] = {
    kPctDepth,
    {"fair_after", "--fair-after",
     "fair_pct: scheduling points run by PCT before the uniformly random tail", OptionType::kCount,
     OptionTarget::kParam, "200", ""},
};
constexpr OptionSpec kDfsParams[] = {
    {"delay_bound", "--delay-bound",
     "dfs: per schedule, at most this many branches where the search runs another event than a run "
     "left "
     "alone would (delay bounding); beyond it branches are skipped and said so",
     OptionType::kNumber, OptionTarget::kParam, "", "", 1000000},
    {"dpor", "--dpor",
     "dfs: optimal (one schedule of each class of equivalent ones) or none (every interleaving, "
     "each class counted once: checks the reduction on a test, as Concuerror's --dpor none; each run "
     "also checks that the steps the reduction takes as independent commute)",
     OptionType::kChoice, OptionTarget::kParam, "optimal", "optimal|none"},
    {"state_cache", "--state-cache",
     "dfs: skip states already explored (a fingerprint of every process's stack, mailbox and the "
     "shared state). on: with the reduction, the states where virtual time moved on (no race "
     "crosses them), and when a run comes back to a state without waiting for time, the search "
     "starts again as full; full: every state, every event a branch, with sleep sets (proves tests "
     "whose runs loop); off: stateless. With the cache, states that differ only by which of the "
     "processes declared with ls.symmetric is which count once",
     OptionType::kChoice, OptionTarget::kParam, "on", "off|on|full"},
    {"bitstate", "--bitstate",
     "dfs: keep the state cache in a bit table of this many MB (SPIN's bitstate hashing) instead of an exact "
     "one: it never runs out of room, but may take a new state for an explored one and skip it, so the search "
     "is no proof; the report gives the probability of that",
     OptionType::kCount, OptionTarget::kParam, "", "", 1048576},
    {"fewest_delays", "--fewest-delays",
     "dfs: on searches in rounds of growing delay bound (0, 1, 2, ...; up to --delay-bound if given), each "
     "round from nothing, the next when one skipped branches beyond its bound and found no bug: the first bug "
     "found is one with the fewest delays, and a round that skipped nothing has explored every schedule",
     OptionType::kChoice, OptionTarget::kParam, "off", "off|on"},
    {"shortest", "--shortest",
     "dfs: on searches in rounds of growing depth (1 step, 2, ...; with the state cache at every state, as "
     "full), so the first bug found is one with the fewest steps",
     OptionType::kChoice, OptionTarget::kParam, "off", "off|on"},
};
constexpr OptionSpec kIdPctParams[] = {
    {"max_depth", "--max-depth",
     "idpct: the deepest PCT depth it cycles through (1, 2, ..., max_depth)", OptionType::kCount,
     OptionTarget::kParam, "5", "", 1000},
};
}  // namespace

std::span<const StrategyInfo> strategies() {
  static const std::array<StrategyInfo, 9> kStrategies = {{
      {"random", "uniformly random among the enabled operations", make_random_strategy, {}, always_fair},
      {"pct",
       "probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random priorities "
       "with --pct-depth - 1 priority change points",
       make_pct_strategy, kPctParams},
      {"pos",
       "partial order sampling (Yuan, Yang, Gu, CAV 2018): random priorities per event, "
       "reset for the events that race with the one that ran",
       make_pos_strategy},
      {"fair_pct",
       "PCT for the first --fair-after scheduling points, then uniformly random: no process "
       "starves "
       "(spin loops that wait for another process end)",
       make_fair_pct_strategy, kFairPctParams, fair_pct_fair_after},
      {"idpct",
       "iterative-deepening PCT: iteration i uses depth 1 + (i mod --max-depth), so the depth need "
       "not "
       "be guessed",
       make_idpct_strategy, kIdPctParams},
      {"surw",
       "selectively uniform random walk (Zhao, Wolff, Mathur, Roychoudhury, ASPLOS 2025): picks a process "
       "with probability proportional to the events it has left, learnt from earlier iterations, so "
       "interleavings are sampled uniformly",
       make_surw_strategy, {}, always_fair},
      {"rff",
       "reads-from fuzzing (Wolff, Shi, Duck, Mathur, Roychoudhury, ASPLOS 2024): mutates the reads-from "
       "pairs of schedules that reached new ones and steers POS towards them",
       make_rff_strategy},
      {"portfolio",
       "iteration i runs the (i mod 6)-th of surw, pct (depth 3), rff, pos, fair_pct and idpct, as "
       "Coyote's default does",
       make_portfolio_strategy, {}, portfolio_fair_after},
      {"dfs",
       "exhaustive depth-first search with optimal dynamic partial order reduction (Abdulla, "
       "Aronis, "
       "Jonsson, Sagonas, POPL 2014): runs one schedule of each class of equivalent ones, and says "
       "when "
       "it has run them all (--iterations bounds the runs; --delay-bound the branches per "
       "schedule; --shard K/N explores part K of the tree)",
       make_dfs_strategy, kDfsParams},
  }};
  return kStrategies;
}

std::vector<const OptionSpec*> all_options(std::span<const StrategyInfo> table) {
  std::vector<const OptionSpec*> out;
  for (const OptionSpec& o : test_options()) out.push_back(&o);
  for (const StrategyInfo& s : table) {
    for (const OptionSpec& p : s.params) {
      bool seen = false;
      for (const OptionSpec* o : out) seen = seen || o->name == p.name;
      if (!seen) out.push_back(&p);
    }
  }
  return out;
}

bool is_search(std::string_view strategy) {
  const StrategyInfo* info = find_strategy(strategy, strategies());
  return info && info->make(StrategyParams{})->search() != nullptr;
}

const StrategyInfo* find_strategy(std::string_view name, std::span<const StrategyInfo> table) {
  for (const auto& s : table) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace lockstep

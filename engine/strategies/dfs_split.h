// The plan of a dfs search split into parts (--shard K/N): which nodes of
// the search tree lie above the frontier (every event a branch there), how
// the units of work (frontier nodes, and runs that end above the
// frontier) are numbered, and which of them this part explores.
// engine/strategies/dfs.cc says how a split search runs; this file only
// keeps the plan and decides it.
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

namespace lockstep::dfs {

// The name of the tree's root (a node's name is a hash of its path).
constexpr uint64_t kRootNode = 0x6a09e667f3bcc908ull;

class SplitPlan {
 public:
  // Part `part` of `parts`; the plan aims at `units_per_part` units a part.
  // Planning begins with the frontier at the root.
  void start(uint64_t part, uint64_t parts, uint64_t units_per_part);
  // Planning again from nothing (the search started again while planning).
  void restart();
  // The search started again after planning (with the state cache, a run
  // read the clock): the same plan, its units numbered again from the
  // first as the top is run again.
  void rewind() { units_ = 0; }

  bool split() const { return parts_ > 1; }
  bool planning() const { return planning_; }
  bool above_frontier(uint64_t node) const { return expand_.count(node) > 0; }

  // The next unit met in this pass of the top (`node`: its frontier node;
  // `leaf`: a run that ended above the frontier). While planning it weighs
  // nothing until weigh() says otherwise.
  uint64_t next_unit(uint64_t node, bool leaf);
  // Planning: what a unit's probe suggests its subtree holds.
  void weigh(uint64_t unit, double weight);
  void count_planning_run() { ++runs_; }
  // After planning: whether this part explores the unit.
  bool mine(uint64_t unit) const { return unit < mine_.size() && mine_[unit]; }

  // The top has been run once more: refine the plan, or deal out its units.
  // Each frontier node whose probe weighed at least a fair share of the
  // whole (total / (units_per_part * parts)) moves above the frontier (its
  // children become units), and the top is to be run again; when no unit
  // weighs that much (or after kMaxPasses passes or kMaxRuns planning
  // runs) the units are dealt out heaviest first, each to the part with
  // the least weight so far (ties: the lowest part), and those that
  // weighed nothing round-robin.
  void end_pass();

 private:
  static constexpr uint32_t kMaxPasses = 32;
  static constexpr uint64_t kMaxRuns = 50000;
  struct Unit {
    double weight = 0;
    uint64_t node = 0;
    bool leaf = false;
  };
  void deal();

  uint64_t part_ = 0, parts_ = 1, units_per_part_ = 1;
  bool planning_ = false;
  uint32_t passes_ = 0;
  uint64_t runs_ = 0;
  uint64_t units_ = 0;                   // units numbered so far in this pass
  std::unordered_set<uint64_t> expand_;  // the nodes above the frontier
  std::vector<Unit> plan_;               // this planning pass's units, in order
  std::vector<bool> mine_;               // per unit: whether this part explores it
};

}  // namespace lockstep::dfs

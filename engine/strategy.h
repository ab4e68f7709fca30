// Exploration strategies: one small interface, one file per strategy under
// engine/strategies/, one table naming them all.
//
// A strategy makes two kinds of decision: which enabled operation runs next
// (pick), and which value a controlled choice takes (choose). All of its
// randomness comes from the Prng it is given at begin_iteration.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/prng.h"
#include "engine/types.h"

namespace lockstep {

// What a strategy may learn from the iterations before this one. Kept
// explicit (and recorded in traces) so that any iteration can be re-created.
struct IterationHint {
  uint64_t iteration = 0;
  uint64_t max_scheduling_points = 0;  // longest run so far, in steps with >= 2 choices
};

struct StrategyParams {
  uint32_t pct_depth = 3;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Prepares for one iteration with its own seed.
  virtual void begin_iteration(uint64_t seed, const IterationHint& hint) = 0;

  // Index into `enabled` (never empty) of the operation to run next.
  virtual size_t pick(std::span<const Op> enabled) = 0;

  // Tells the strategy which operation ran (called after pick, before the step).
  virtual void on_scheduled(const Op& op) {}

  // A controlled choice in [0, n).
  virtual uint64_t choose(uint64_t n) = 0;

  // Replay only: set when the recorded decisions could not be followed.
  virtual bool diverged() const { return false; }
  virtual std::string divergence() const { return {}; }
};

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyParams&)>;

struct StrategyInfo {
  std::string_view name;
  std::string_view help;
  StrategyFactory make;
};

// The table of exploration strategies, in the order --help lists them.
std::span<const StrategyInfo> strategies();
const StrategyInfo* find_strategy(std::string_view name);

// Factories, one per file under engine/strategies/.
std::unique_ptr<Strategy> make_random_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_pct_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_pos_strategy(const StrategyParams&);

// Replays `decisions`. With `then`, hands over to it where the recording ends
// or stops fitting (divergence() then says where); without, the run diverges
// there.
std::unique_ptr<Strategy> make_replay_strategy(std::vector<Decision> decisions,
                                               std::unique_ptr<Strategy> then = nullptr);

// Follows `decisions` where they fit and skips those that do not; past the
// end, runs without preemption. Used by shrink to try candidate schedules.
std::unique_ptr<Strategy> make_lenient_replay_strategy(std::vector<Decision> decisions);

}  // namespace lockstep

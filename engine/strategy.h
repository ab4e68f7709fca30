// Exploration strategies: one small interface, one file per strategy under
// engine/strategies/, one table naming them all.
//
// A strategy makes two kinds of decision: which enabled operation runs next
// (pick), and which value a controlled choice takes (choose). All of its
// randomness comes from the seed it is given at begin_iteration.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts.h"
#include "engine/options.h"
#include "engine/system.h"
#include "engine/base/prng.h"
#include "engine/types.h"

namespace lockstep {

// What a strategy may learn from the iterations before this one. Kept
// explicit (and recorded in traces) so that any iteration can be re-created.
struct IterationHint {
  uint64_t iteration = 0;
  uint64_t max_scheduling_points = 0;  // longest run so far, in steps with >= 2 choices
};

// Iterations per epoch of a learner (Learner, below).
inline constexpr uint64_t kLearnEpoch = 32;

// A strategy's parameters by name (declared in its row of the strategy
// table; resolution fills every one of them).
using StrategyParams = NamedValues;

// How one iteration ended, as the scheduler saw it.
struct IterationResult {
  Outcome outcome = Outcome::kPassed;
  Failure failure;                 // set when outcome is kFailed
  uint64_t steps = 0;
  uint64_t scheduling_points = 0;  // steps at which >= 2 operations were enabled
  // What it exercised (for warnings): steps at which a fault was offered
  // and faults taken (counted only with a fault budget), and the liveness
  // monitors registered.
  uint64_t fault_offers = 0, faults_taken = 0;
  uint32_t monitors = 0;
  Exercised exercised;  // what the system says it exercised
  bool fair = false;  // it ran under a strategy fair at some point (IterationLimits::fair_after)
};

// A strategy may also be a search: it explores a tree of schedules, learns
// from every iteration before the next, and may say it has explored it
// all (begin_iteration returns false). The runner gives a search every
// iteration, in order, on one thread (engine/drivers.h).
class Search {
 public:
  virtual ~Search() = default;

  // Whether the iteration that just ended turned out to be equivalent to
  // one run before (a search may learn that only at its end, when every
  // receive has shown which messages it could take): it does not count as
  // a schedule of its own.
  virtual bool repeated() const { return false; }

  // An estimate of how many schedules the whole space holds (0: none yet),
  // for the progress line. Rough: it grows as races are found.
  virtual double estimated_schedules() const { return 0; }

  // A bounded search: the bound, and how many branches it skipped for it.
  virtual std::optional<uint64_t> bound() const { return std::nullopt; }
  virtual uint64_t beyond_bound() const { return 0; }
  // Whether the bound grew round by round from 0 (--fewest-delays on).
  virtual bool deepens_bound() const { return false; }

  // Explore only part `index` of `count` (--shard K/N), asked before the
  // first iteration. The parts are the same in every copy, and together
  // they run what the whole search runs, each schedule counted by exactly
  // one part. An empty string: it will; otherwise why it cannot.
  virtual std::string split(uint64_t index, uint64_t count) { return "it explores one search tree"; }
  // Whether the iteration that just ended only planned such a split (it
  // explored nothing of its own): it does not count against --iterations.
  virtual bool planning_run() const { return false; }

  // A search that remembers states (dfs --state-cache on): how many it has
  // explored, and how many runs stopped at one already covered (explored
  // before, or every event of it explored from an equivalent state: its
  // futures are known).
  struct StateCounts {
    uint64_t states = 0;
    uint64_t hits = 0;
    bool with_time = false;  // a run read the clock: states include the time
    bool with_ids = false;   // a run read the numbering: states include it
    uint32_t depth = 0;      // shortest first: the depth of the round so far (0: not searching so)
    bool turned_on = false;  // --state-cache auto turned the cache on: a run looped
    uint64_t bitstate_bytes = 0;        // --bitstate: the bit table's size (0: an exact table)
    double omission_probability = 0;  // bitstate: that a new state is taken for an explored one, at the end
  };
  virtual std::optional<StateCounts> state_counts() const { return std::nullopt; }
  // Whether the run that just ended stopped at a state already covered.
  virtual bool stopped_at_known_state() const { return false; }
  // Whether the search starts again from nothing (what it counted so far
  // is void): a state cache whose fingerprints left out something a run
  // turned out to read.
  virtual bool restarting() const { return false; }

  // A search that checks its own reduction as it goes (dfs --dpor none:
  // engine/strategies/dfs_commute.h): why the check failed, or empty. The
  // test ends with it as an internal error.
  virtual std::string self_check_failure() const { return {}; }

  // The bytes the search's own bookkeeping (what it keeps to explore the
  // rest of the tree) may hold: the test's max_memory. Past it the search
  // throws SearchOutOfMemory, and the test ends with that error.
  virtual void limit_memory(size_t bytes) {}
};

// A search's bookkeeping passed its limit (Search::limit_memory).
struct SearchOutOfMemory final : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A strategy may also be a learner: a sampler that learns in epochs. The
// iterations of an epoch (kLearnEpoch of them, in the run's selection) are
// a pure function of (seed, hint, the lessons of the epochs before), so
// they run on any number of threads; between epochs every copy of the
// strategy learns the epoch's lessons in iteration order. The result does
// not depend on --jobs; --iteration I re-runs the epochs before I's
// (without reporting them) to learn as the run did, and a shard learns
// from its own iterations.
class Learner {
 public:
  // What one iteration taught (the learner's own type, opaque here).
  struct Lesson {
    virtual ~Lesson() = default;
  };

  virtual ~Learner() = default;
  // What the iteration that just ended taught (null: nothing).
  virtual std::unique_ptr<Lesson> lesson() = 0;
  // Learns a lesson of an earlier iteration (lessons come in iteration
  // order, an epoch at a time, to every copy).
  virtual void learn(const Lesson& lesson) = 0;
};

// The contract, as in Coyote and Shuttle: a strategy picks the next event
// and the value of each controlled choice; it hears what every step did
// and how every iteration ended; it may abandon an execution. That is the
// whole core. A sampler is nothing more: each of its iterations is a pure
// function of (seed, hint), so the runner runs samplers on any number of
// threads and shards. A strategy that is also a Search or a Learner says
// so through search() / learner(), and the runner drives it accordingly.
class Strategy {
 public:
  // pick() returns this to abandon the execution (Outcome::kAbandoned).
  static constexpr size_t kAbandon = static_cast<size_t>(-1);

  virtual ~Strategy() = default;

  // Why it cannot explore runs with these options ("" when it can).
  virtual std::string refuses(const RunOptions& options) const { return {}; }

  // Prepares for one iteration with its own seed. False: there is nothing
  // left to explore (only a search says so); the runner stops.
  virtual bool begin_iteration(uint64_t seed, const IterationHint& hint) = 0;

  // Index into `enabled` (never empty) of the operation to run next, or
  // kAbandon.
  virtual size_t pick(std::span<const Op> enabled) = 0;

  // A controlled choice in [0, n).
  virtual uint64_t choose(uint64_t n) = 0;

  // What the step just taken did. False abandons the execution here.
  virtual bool on_step(const StepFacts& facts) { return true; }

  // Nothing could run, so virtual time moved to the next timer deadline
  // (`now`, in virtual ms): no step after this point can be reordered
  // before any step before it.
  virtual void on_advance_time(int64_t now) {}

  // Whether the steps' facts should carry observations (which messages a
  // receive's pattern would take; System::set_observing).
  virtual bool wants_observations() const { return false; }
  // Whether creations race on how they are numbered
  // (System::set_numbering_races).
  virtual bool numbering_races() const { return false; }

  // Where the fingerprint of the state before each pick can be asked for
  // (a search that remembers states); set before an iteration runs and
  // cleared (null) after it.
  virtual void set_states(StateSource* states) {}

  // How the iteration begun last ended.
  virtual void end_iteration(const IterationResult& result) {}

  // The optional parts (null: not one).
  virtual Search* search() { return nullptr; }
  virtual Learner* learner() { return nullptr; }
};

// Where a replay stopped fitting its recording.
struct Divergence {
  uint64_t step = 0;  // the scheduling point, 1-based
  std::string what;   // "expected P2 (send) but it is not enabled; enabled: ..."

  std::string message() const { return "step " + std::to_string(step) + ": " + what; }
};

// Follows a recorded decision sequence (replay is a strategy, not a second
// engine). When the recording cannot be followed it abandons the run, or,
// with a continuation, hands over to it; divergence() says where.
class ReplayStrategy : public Strategy {
 public:
  virtual const std::optional<Divergence>& divergence() const = 0;
};

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyParams&)>;

struct StrategyInfo {
  std::string_view name;
  std::string_view help;
  StrategyFactory make;
  std::span<const OptionSpec> params = {};  // its parameters (target kParam)
  // Whether the strategy is fair (every enabled event keeps a chance to
  // run, so a process cannot starve): from which scheduling point of
  // iteration `iteration` on, or nullopt if never (null: never). Liveness
  // monitors' hot streaks count only while it is (engine/scheduler.h).
  std::optional<uint64_t> (*fair_after)(const StrategyParams& params, uint64_t iteration) = nullptr;
};

// The table of exploration strategies, in the order --help lists them.
std::span<const StrategyInfo> strategies();
// Whether the strategy named so is a search (Strategy::search()):
// under one the root's end waits for the other processes (RunOptions).
bool is_search(std::string_view strategy);
// Every option: the general ones, then each strategy's parameters (once
// per name), in --help order.
std::vector<const OptionSpec*> all_options(std::span<const StrategyInfo> table = strategies());

// The entry named `name` in `table` (the built-in table by default), or null.
const StrategyInfo* find_strategy(std::string_view name, std::span<const StrategyInfo> table = strategies());

// Factories, one per file under engine/strategies/.
std::unique_ptr<Strategy> make_random_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_pct_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_pos_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_fair_pct_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_idpct_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_portfolio_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_dfs_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_surw_strategy(const StrategyParams&);
std::unique_ptr<Strategy> make_rff_strategy(const StrategyParams&);

// StrategyInfo::fair_after of the strategies that are fair at all.
std::optional<uint64_t> always_fair(const StrategyParams&, uint64_t iteration);
std::optional<uint64_t> fair_pct_fair_after(const StrategyParams& params, uint64_t iteration);
std::optional<uint64_t> portfolio_fair_after(const StrategyParams& params, uint64_t iteration);

// A sampler that also injects the faults `budget` allows (events of kind
// kFault, which a System offers after all others), at points drawn from
// the seed (engine/strategies/faults.cc); `strategy` itself when the budget
// is empty or it is a search (which explores faults as it explores any
// event).
std::unique_ptr<Strategy> with_faults(std::unique_ptr<Strategy> strategy, const FaultBudget& budget);

// Replay variants, all "follow a prefix, then go on somehow"
// (engine/strategies/replay.cc).
//
// Strict: replays `decisions`. With `then`, hands over to it where the
// recording ends or stops fitting (divergence() then says where): replay
// --continue-with; without, the run diverges there (replay, shrink's check).
std::unique_ptr<ReplayStrategy> make_replay_strategy(std::vector<Decision> decisions,
                                                     std::unique_ptr<Strategy> then = nullptr);

// How a lenient replay goes on past its prefix.
struct ReplayTail {
  enum class Kind : uint8_t {
    kKeepRunning,  // without preemption: the last process runs while it can, else the lowest id (shrink)
    kDelay,        // process `delayed` waits while anything else can run, lowest id first (explain)
    kHoldTimers,   // timers wait while any process or delivery can run, lowest id first (explain)
  };
  Kind kind = Kind::kKeepRunning;
  uint32_t delayed = 0;
};

// Which events a lenient replay follows, by the names the system gives them
// (StateSource::event_names): the same for the same event however the run
// got there, where ids (pids, message and timer numbers) shift when steps
// before it are taken out. `names[i]` names the event of decisions[i] (0:
// none, follow its id; a choice's is ignored). With `taken`, the replay
// appends the name of every event it runs, in order.
struct ReplayNames {
  std::vector<uint64_t> names;
  std::vector<uint64_t>* taken = nullptr;
};

// Lenient: follows `decisions` where they fit and skips those that do not;
// past them, goes on as `tail` says, faults only when nothing else can run.
// Deterministic. Shrink tries candidate schedules so, explain its reversals.
std::unique_ptr<Strategy> make_lenient_replay_strategy(std::vector<Decision> decisions, ReplayTail tail = {},
                                                       ReplayNames names = {});

}  // namespace lockstep

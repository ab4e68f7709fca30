// dfs: exhaustive depth-first exploration with optimal dynamic partial
// order reduction (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic
// Partial Order Reduction", POPL 2014; "Source Sets", JACM 2017): sleep
// sets and wakeup trees, so that each class of equivalent schedules
// (Mazurkiewicz traces) is run once.
//
// Stateless, as Concuerror and Nidhugg are: every iteration runs the test
// from the start, replays a prefix of the last one, takes the next branch,
// and then follows its wakeup tree or runs freely. At the end of each
// execution the races in it are found, and for each race the schedule that
// reverses it is added to the wakeup tree where the race begins, unless a
// branch there (or an already explored sibling, asleep) covers it.
//
// Dependency. Two steps depend on each other when
//   - they belong to one event (a process's steps, in program order);
//   - one caused the other (spawn -> start, arm -> timer firing -> the
//     step of the process it woke) or a blocking receive took the message
//     the other sent: these cannot be reversed;
//   - a kill (or a linked process's exit) and the exit it caused: that
//     exit replaced what the process was about to do, which it would have
//     done had it run first, so the two race (reversed, it runs its own
//     step before the kill, a step the run never saw: undoes_exit()).
//     A kill disables its victim's next step, which the theory of optimal
//     DPOR does not allow for, so three rules make up for it: the reversal
//     also takes along what ran after the exit without depending on the
//     kill; an event whose process the race's first step kills, or that
//     kills the process of that step, stands for no reversal it is not
//     part of (killed_before(), Execution::weak_initial()), nor does one
//     that ends a process the reversal sends to (it commutes with the
//     sends, but disables the receives that make them race); and a victim
//     killed while waiting in a receive races, through the kill, with each
//     later message to it (reverse_wakeups());
//   - a step that disabled an event (a node's stop or crash removes its
//     processes; a partition holds messages in flight): no race shows the
//     runs where that event came first, nor those where a step that
//     commutes with it came first and woke a sleeping event it disabled,
//     so every event offered where it ran is a branch of its own
//     (branch_disabled()), and a step that touches nodes (but a process's
//     send to another node) never stands for a reversal it is not part of
//     (Execution::weak_initial()). A drop is
//     the exception: it disables only the delivery of its own message,
//     which every other run keeps, so its races are reversed as any;
//   - they touch overlapping state other than a mailbox, one writing (a
//     table key, an atomic, a name, a process's control state, ...), but
//     not two writes storing the same value (inserts of one tuple);
//   - messages to one mailbox (Concuerror's receive patterns; "observers",
//     Aronis et al., TACAS 2018): sends s1 before s2 race only when the
//     receive that took s1's message would also take s2's (had s2 come
//     first, it would have been taken instead); a receive that did not wait
//     (a poll) races with the send it took and with any later send its
//     pattern takes.
// A step after virtual time advanced cannot be reordered before one from
// before: races are only sought between steps of one time epoch.
//
// engine/strategies/dfs_execution.cc holds the record of one execution and
// the race analysis (dependencies, vector clocks, fingerprints).
//
// Sleep sets judge independence before the receives that follow have run.
// A receive and a sleeping send to its mailbox are judged exactly: one
// that took a message commutes with the send, whose message would queue
// behind it; one that took nothing, only when its pattern would not take
// the send's message (receive_passes_over()). Two sends to one mailbox
// wait for the receive that takes the first one's message: until it has
// run, the sleeper is awake but a run left alone passes it by ("Sleepers a
// send woke", below). A sleeping receive and any step that queues messages
// in its mailbox (a send, a delivery, an end's DOWN and EXIT messages) are
// judged as a send: they commute when the receive would not take what the
// step queued for it (send_passes_receive()). A process's end and a step
// that queues a message for it commute (end_discards_message(): the
// message is lost either way), whichever sleeps; such a sleeper
// (Summary::past_end) stands for no reversal where a later step stops its
// process (stopped_later()). Two sends queued while their recipient waits
// in a receive that nothing in its mailbox matches commute when that
// receive takes one's message and not the other's: it takes the one it
// matches in either order (one_taken_by_waiting_receive()). A demonitor
// that flushes its DOWN commutes with a send to its mailbox
// (flush_passes_send()). An end's DOWN and EXIT messages wake a sleeping
// send to the same mailbox only until the receive that tells them apart
// has run, as a send's message does. Other steps on one mailbox are taken
// as dependent, so now and then a class is run twice. Each
// run's class is named by a fingerprint of its
// happens-before graph, and a run of a class seen before does not count as
// a schedule (it is reported as abandoned), so `schedules_explored` counts
// classes.
//
// Events are named by who created them (the event that created them, which
// of its steps, and the order within that step), not by pid or timer
// number, which change when spawns are reordered, nor by how many things
// their creator made before (a receive arms its timeout only when it has
// to wait, and that must not rename what its creator makes later); a drop
// or duplicate after the message it takes. A class
// names each step by the virtual time it ran at (a fault by none), not by
// how often time advanced before it.
//
// Controlled choices (random_int, choose) are branching points of their
// own: every value is explored, deepest choice first.
//
// The end of the test. The test ends when the root returns, discarding
// whatever else could still run. A search lets the root end only once no
// other process (or message in flight) can take a step, as Concuerror runs
// every process until it blocks: then every schedule run is one the other
// strategies could run too, and every failing schedule has a failing one
// among them (a failure is found at the step that makes it, which the
// longer run takes too; a history that is not linearizable stays so when
// more operations follow; a liveness monitor is judged when every process
// has finished or is blocked). So the space explored does not depend on
// where a run happened to end, and the root's end is never raced. Held
// back like that it is enabled or not depending on every other event, so
// it depends on every step (it never sleeps through one).
//
// Faults (a `faults` budget: drop, duplicate, crash, partition, and the
// restarts and heals that follow) are events the system offers next to
// the others. A run left alone injects none (it takes a fault only when
// nothing else can run: a restart or a heal). Every fault offered at a
// state, and not asleep there, is a branch of its own (full expansion for
// faults, DPOR for the rest; dropped where it commutes with the event
// explored first there: "Faults placed late", below): sleep sets keep a
// fault that was injected at one state from being injected again after
// steps independent of it (the steps of other nodes), so each class of
// fault placements is run once, and the races a fault takes part in are
// reversed as any other.
// The events explored before the fault at that state sleep below it, but
// stand for no reversal there (Summary::beside_expansion): their runs
// reverse their own races by branches at the levels above, where the
// fault sleeps, explored by then, so the fault's runs must reverse theirs
// themselves (tests/engine/dfs_test.cc, ends and kills: a class was lost
// while they stood for them). The reversals its siblings' runs found that
// begin with the fault are added under the fault's branch
// (dfs_tree.cc, insert()); one whose rest holds faults or timers is not
// (the fault's first run would no longer be one that injects nothing
// more): the fault's branch stands for it. The system offers faults
// only beside another event, so a fault that ran just after time moved on
// could have run before, had a step it commutes with been left for last;
// no race shows that run, and it is added as a reversal of its own
// (reverse_into_epoch()).
//
// Timers are optional events too: a run left alone fires none while
// anything else can run, so the runs where a timer never fires are the
// free ones. Where else one fires is found as races are: a timer is a
// branch of its own at each state where nothing but timers, faults and
// the root's held end can run (where a free run would fire it, or end
// without it), and at a state whose step disabled it (a cancel; a message
// that ended the receive it would have timed out); from there its races
// move it earlier, as any step's (branch_disabled(); with `--timers any`
// a timer is offered at every state after it is armed, in quiescent mode
// once time has reached it). A receive that found its message at once
// while its timer could have fired (timers = "any") races with the send
// it took, as a poll does: reversed, it waits, and its timer ends it
// (receive_timer()). With the cache at every state, above a split's
// frontier, or in a split search, every timer offered is a branch, as
// every fault is. Where the root sleeps past now (Level::root_waits), no
// run ends before the timers due have fired, so none is a branch of its
// own there: each is one every run takes, as a process's step is, and
// asleep it covers the reversals it commutes with (weak_initial()) and
// the faults beside it (drop_late_faults()). Where the root's own sleep
// timer is due (Level::root_timer), it is the one a run left alone fires
// first, and no other timer due with it is a branch there: every run
// that goes on fires it, and they commute with it.
//
// Timers that fire early (timers = "any", Op::early) are a branch at the
// states where they are offered that the first run through them does not
// fire them from (branch_early_timers_not_fired()). A race reversed puts
// its second step before the first, and a free run then goes on without
// firing the timer that was first (it is optional), or a step disables it
// (a cancel, a message its receive takes): no race in that run shows the
// runs where it fires after the second step, nor those where two timers
// that both move time on fire in the other order. One the run fires later
// in the same epoch stayed armed until then, and its races are the run's
// to reverse. And a sleeper that disarms the
// timer a race begins with (Execution::disarms(): its cancel_timer, a
// message to the receive it would time out, a kill of its owner) stands
// for no reversal of that race: its runs cannot fire the timer after the
// reversal's steps. A sleeping send_after's timer is woken by a send to
// the mailbox it sends to, as a send is (only a receive's timeout keeps
// sleeping through a message its receive would not take). Nor does a
// reversal go under a branch waiting in the tree whose event may disarm
// that timer (dfs::insert). Measured against --dpor none on 483 random
// programs with timers in every process under "any": they agree; before,
// 19 of 156 counted fewer (docs/strategies.md).
//
// The state cache (dfs_states.h; fingerprints of the whole state, from the
// system). `--state-cache full` remembers every state and explores each
// once, every event a branch there (full expansion) with sleep sets
// (Godefroid's rule for a state met again: dfs_states.h); a race found in
// one run would otherwise have to be reversed in futures the cache cut
// off. `--state-cache on` (the default) keeps the reduction and remembers
// only the states where virtual time just moved on. Time moves on only
// when nothing can run until the next timer is due, and races are sought
// within one time epoch, so no race crosses such a state: no wakeup sequence from above
// reaches below it, and what the search explores below it depends on the
// state and its sleep set alone. So a state met there again is not
// explored again (by the same rule; an event that slept at its first visit
// and is awake now is a branch of its own there). A run stopped there has
// its races analysed as any run's: they are races of the steps it ran. A
// test whose loop waits for time (a retry after a timeout, a heartbeat)
// comes back to such a state and is cut there. One whose loop does not (a
// spin, a poll) is watched for: past four times the first run's length, a
// later run takes a fingerprint at each step until time moves on, and if it
// comes back to a state it was in (or is cut off at max_steps), the search
// starts again as `full` (after 100 long runs without a loop it stops
// watching). Split (`--shard`), with a delay bound or `--dpor none`, `on`
// is stateless: the parts could not agree on what each cached.
//
// Splitting one search (`--shard K/N`). Every part runs the same top of
// the tree, and above a frontier every event offered is a branch (full
// expansion, with sleep sets), so no race found below needs a branch added
// above it. The units of work are the frontier's nodes and the runs that
// end above it, numbered in the order the search reaches them; each part
// explores its own units with the reduction and abandons the others where
// they begin. Where the frontier lies, and which part gets which unit, is
// planned first, the same way by every part and without counting anything
// (weigh(); the plan itself in dfs_split.{h,cc}): the frontier starts at the root; each frontier
// node is probed by one run, whose races give an estimate of its subtree;
// the heaviest nodes move above the frontier, and the top is run again,
// until no unit outweighs a fair share; then the units are dealt out by
// weight.
//
// A class may be run under two units (sleep sets judge messages to one
// mailbox conservatively), and two parts cannot compare fingerprints, so
// each class belongs to one unit: at each branching level above the
// frontier, to the first branch (in the order the level takes them) that
// can start a schedule of the class. That branch's subtree runs the class:
// every earlier branch sleeps there, and each is woken by the step the
// class puts before it, which is dependent on it (else it could start the
// class). A part counts a run only when it belongs to the unit it ran
// under, so the parts' counts add up to the whole search's.
//
// Below the frontier a sibling explored above it keeps sleeping, but it
// never counts as covering a reversed race: the search covers what its
// run covers only with the branches the races in that run add where they
// begin, and those above the frontier are not added (every event is a
// branch there, but the wakeup sequences are not).
//
// `--dpor none` turns the reduction off: every event offered is a branch
// and nothing sleeps, so every interleaving runs (each class counted once,
// by its fingerprint). It is there to check the reduction on a test: both
// must count the same classes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/strategies/dfs_commute.h"
#include "engine/strategies/dfs_execution.h"
#include "engine/strategies/dfs_sleep.h"
#include "engine/strategies/dfs_split.h"
#include "engine/strategies/dfs_states.h"
#include "engine/strategies/dfs_tree.h"
#include "engine/strategy.h"

namespace lockstep {
namespace {

using dfs::asleep;
using dfs::Branch;
using dfs::Choice;
using dfs::covered;
using dfs::end_discards_message;
using dfs::FingerprintSet;
using dfs::flush_passes_send;
using dfs::kNoThread;
using dfs::kRootNode;
using dfs::last_to_run;
using dfs::Level;
using dfs::meets_only_in_mailbox;
using dfs::mix64;
using dfs::Names;
using dfs::one_taken_by_waiting_receive;
using dfs::passed_by;
using dfs::send_passes_receive;
using dfs::sends_meet_in_mailbox;
using dfs::Summary;
using dfs::Thread;

class DfsStrategy final : public Strategy, public Search {
 public:
  explicit DfsStrategy(const StrategyParams& params) : cache_(params.get("shortest", 0) == 1) {
    exec_.name_hashes = &names_.hashes();
    if (params.values().count("delay_bound")) bound_ = params.get("delay_bound", 0);
    if (params.get("fewest_delays", 0) == 1) {  // rounds from bound 0, up to --delay-bound if given
      deepen_to_ = bound_;
      bound_ = 0;
      deepens_ = true;
    }
    every_interleaving_ = params.get("dpor", 0) == 1;
    shortest_ = params.get("shortest", 0) == 1;
    const int64_t cache_mode = params.get("state_cache", 0);  // off, on, full
    stateful_ = cache_mode == 2 || shortest_;
    cache_on_ = cache_mode == 1 && !shortest_ && !bound_ && !every_interleaving_;
    const std::string cache = shortest_ ? "--shortest on (which uses the state cache)" : "--state-cache full";
    if (stateful_ && bound_) {
      conflict_ = cache + (deepens_ ? " and --fewest-delays" : " and --delay-bound") +
                  " do not combine: a delay bound counts a path's branches, and one state is reached by many paths";
    }
    if (stateful_ && every_interleaving_) {
      conflict_ = cache + " and --dpor none do not combine: with the cache every event is a branch already, and "
                          "sleep sets keep it sound";
    }
    if (params.values().count("bitstate")) {
      bits_mb_ = params.get("bitstate", 0);
      const char* without = cache_mode == 0       ? "--state-cache off"
                            : shortest_           ? "--shortest on"
                            : every_interleaving_ ? "--dpor none"
                            : deepens_            ? "--fewest-delays"
                            : bound_              ? "--delay-bound"
                                                  : nullptr;
      if (without) {
        conflict_ = std::string("--bitstate keeps the state cache in a bit table, and ") + without +
                    (shortest_ ? " needs an exact one (its rounds compare depths)" : " searches without a cache");
      } else {
        cache_.use_bits(static_cast<size_t>(bits_mb_) << 20);
      }
    }
    // Not an option: tests split finer to reach the frontier on small programs.
    units_per_part_ = params.get("split_units", kUnitsPerPart);
  }

  Search* search() override { return this; }
  bool wants_observations() const override { return true; }
  bool numbering_races() const override { return numbering_races_; }
  std::string refuses(const RunOptions& run) const override {
    if (conflict_.empty() && bits_mb_ >= run.max_memory_mb) {
      return "--bitstate " + std::to_string(bits_mb_) + " (MB) does not fit in max_memory (" +
             std::to_string(run.max_memory_mb) + " MB) with the rest of the search: give less, or raise --max-memory";
    }
    return conflict_;
  }
  void set_states(StateSource* states) override { states_ = states; }
  std::optional<StateCounts> state_counts() const override {
    if (!stateful_ && !(cache_on_ && cache_.size() > 0)) return std::nullopt;  // nothing cached: a stateless search
    StateCounts counts = cache_.counts();
    counts.turned_on = turned_on_;
    return counts;
  }
  bool stopped_at_known_state() const override { return known_; }
  bool restarting() const override { return restarting_; }

  std::string self_check_failure() const override { return commute_.describe(); }

  bool begin_iteration(uint64_t, const IterationHint& hint) override {
    run_ = hint.iteration;
    if (!started_ || restarting_) {
      started_ = true;
      restarting_ = false;
    } else if (!backtrack()) {
      if (next_delay_round()) {
        // The run about to start is void (the driver sees the search start
        // again): end_iteration() clears what it explored, and the round
        // begins afresh with the next.
        round_opened_ = true;
      } else if (!plan_.planning()) {
        return false;
      } else {
        plan_.end_pass();
      }
    }
    begin_execution();
    return true;
  }

  std::string split(uint64_t index, uint64_t count) override {
    if (started_) return "the search has begun";
    if (bound_) {
      return std::string("a delay bound applies to whole schedules, so ") +
             (deepens_ ? "--fewest-delays" : "--delay-bound") + " and --shard do not combine";
    }
    if (every_interleaving_) return "--dpor none runs every interleaving to check the reduction on a small test; run it whole";
    if (shortest_) return "--shortest searches the whole tree in rounds of growing depth; run it whole";
    if (count < 2) return {};
    cache_on_ = false;  // the parts could not agree on what each cached, nor on when to turn to full
    plan_.start(index, count, units_per_part_);
    return {};
  }

  size_t pick(std::span<const Op> enabled) override {
    const size_t k = exec_.steps.size();
    const bool quiescent_state = std::exchange(at_quiescent_state_, false);
    if (k >= levels_.size()) return kAbandon;  // cannot happen: on_step adds the level
    if (k >= cache_.depth_limit()) {  // a round of a shortest-first search goes no deeper
      cache_.note_cut();
      known_ = true;
      return kAbandon;
    }
    if (cache_on_ && !stateful_ && k >= watch_from_) {
      watched_ = true;
      if (loops_back()) {
        looped_ = true;  // a run back at a state it was in: end_iteration turns to the cache at every state
        return kAbandon;
      }
    }
    Level& level = levels_[k];
    names_of(enabled);
    hold_root_end(enabled);
    if (!level.unless_owner_woke.empty()) wake_timers_of_woken(level, enabled);
    const bool first_visit = !level.visited;
    if (first_visit) {
      level.visited = true;
      level.root_waits = states_ && states_->root_waits_for_time();
      if (const std::optional<EventKey> timer = states_ ? states_->roots_due_timer() : std::nullopt) {
        for (size_t i = 0; i < enabled.size(); ++i) {
          if (enabled[i].key == *timer) level.root_timer = enabled_names_[i];
        }
      }
      for (size_t i = 0; i < enabled_names_.size(); ++i) {
        if (!optional(enabled_kinds_[i])) {
          level.offered.push_back(enabled_names_[i]);
        } else if (enabled_kinds_[i] == EventKind::kTimer) {
          level.offered_timers.push_back(enabled_names_[i]);
        }
      }
      if (k > 0 && !every_interleaving_) branch_disabled(levels_[k - 1]);
    }
    if (k > 0) levels_[k - 1].taken_summary.left_others = !level.offered.empty();
    if (k > 1 && late_faults() && is_fault(exec_.steps[k - 1].kind)) {
      note_fault_after_first(k - 2, levels_[k - 1].taken_summary);  // with left_others set
    }
    if (level.frontier) {  // a unit of a split search
      frontier_level_ = k;
      if (!level.numbered) {
        level.numbered = true;
        level.unit = plan_.next_unit(level.node, false);
        if (!plan_.planning()) level.owned = plan_.mine(level.unit);
      }
      if (!level.owned) return kAbandon;
    }
    // (After the frontier: a unit another part explores records nothing here.)
    if (first_visit && stateful_ && plan_.planning() && frontier_level_ != kNone && loops_back()) {
      probe_looped_ = true;  // a probe back at a state of its own run: it weighs what it passed
      return kAbandon;
    }
    if (first_visit && stateful_ && !uncached(level) && !unexplored(level, k, enabled)) {
      known_ = true;
      return kAbandon;  // explored before: its futures were
    }
    if (first_visit && quiescent_state && !stateful_ && !unexplored(level, k, enabled)) {
      known_ = true;  // time just moved on to a state explored before (see the top of the file)
      return kAbandon;
    }
    if (level.has_taken) {  // the replayed prefix, or the branch just chosen
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (enabled_names_[i] == level.taken) return chosen(i);
      }
      return kAbandon;  // the test did not repeat itself
    }
    if (!level.optional_branched && level.optional.empty() && level.early_timers.empty()) {
      // Faults are branches wherever offered; timers where nothing else
      // can run (or wherever offered, with full expansion or split), and
      // one that may fire before it is due wherever it is offered and the
      // run does not fire it later (see "Timers that fire early" at the
      // top of the file).
      const bool full = every_interleaving_ || stateful_ || level.top || level.restricted;
      const bool timers = full || plan_.split() || (quiescent() && !level.root_waits && level.root_timer == kNoThread);
      for (size_t i = 0; i < enabled_names_.size(); ++i) {
        const EventKind kind = enabled_kinds_[i];
        if ((full && i != held_) || kind == EventKind::kFault || (kind == EventKind::kTimer && timers)) {
          level.optional.push_back(enabled_names_[i]);
        } else if (kind == EventKind::kTimer && enabled[i].early) {
          level.early_timers.push_back(enabled_names_[i]);
          level.early_known.push_back(states_ && states_->timer_footprint(enabled[i], level.early_footprints));
          level.early_ends.push_back(static_cast<uint32_t>(level.early_footprints.size()));
        }
      }
    }
    if (level.default_thread == kNoThread) level.default_thread = free_choice(level);
    prune(level);
    while (!level.pending.empty()) {  // follow the wakeup tree
      Branch b = std::move(level.pending.front());
      level.pending.erase(level.pending.begin());
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (enabled_names_[i] == b.event.thread && i != held_) {
          level.has_taken = true;
          level.taken = b.event.thread;
          level.taken_expanded = b.event.opaque && (b.absorbed || is_fault_name(b.event.thread));
          level.deviated = b.event.thread != level.default_thread;
          guide_ = std::move(b.children);
          return chosen(i);
        }
      }
      // A receive that found its message at once, moved before the send:
      // it waits now, and its timer (under timers = "any") completes it.
      if (const size_t i = receive_timer(enabled, b.event); i < enabled.size()) {
        level.has_taken = true;
        level.taken = enabled_names_[i];
        level.taken_expanded = false;
        level.deviated = true;
        guide_.clear();
        guide_.push_back(std::move(b));
        return chosen(i);
      }
      // A step of a reversal put under a branch of full expansion that
      // taking the branch disabled (dfs_tree.cc, insert()): the run goes
      // on as that branch's run would.
      if (b.tentative) continue;
      ++unfit_;
      return kAbandon;
    }
    const size_t i = free_index(level);
    if (i < enabled.size()) return take(level, i);
    blocked_ = true;
    if (stateful_) {  // a state whose every event was explored from an equivalent one
      known_ = true;
      cache_.count_hit();
    }
    return kAbandon;  // every enabled event is asleep: covered elsewhere
  }

  std::optional<uint64_t> bound() const override { return bound_; }
  bool deepens_bound() const override { return deepens_; }
  bool planning_run() const override { return planned_; }
  uint64_t beyond_bound() const override { return beyond_; }

  uint64_t choose(uint64_t n) override {
    if (n <= 1) return 0;
    Level& level = levels_[exec_.steps.size()];
    if (choice_index_ < level.choices.size()) {
      Choice& c = level.choices[choice_index_++];
      c.n = n;
      if (c.value >= n) c.value = n - 1;
      return c.value;
    }
    level.choices.push_back({n, 0});
    ++choice_index_;
    return 0;
  }

  bool on_step(const StepFacts& facts) override {
    if (states_ && must_start_again()) return false;  // this run is void with the rest
    const size_t k = exec_.steps.size();
    Level& level = levels_[k];
    const Thread thread = picked_;
    // Name what this step created, by the step and the order within it.
    for (uint32_t n = 0; n < facts.created.size(); ++n) {
      const EventKey& key = facts.created[n];
      name_of_[key] = static_cast<int32_t>(names_.child(thread, key.kind, Names::created_at(thread_steps_[thread] + 1, n)));
    }
    dfs::Step s;
    s.thread = thread;
    if (lane_of_[thread] < 0) {
      lane_of_[thread] = static_cast<int32_t>(exec_.lanes.size());
      exec_.lanes.push_back(thread);
    }
    s.lane = static_cast<uint32_t>(lane_of_[thread]);
    s.pos = ++thread_steps_[thread];
    s.epoch = epoch_;
    s.time = now_;
    s.kind = facts.kind;
    s.role = facts.role();
    s.actor = facts.actor;
    s.consumed = facts.consumed;
    s.cause = facts.cause;
    s.after = facts.after;
    s.released = facts.released;
    s.poll = facts.poll;
    s.timed = facts.timed;
    s.takes_raised = facts.takes_raised;
    s.passes_receive = facts.passes_receive;
    if (s.role == StepRole::kSend && facts.woke.size() + facts.still_waiting.size() == 1) {
      const bool takes = !facts.woke.empty();
      const int32_t waiter = name_of_.get(EventKey::process(takes ? facts.woke[0] : facts.still_waiting[0]));
      if (waiter >= 0) {
        s.waiter = static_cast<Thread>(waiter);
        s.waiter_pos = s.waiter < thread_steps_.size() ? thread_steps_[s.waiter] : 0;
        s.waiter_takes = takes;
      }
    }
    s.first_access = static_cast<uint32_t>(exec_.accesses.size());
    s.access_count = static_cast<uint32_t>(facts.accesses.size());
    s.mask = dfs::access_mask(facts.accesses);
    exec_.accesses.insert(exec_.accesses.end(), facts.accesses.begin(), facts.accesses.end());
    for (const Observation& o : facts.observations) exec_.observations.push_back(o);
    for (const EventKey& key : facts.would_take) {
      exec_.would_take.emplace_back(static_cast<uint32_t>(k), static_cast<Thread>(name_of_.get(key)));
    }
    exec_.steps.push_back(s);

    exec_.summary_into(k, level.taken_summary);
    if (thread == root_ && facts.role() == StepRole::kExit) level.taken_summary.opaque = true;
    if (!level.optional_branched) {  // each fault or timer offered here, a branch of its own
      level.optional_branched = true;
      for (Thread f : level.optional) {
        if (f != thread && !covered(level, f)) add_branch(level, f, late_faults() && is_fault_name(f));
      }
      level.optional.clear();
      for (size_t i = 0; i < level.early_timers.size(); ++i) {
        if (level.early_timers[i] == thread) continue;
        EarlyOffer offer{static_cast<uint32_t>(k), level.early_timers[i], level.early_known[i] != 0, 0, 0};
        const uint32_t begin = i == 0 ? 0 : level.early_ends[i - 1];
        offer.begin = static_cast<uint32_t>(early_accesses_.size());
        early_accesses_.insert(early_accesses_.end(), level.early_footprints.begin() + begin,
                               level.early_footprints.begin() + level.early_ends[i]);
        offer.end = static_cast<uint32_t>(early_accesses_.size());
        early_offered_.push_back(offer);
      }
      level.early_timers.clear();
      level.early_footprints.clear();
      level.early_ends.clear();
      level.early_known.clear();
      if (level.top) {
        level.order.assign(1, thread);
        for (const Branch& b : level.pending) level.order.push_back(b.event.thread);
      }
    }
    if (k + 1 == levels_.size()) {  // a new state: inherit what stays asleep
      Level& next = push_level();
      const Level& here = levels_[k];
      next.delays_before = here.delays_before + (here.deviated ? 1 : 0);
      if (here.top) {
        uint64_t node = mix64(here.node ^ mix64(thread + 1));
        for (const Choice& c : here.choices) node = mix64(node ^ (c.value + 0x9e3779b97f4a7c15ull));
        next.node = node;
        next.top = plan_.above_frontier(node);
        next.frontier = !next.top;
      }
      for (size_t i = 0; i < here.sleep.size(); ++i) {
        const Summary& q = here.sleep[i];
        // A sibling of the branch of full expansion taken here.
        const bool beside = q.beside_expansion || (here.taken_expanded && i >= here.inherited);
        if (is_fault(facts.kind) && last_to_run(here, q, i >= here.inherited)) continue;
        if (!dependent(here.taken_summary, q) || receive_passes_over(facts, here.taken_summary, q) ||
            send_passes_receive(facts, here.taken_summary, q)) {
          next.sleep.push_back(q);
          next.sleep.back().beside_expansion = beside;
          charge(q);
        } else if (end_discards_message(q, here.taken_summary) || end_discards_message(here.taken_summary, q)) {
          next.sleep.push_back(q);
          next.sleep.back().beside_expansion = beside;
          next.sleep.back().past_end = true;
          charge(q);
        } else if (q.role == StepRole::kTimer && (q.timeout || !q.early) && q.actor >= 0 &&
                   meets_only_in_mailbox(here.taken_summary, q)) {
          // A receive's timeout and a message to its owner commute unless
          // the message is one the receive takes: then its owner can run
          // next (pick() wakes the timer there). (A send_after's timer
          // that may fire early and a send to the mailbox it sends to do
          // not: which message comes first is for the recipient's receives
          // to tell. One due fires where nothing else can run.)
          next.sleep.push_back(q);
          next.sleep.back().beside_expansion = beside;
          charge(q);
          next.unless_owner_woke.push_back(q.thread);
        } else if (one_taken_by_waiting_receive(here.taken_summary, q) || flush_passes_send(here.taken_summary, q)) {
          next.sleep.push_back(q);
          next.sleep.back().beside_expansion = beside;
          charge(q);
        } else if (defers_wakes() && sends_meet_in_mailbox(here.taken_summary, q)) {
          next.pending_sleepers.push_back({q, {facts.step}});
          next.pending_sleepers.back().q.beside_expansion = beside;
          charge(q);
        }
      }
      for (const dfs::Pending& p : here.pending_sleepers) carry_pending(p, facts, here, next);
      next.inherited = next.sleep.size();
      next.pending = std::move(guide_);
      guide_.clear();
    }
    return true;
  }

  void on_advance_time(int64_t now) override {
    ++epoch_;
    now_ = now;
    if (cache_on_ && !stateful_) {
      at_quiescent_state_ = true;
      probe_states_.clear();  // a loop through time is the cache's to cut: the watch is for loops within an epoch
    }
  }

  void end_iteration(const IterationResult& result) override {
    repeated_ = false;
    planned_ = false;
    if (std::exchange(round_opened_, false)) {
      start_over();  // the run that opened a round of --fewest-delays is void: the round starts afresh
      return;
    }
    if (cache_on_ && !stateful_ && (looped_ || result.outcome == Outcome::kMaxSteps)) {
      // A run came back to a state it had been in without time moving on
      // (or went on until max_steps cut it off), as a loop that spins or
      // polls does. With the reduction, the search would run every number
      // of rounds up to the cut; with the cache at every state it stops
      // where a run comes back to a state explored before. It starts
      // again so.
      stateful_ = turned_on_ = true;
      StateOptions options = cache_.options();
      options.ids = numbering_races_;
      cache_.forget(options);
      start_over();
      return;
    }
    if (cache_on_ && !stateful_) {
      // A run much longer than the first is watched for a loop: a
      // fingerprint at each of its steps past that length. (Against the
      // first, not the longest: a loop's runs end, each a round longer.
      // The first is not watched: a fingerprint at each step of a test
      // with thousands of processes costs more than the run; one that
      // loops is cut off at max_steps.) Past kWatchedRuns such runs
      // without one, only max_steps tells.
      if (!first_ended_ && result.outcome != Outcome::kAbandoned) {
        first_ended_ = true;
        watch_from_ = std::max<uint64_t>(kWatchFrom, 4 * result.steps);
      }
      if (watched_ && ++watched_runs_ >= kWatchedRuns) watch_from_ = UINT64_MAX;
    }
    if (result.outcome == Outcome::kFailed) cache_.note_failure();
    if (result.outcome == Outcome::kMaxSteps) cache_.note_max_steps();
    if (shortest_ && cache_.round_over(exhausted())) {
      deepen();  // this round found no bug within its depth, and runs went deeper
      return;
    }
    if (result.outcome == Outcome::kFailed) failed_in_round_ = true;
    branch_disabled_at_end(result);
    branch_early_timers_not_fired();
    if (plan_.planning()) {
      weigh(result);
      return;
    }
    // A run that stopped with every enabled event asleep still holds
    // races: its reversals may lead where no other run does (below a split's
    // frontier, whose top is explored without wakeup sequences, such runs
    // are common).
    if (result.outcome == Outcome::kAbandoned && (blocked_ || known_) && !every_interleaving_ && !stateful_) analyse_races();
    if (result.outcome != Outcome::kAbandoned) {
      if (every_interleaving_ || stateful_) {
        exec_.analyse();  // for the fingerprint
      } else {
        analyse_races();
      }
      // Sleep sets cannot always tell two messages to one mailbox apart
      // before the receives that follow have run, so a class is now and
      // then run twice: only its first run counts as a schedule. (A failing
      // run is only ever taken for a failing one: the bug was reported.)
      const uint64_t salt = result.outcome == Outcome::kPassed ? 0 : 0x5bd1e9955bd1e995ull;
      const uint64_t cls = class_fingerprint() ^ salt;
      repeated_ = !owns_run(result.outcome == Outcome::kFailed) || !seen_.insert(cls);
      if (every_interleaving_) check_commutes(cls);
      estimate();
    }
  }

 private:
  // --- The current execution. ---

  void begin_execution() {
    exec_.clear();
    name_of_.reset();
    root_ = names_.root();
    name_of_[EventKey::process(0)] = static_cast<int32_t>(root_);
    std::fill(thread_steps_.begin(), thread_steps_.end(), 0);
    for (Thread t : exec_.lanes) lane_of_[t] = -1;
    exec_.lanes.clear();
    epoch_ = 0;
    now_ = 0;
    choice_index_ = 0;
    guide_.clear();
    frontier_level_ = kNone;
    blocked_ = false;
    known_ = false;
    probe_looped_ = false;
    looped_ = watched_ = false;
    at_quiescent_state_ = false;
    probe_states_.clear();
    early_offered_.clear();
    early_accesses_.clear();
    if (levels_.empty()) {
      push_level();
      levels_[0].top = plan_.split() && plan_.above_frontier(kRootNode);
      levels_[0].frontier = plan_.split() && !levels_[0].top;
    }
  }

  // Where every interleaving runs, the premise of the reduction is checked
  // on each (dfs_commute.h): the run's schedule (each step's event, its
  // time epoch and the values its choices took: time may move on between
  // two steps in one order and not in the other, as a fault is offered
  // only beside another event) and the adjacent pairs the analysis takes as
  // independent: different events in one time epoch, neither happening
  // before the other. The root's end, when it is the last step, stays last
  // (it ends the run: what came before it would not run after).
  void check_commutes(uint64_t cls) {
    const size_t n = exec_.steps.size();
    tokens_.resize(n);
    swappable_.clear();
    for (size_t k = 0; k < n; ++k) {
      uint64_t t = mix64(exec_.steps[k].thread + (uint64_t{exec_.steps[k].epoch} << 32) + 0x9e3779b97f4a7c15ull);
      for (const Choice& c : levels_[k].choices) t = mix64(t ^ mix64(c.value + 0x9e3779b97f4a7c15ull));
      tokens_[k] = t;
    }
    for (uint32_t i = 0; i + 1 < n; ++i) {
      const dfs::Step& a = exec_.steps[i];
      const dfs::Step& b = exec_.steps[i + 1];
      if (a.thread == b.thread || a.epoch != b.epoch || exec_.happens_before(i, i + 1)) continue;
      if (i + 2 == n && b.thread == root_) continue;
      swappable_.push_back({run_, i, a.kind, b.kind, a.actor, b.actor});
    }
    const size_t before = commute_.bytes();
    commute_.record(run_, tokens_, cls, swappable_);
    const size_t after = commute_.bytes();
    if (after > before) charge_bytes(after - before);
  }

  // --- Splitting (see the top of the file). ---

  // Whether the run that just ended is this part's to count: it ran under
  // a unit of this part, and under the unit its class belongs to.
  bool owns_run(bool failed) {
    if (!plan_.split()) return true;
    if (frontier_level_ == kNone && !plan_.mine(plan_.next_unit(0, true))) return false;  // a unit of its own
    // With the cache, states are what count, and a part counts those it
    // explored: a run is this part's when it ran under one of its units.
    return stateful_ || belongs_here(failed);
  }

  // Whether the class of the run that just ended belongs under the path it
  // took above the frontier (dfs_tree.cc).
  bool belongs_here(bool failed = false) const {
    const size_t end = frontier_level_ == kNone ? exec_.steps.size() : frontier_level_;
    return dfs::belongs_here(exec_, levels_.path(), end, root_, failed);
  }

  // A planning run: one that ended above the frontier is a unit of its
  // own; one that crossed it probed its frontier node, running on freely
  // from there as the search would first. A unit weighs what the probe
  // suggests its subtree holds: nothing when the probe's class belongs
  // elsewhere (or the probe was abandoned), else, once the probe's races
  // have added their branches, the product of the branches at each level
  // below the frontier (Knuth's estimate of a tree's size, on the tree
  // the reduction explores). The probe's levels are then forgotten:
  // planning explores nothing below the frontier.
  void weigh(const IterationResult& result) {
    repeated_ = true;  // nothing counts while planning
    planned_ = true;
    plan_.count_planning_run();
    const bool ran = result.outcome != Outcome::kAbandoned || probe_looped_;
    // With the cache every event is a branch (no races to analyse) and no
    // class belongs elsewhere: a probe weighs the events it passed by.
    if (ran && !stateful_) analyse_races();
    // (An abandoned probe was not analysed: its class is not asked about.)
    const bool here = ran && (stateful_ || belongs_here());
    if (frontier_level_ == kNone) {  // a run that ended above the frontier: a unit of its own
      if (ran) plan_.weigh(plan_.next_unit(0, true), here ? 1.0 : 0.0);
      return;
    }
    double size = 1;
    for (size_t k = frontier_level_; k < levels_.size() && k < exec_.steps.size(); ++k) {
      const size_t branches = levels_[k].pending.size() + (stateful_ ? levels_[k].optional.size() : 0);
      size = std::min(size * static_cast<double>(1 + branches), 1e15);
      for (const Choice& c : levels_[k].choices) size = std::min(size * static_cast<double>(c.n), 1e15);
    }
    plan_.weigh(levels_[frontier_level_].unit, here ? size : 0);
    levels_.resize(frontier_level_ + 1);
    Level& f = levels_.back();
    f.has_taken = false;
    f.pending.clear();
    f.choices.clear();
    f.optional.clear();
    f.optional_branched = false;
  }

  void names_of(std::span<const Op> enabled) {
    enabled_names_.clear();
    enabled_kinds_.clear();
    for (const Op& op : enabled) enabled_kinds_.push_back(op.key.kind);
    for (const Op& op : enabled) {
      int32_t name = name_of_.get(op.key);
      if (name < 0) {
        const bool message = op.step == StepKind::kFaultDrop || op.step == StepKind::kFaultDuplicate;
        const int32_t delivery = message ? name_of_.get(op.key.fault_delivery()) : -1;
        if (delivery >= 0) {  // a drop or duplicate: named after the message (flights are numbered as sent)
          name = static_cast<int32_t>(names_.child(static_cast<Thread>(delivery), op.key.kind, op.key.id & 7));
        } else {  // there from the start, not created by a step
          name = static_cast<int32_t>(names_.child(kNoThread, op.key.kind, op.key.id));
        }
        name_of_[op.key] = name;
      }
      enabled_names_.push_back(static_cast<Thread>(name));
    }
  }

  // The index of the enabled timeout of the receive that process event
  // `e` waits in, or enabled.size().
  static size_t receive_timer(std::span<const Op> enabled, const Summary& e) {
    if (e.role != StepRole::kReceive || e.actor < 0) return enabled.size();
    const uint64_t mailbox = object::mailbox(static_cast<uint32_t>(e.actor));
    for (size_t i = 0; i < enabled.size(); ++i) {
      if (enabled[i].key.kind == EventKind::kTimer && enabled[i].object == mailbox) return i;
    }
    return enabled.size();
  }

  // Whether nothing but faults, timers and the root's held end can run
  // here (after names_of() and hold_root_end()).
  bool quiescent() const {
    for (size_t i = 0; i < enabled_names_.size(); ++i) {
      if (i != held_ && !optional(enabled_kinds_[i])) return false;
    }
    return true;
  }

  static bool optional(EventKind kind) {
    return kind == EventKind::kFault || kind == EventKind::kTimer;
  }

  // The step just taken at `prev` disabled the events offered there that
  // are offered no more (a node stopped or crashed, its processes gone; a
  // message in flight held by a partition). No race in this run shows the
  // runs where they came first (the disabled event takes no step here, or
  // only in a later time epoch), nor those where a step that commutes with
  // this one came first and woke a disabled event that sleeps at `prev`
  // (a send to the mailbox a held message was for). So each disabled
  // event is a branch of its own there, and where one of them sleeps
  // there, every event offered is, unless it sleeps there too (explored,
  // or covered), as above a split's frontier.
  void branch_disabled(Level& prev) {
    if (prev.top || stateful_) return;  // every event is a branch there already
    for (Thread t : prev.offered_timers) {  // a timer cancelled, a timeout a message ended
      if (t != prev.taken && !asleep(prev, t) &&
          std::find(enabled_names_.begin(), enabled_names_.end(), t) == enabled_names_.end())
        add_branch(prev, t);
    }
    // A drop disables only the delivery of the message it drops, and every
    // other run keeps that delivery: the runs where it comes first, or
    // where a step that commutes with the drop comes first and wakes it,
    // are those of its races with the steps the run took instead, reversed
    // as any race is. (Making every event offered a branch here gave up
    // most runs of a test with drops: gossip_leave_fixed 19 runs for 4
    // schedules, now 4; dfs_test.cc's random programs with drops, 2,247
    // runs for 976 classes, now 213.)
    if (!exec_.steps.empty() && exec_.steps.back().kind == StepKind::kFaultDrop) return;
    bool disabled = false, disabled_asleep = false;
    for (Thread p : prev.offered) {
      if (p == prev.taken || std::find(enabled_names_.begin(), enabled_names_.end(), p) != enabled_names_.end()) continue;
      disabled = true;
      disabled_asleep = disabled_asleep || asleep(prev, p);
    }
    if (!disabled) return;
    // Only a disabled event asleep here can be woken by a step that
    // commutes with this one: while none is, the disabled events are the
    // branches (each run first here; the races of its runs order the rest).
    for (Thread p : prev.offered) {
      if (p == prev.taken || asleep(prev, p)) continue;
      if (disabled_asleep || std::find(enabled_names_.begin(), enabled_names_.end(), p) == enabled_names_.end())
        add_branch(prev, p);
    }
  }

  // A run that ended with nothing left to run (or deadlocked, or with a
  // liveness monitor hot once all were blocked): no pick()
  // saw the state after its last step, so the events that step disabled
  // (a partition holding the last messages in flight) are branched here.
  void branch_disabled_at_end(const IterationResult& result) {
    const size_t k = exec_.steps.size();
    if (k == 0 || k >= levels_.size() || every_interleaving_ || levels_[k].visited) return;
    if (result.outcome == Outcome::kAbandoned) return;
    const FailureKind failure = result.failure.kind;
    if (result.outcome == Outcome::kFailed && failure != FailureKind::kDeadlock && failure != FailureKind::kLiveness) return;
    levels_[k].visited = true;
    enabled_names_.clear();
    branch_disabled(levels_[k - 1]);
  }

  // Whether the root's end is enabled but held back (see the top of the
  // file): another process or a delivery can still take a step.
  void hold_root_end(std::span<const Op> enabled) {
    held_ = enabled.size();
    size_t root_end = enabled.size();
    bool others = false;
    for (size_t i = 0; i < enabled.size(); ++i) {
      if (enabled_names_[i] == root_) {
        if (enabled[i].role() == StepRole::kExit) root_end = i;
      } else if (!optional(enabled_kinds_[i])) {
        others = true;
      }
    }
    if (others) held_ = root_end;
  }

  // The event a run left alone takes: the first not asleep, the root's
  // last (its other steps too: what it waits for comes sooner). Its index
  // in the enabled events, or their count if all are asleep.
  // A sleeper a send woke (passed_by) comes after the root.
  size_t free_index(const Level& level) const {
    const size_t none = enabled_names_.size();
    size_t root_at = none, optional_at = none, passed_at = none;
    for (size_t i = 0; i < enabled_names_.size(); ++i) {
      if (i == held_ || covered(level, enabled_names_[i])) continue;
      if (optional(enabled_kinds_[i])) {  // only when nothing else can run; the root's own timer first
        if (optional_at == none || enabled_names_[i] == level.root_timer) optional_at = i;
      } else if (enabled_names_[i] == root_) {
        root_at = i;
      } else if (!level.pending_sleepers.empty() && passed_by(level, enabled_names_[i])) {
        if (passed_at == none) passed_at = i;
      } else {
        return i;
      }
    }
    return root_at != none ? root_at : passed_at != none ? passed_at : optional_at;
  }
  Thread free_choice(const Level& level) const {
    const size_t i = free_index(level);
    return i < enabled_names_.size() ? enabled_names_[i] : kNoThread;
  }

  // Drops the wakeup branches at `level` that a delay bound rules out.
  void prune(Level& level) {
    if (!bound_) return;
    while (!level.pending.empty() && level.pending.front().event.thread != level.default_thread &&
           level.delays_before + 1 > *bound_) {
      level.pending.erase(level.pending.begin());
      ++beyond_;
    }
  }

  size_t take(Level& level, size_t i) {
    level.has_taken = true;
    level.deviated = false;
    level.taken_expanded = false;
    level.taken = enabled_names_[i];
    guide_.clear();
    return chosen(i);
  }

  size_t chosen(size_t i) {
    picked_ = enabled_names_[i];
    if (picked_ >= thread_steps_.size()) {
      thread_steps_.resize(picked_ + 1, 0);
      lane_of_.resize(picked_ + 1, -1);
    }
    choice_index_ = 0;
    return i;
  }

  // Whether the receive just taken and sleeping send q, to its mailbox,
  // commute (as happens-before judges them). A receive that took a message
  // would take the same one after q: q's message would queue behind it
  // (whether the receive's pattern takes q's message is an observation
  // either way). One that took nothing would have taken q's message if its
  // pattern takes it: q has not run since it fell asleep, so its send is
  // the one pending now, which the VM tried the pattern on (would_take).
  bool receive_passes_over(const StepFacts& facts, const Summary& taken, const Summary& q) const {
    if (facts.role() != StepRole::kReceive || q.role != StepRole::kSend) return false;
    if (!meets_only_in_mailbox(taken, q)) return false;
    if (facts.consumed != 0) return true;
    for (const EventKey& key : facts.would_take) {
      if (static_cast<Thread>(name_of_.get(key)) == q.thread) return false;
    }
    return true;
  }

  // --- Sleepers a send woke (Level::pending_sleepers). ---
  //
  // Two sends to one mailbox commute unless the receive that takes the
  // first one's message would have taken the second's (had it come first,
  // it would have been queued before): Concuerror's receive patterns
  // ("observers", Aronis et al., TACAS 2018). When a send runs past a
  // sleeping send to the same mailbox, that receive has not run yet, so
  // the sleeper is woken: the reduction sees it awake (races, what a state
  // met again explores). But a run left alone takes other events first
  // while it waits (free_index()), and once the receives that take those
  // messages have run without one that would have taken the sleeper's,
  // the two commuted after all and it sleeps again, as a sleeper that no
  // step woke (its send has not run, so the message they were tried on is
  // the one it still sends). And a reversal that starts with it, or that
  // it commutes with, needs no branch when the reversal itself settles
  // those receives (Execution::commutes_with_sends). So a run no longer
  // takes a send that commutes with everything since it fell asleep,
  // which only ran a class a second time (Concuerror's workers_2: 4,748
  // runs repeated a class of its 1,296, now none).
  //
  // Which event a run left alone takes is the search's to choose (any
  // event awake will do), so passing a woken sleeper by changes the order
  // classes are met in, never which are. Not with a delay bound (the
  // default branch is what it counts deviations from), nor with the
  // cache at every state, nor split (whose tops are full expansion).
  bool defers_wakes() const { return !bound_ && !stateful_ && !every_interleaving_ && !plan_.split(); }

  // Carries a woken sleeper from `here` to `next` past the step just
  // taken (facts, here.taken_summary): it stays woken-but-passed-by, goes
  // back to sleep (every send it waited on taken by a receive that would
  // not have taken its message), or wakes for good.
  void carry_pending(const dfs::Pending& p, const StepFacts& facts, const Level& here, Level& next) {
    const Summary& q = p.q;
    const Summary& taken = here.taken_summary;
    if (q.thread == picked_) return;                                       // it ran
    if (is_fault(facts.kind) && last_to_run(here, q, false)) return;       // as any sleeper
    dfs::Pending carried = p;
    if (facts.role() == StepRole::kReceive && facts.consumed != 0) {
      auto it = std::find(carried.sends.begin(), carried.sends.end(), facts.consumed);
      if (it != carried.sends.end()) {
        for (const EventKey& key : facts.would_take) {
          if (static_cast<Thread>(name_of_.get(key)) == q.thread) return;  // it would have taken q's message
        }
        carried.sends.erase(it);
      }
    }
    if (one_taken_by_waiting_receive(taken, q) || flush_passes_send(taken, q)) {
      // commutes: it waits on the sends it did
    } else if (sends_meet_in_mailbox(taken, q)) {
      carried.sends.push_back(facts.step);
    } else if (dependent(taken, q) && !receive_passes_over(facts, taken, q) && !send_passes_receive(facts, taken, q)) {
      return;  // woken by this step
    }
    charge(q);
    if (carried.sends.empty()) {
      next.sleep.push_back(std::move(carried.q));  // it commuted with every one of them
    } else {
      next.pending_sleepers.push_back(std::move(carried));
    }
  }

  void wake_timers_of_woken(Level& level, std::span<const Op> enabled) {
    for (Thread t : level.unless_owner_woke) {
      auto q = std::find_if(level.sleep.begin(), level.sleep.end(),
                            [&](const Summary& s) { return s.thread == t; });
      if (q == level.sleep.end()) continue;
      const bool owner_runs = std::any_of(enabled.begin(), enabled.end(), [&](const Op& op) {
        return op.key == EventKey::process(static_cast<uint32_t>(q->actor));
      });
      if (owner_runs) {
        level.sleep.erase(q);
        --level.inherited;
      }
    }
    level.unless_owner_woke.clear();
  }

  // --- The state cache (--state-cache; engine/strategies/dfs_states.h). ---

  // Split (--shard), the cache keeps to this part's own units: while
  // planning, probes run paths they do not explore, and above the frontier
  // every part must run the same top to number the units alike, so neither
  // records nor cuts a state. A state met again below the frontier was
  // explored whole where first met: in a unit of this part (a unit is a
  // whole subtree), or above the frontier, whose subtree the parts explore
  // together.
  bool uncached(const Level& level) const { return plan_.split() && (plan_.planning() || level.top); }

  // A planning probe (which the cache leaves alone) in a state its run was
  // in before: a test that loops would otherwise probe to max_steps.
  bool loops_back() {
    const std::optional<StateId> id = states_ ? states_->current(cache_.options()) : std::nullopt;
    return id && !probe_states_.insert(*id).second;
  }

  // Whether the state at level k (just met) has events left to explore;
  // met again, the level explores only those. The table names events as
  // the system does (the same event of the same state has one name however
  // the run got there; this search's names follow the path).
  bool unexplored(Level& level, size_t k, std::span<const Op> enabled) {
    const std::optional<StateId> id = states_ ? states_->current(cache_.options()) : std::nullopt;
    if (!id) return true;  // the system cannot say: explore it
    states_->event_names(enabled, cache_.options(), canonical_);
    asleep_.clear();
    for (Thread t : enabled_names_) asleep_.push_back(asleep(level, t));
    const size_t before = cache_.bytes();
    const bool left = cache_.unexplored(*id, static_cast<uint32_t>(k), canonical_, asleep_, level.restricted, only_);
    if (cache_.bytes() > before) charge_bytes(cache_.bytes() - before);
    level.only.clear();
    for (size_t i : only_) level.only.push_back(enabled_names_[i]);
    return left;
  }

  // Whether no branch is left anywhere on the current path (the next
  // begin_iteration would end the search).
  bool exhausted() const {
    for (const Level& level : levels_) {
      if (!level.pending.empty()) return false;
      for (const Choice& c : level.choices) {
        if (c.value + 1 < c.n) return false;
      }
    }
    return true;
  }

  // Fewest delays first: a round has explored every schedule within its
  // bound (the tree is exhausted) without a bug, and skipped branches
  // beyond it: the next round allows one delay more. Rounds are explored
  // from scratch, so the first failing run a round finds has as many
  // delays as its bound: every schedule with fewer passed. Whether it
  // started one.
  bool next_delay_round() {
    if (!deepens_ || failed_in_round_ || beyond_ == 0 || (deepen_to_ && *bound_ >= *deepen_to_)) return false;
    ++*bound_;
    beyond_ = 0;
    start_over();
    return true;
  }

  // Shortest first: every run up to the round's depth has been explored
  // without a bug, and some went further; the next round allows one step
  // more. Runs are explored from scratch, so the first failing run a round
  // finds has exactly as many steps as its limit.
  void deepen() {
    cache_.deepen();
    start_over();
  }

  // A run read the clock, or how things are numbered, which the search so
  // far left out. The numbering follows the order of creations, which the
  // race analysis took for independent: from now on each creation writes
  // it (numbering_races), so their orders are explored. With the cache, a
  // state met again may have had another time or numbering, and a future
  // that reads it would tell them apart: fingerprints hold it from now on
  // (a search whose runs never read it keeps merging states that differ
  // only there: no future of theirs can tell). Either way the search starts
  // again. Whether it did.
  bool must_start_again() {
    const bool clock = (stateful_ || cache_on_) && !cache_.options().absolute_time && states_->clock_read();
    const bool ids = !numbering_races_ && states_->ids_read();
    if (!clock && !ids) return false;
    if (ids && plan_.split() && !plan_.planning()) {
      // A part of a split search cannot start again alone: the parts'
      // plans would differ. It goes on as it was (docs/strategies.md).
      if (!clock) return false;
    } else {
      numbering_races_ = numbering_races_ || ids;
    }
    if (stateful_ || cache_on_) {
      StateOptions options = cache_.options();
      options.absolute_time = options.absolute_time || clock;
      options.ids = numbering_races_;
      cache_.forget(options);
    }
    if (plan_.split() && plan_.planning()) plan_.restart();
    start_over();
    return true;
  }

  // Forgets every branch explored: the search starts again from nothing.
  void start_over() {
    restarting_ = true;
    if (plan_.split() && !plan_.planning()) plan_.rewind();
    levels_.clear();
    guide_.clear();
    seen_ = FingerprintSet{};
    commute_.clear();
    estimate_sum_ = 0;
    estimate_n_ = 0;
    charged_ = 0;
  }

  // --- Backtracking: the next branch, deepest first. ---

  bool backtrack() {
    while (!levels_.empty()) {
      const size_t i = levels_.size() - 1;
      Level& level = levels_[i];
      if (level.has_taken) {
        while (!level.choices.empty()) {  // another value of its deepest choice
          Choice& c = level.choices.back();
          if (c.value + 1 < c.n) {
            ++c.value;
            return true;
          }
          level.choices.pop_back();
        }
        if (!every_interleaving_) {
          level.sleep.push_back(std::move(level.taken_summary));
          level.sleep.back().beside_expansion = level.top;
          if (level.sleep.size() == level.inherited + 1) drop_late_faults(i);
        }
        level.taken_summary = Summary{};
        level.has_taken = false;
      }
      // The next branch of its wakeup tree is taken by pick().
      prune(level);
      if (!level.pending.empty()) return true;
      pop_level();
    }
    return false;
  }

  // A new level at the end of the path, reusing one popped before.
  Level& push_level() { return levels_.push(); }

  void pop_level() { levels_.pop(); }

  // A timer that may fire early, offered at level k of the first run
  // through it, is a branch there unless the run fired it later in the
  // same epoch: then it stayed armed from k to its firing, the races it
  // took part in are that run's to reverse (as any event's), and a branch
  // here would only run a schedule again. One the run never fired (a step
  // disarmed it, the run ended or stopped first, or time moved on before
  // it fired) shows no race, so a branch here is what puts it early.
  //
  // Nor where the step taken there commutes with the timer and the timer
  // is offered again just after it, in the same epoch: firing it there is
  // firing it one step later, the next level's branch (or, at the last
  // level it is offered at, the branch there); and a branch here would
  // run that class again with the step asleep, to stop with nothing else
  // to run. Whether they commute is judged from what firing the timer
  // would touch (System::timer_footprint()); the runs where it fires here
  // and another step comes between it and the one taken here are that
  // step's races with the one taken here, reversed as any are.
  void branch_early_timers_not_fired() {
    for (size_t i = 0; i < early_offered_.size(); ++i) {
      const EarlyOffer& offer = early_offered_[i];
      const uint32_t k = offer.k;
      if (k >= levels_.size() || k >= exec_.steps.size()) continue;
      bool fired = false;
      for (size_t j = k + 1; j < exec_.steps.size(); ++j) {
        if (exec_.steps[j].thread == offer.timer) {
          fired = exec_.steps[j].epoch == exec_.steps[k].epoch;
          break;
        }
      }
      if (fired || covered(levels_[k], offer.timer) || offered_next_and_commutes(i)) continue;
      add_branch(levels_[k], offer.timer);
    }
    early_offered_.clear();
    early_accesses_.clear();
  }

  // Whether early_offered_[i]'s timer is offered again at the next level
  // in the same epoch, and commutes with the step taken at its own.
  bool offered_next_and_commutes(size_t i) const {
    const EarlyOffer& offer = early_offered_[i];
    if (!offer.known || offer.k + 1 >= exec_.steps.size()) return false;
    if (exec_.steps[offer.k].epoch != exec_.steps[offer.k + 1].epoch) return false;
    bool again = false;
    for (size_t j = i + 1; j < early_offered_.size() && early_offered_[j].k <= offer.k + 1; ++j) {
      again = again || (early_offered_[j].k == offer.k + 1 && early_offered_[j].timer == offer.timer);
    }
    if (!again) return false;
    const std::span<const Access> fires(early_accesses_.data() + offer.begin, offer.end - offer.begin);
    return exec_.steps[offer.k].thread != offer.timer && !dfs::accesses_conflict(fires, exec_.accesses_of(offer.k));
  }

  // A branch taking event t at `level`, not yet run (opaque), unless one is pending.
  static void add_branch(Level& level, Thread t, bool lazy = false) {
    for (const Branch& b : level.pending) {
      if (b.event.thread == t) return;
    }
    Branch b;
    b.event.thread = t;
    b.event.opaque = true;
    b.lazy = lazy;
    level.pending.push_back(std::move(b));
  }

  // --- Faults placed late. ---
  //
  // A fault offered at a state is a branch there (full expansion), but one
  // that commutes with the event explored first there (e) adds no class of
  // its own: a run that injects it first and then e is one of e's, which
  // offer the fault again a step later; e sleeps below the fault, so the
  // fault's own runs are those where something e depends on runs before e,
  // and where that something was there without the fault, the race
  // between it and e was reversed as any race is; where the fault made it
  // (a message a heal let through, a DOWN a cut sent), e's runs hold the
  // fault and that step after e, whose race with e is reversed into a
  // wakeup sequence that begins with the fault (under the fault's branch,
  // which then stays, or which stands for it: Branch::absorbed). So a
  // fault's branch that stands for no reversal is dropped once e's runs
  // are explored, if the fault as it ran just after e commutes with e, and
  // kept otherwise: where the fault did not run just after e in e's time
  // epoch (disabled there, asleep, or offered only once time moved on);
  // where e is optional itself (a fault, or a timer other than the one of
  // a receive the root waits in, or one due while the root sleeps past
  // now: a run may end without it, which e's runs do not show); and where
  // e or the fault left nothing
  // but faults and timers to run (the system offers a fault only beside
  // another event, so a heal after the fault is offered before e and not
  // after both). Left alone, every fault would be a branch at every state,
  // and a run that injects it where e commutes with it often ends with e
  // asleep and nothing else to run: a run given up (partition_heal_fixed
  // with the cache off: 87% of runs). As the pending sleepers are, not
  // with a delay bound, nor with full expansion or a split.
  bool late_faults() const { return defers_wakes(); }

  bool is_fault_name(Thread t) const {
    for (size_t i = 0; i < enabled_names_.size(); ++i) {
      if (enabled_names_[i] == t) return enabled_kinds_[i] == EventKind::kFault;
    }
    return false;
  }

  // Fault q ran at level k + 1: if level k is on the first event explored
  // there, q is how it runs just after that event (in its time epoch: one
  // injected once time moved on ran in another state).
  void note_fault_after_first(size_t k, const Summary& q) {
    Level& level = levels_[k];
    if (level.top || !level.has_taken || level.sleep.size() != level.inherited) return;
    if (k + 1 < exec_.steps.size() && exec_.steps[k].epoch != exec_.steps[k + 1].epoch) return;
    for (const Summary& s : level.faults_after_first) {
      if (s.thread == q.thread) return;
    }
    level.faults_after_first.push_back(q);
  }

  // Whether timer step t timed out a receive of the root's: the root was
  // waiting, and no run ends before something writes its mailbox (a
  // message, this timeout, its end), so every run fires t or runs a step
  // that t depends on first.
  static bool ends_roots_wait(const dfs::Step& t) { return t.role == StepRole::kTimer && t.poll && t.actor == 0; }

  // Level k's first event (now the last of its sleep set) has been explored.
  void drop_late_faults(size_t k) {
    Level& level = levels_[k];
    const Summary& first = level.sleep.back();
    const bool ran = k < exec_.steps.size() && exec_.steps[k].thread == first.thread;  // in the last run
    const bool droppable = ran && !first.opaque && first.left_others && !is_fault(first.role) &&
                           (first.role != StepRole::kTimer || ends_roots_wait(exec_.steps[k]) || level.root_waits);
    for (size_t b = 0; droppable && b < level.pending.size();) {
      const Branch& branch = level.pending[b];
      const Summary* q = nullptr;
      if (branch.lazy && branch.children.empty() && !branch.absorbed) {
        for (const Summary& s : level.faults_after_first) {
          if (s.thread == branch.event.thread) q = &s;
        }
      }
      if (q == nullptr || !q->left_others || dependent(first, *q)) {
        ++b;
        continue;
      }
      // So it would run here too: as it runs just after the parent's first
      // event, if that event led here.
      if (k > 0 && exec_.steps[k - 1].epoch == exec_.steps[k].epoch) note_fault_after_first(k - 1, *q);
      level.pending.erase(level.pending.begin() + static_cast<std::ptrdiff_t>(b));
    }
    level.faults_after_first.clear();
  }

  // --- Race analysis (engine/strategies/dfs_execution.cc). ---

  void analyse_races() {
    if (stateful_) return;  // every event is a branch
    note_stops();
    for (const auto& [i, j] : exec_.races(root_)) reverse(i, j);
    reverse_into_epoch();
  }

  // A fault that ran just after time moved on, where nothing it depends on
  // ran after the move: it was offered before too, while anything else
  // could run (the system offers faults only beside another event). A step
  // of that epoch that commutes with it, left for last, keeps it offered
  // there: the fault then runs before the move, and what follows it runs
  // at the earlier time too. No race shows that run (races stay within one
  // epoch), so it is added as one: at the state before the last such step,
  // the steps after it that do not depend on it, then the fault.
  void reverse_into_epoch() {
    const std::vector<dfs::Step>& steps = exec_.steps;
    for (uint32_t f = 1; f < steps.size(); ++f) {
      if (!is_fault(steps[f].role) || steps[f].epoch == 0) continue;
      uint32_t b = f;  // the first step of f's epoch
      while (b > 0 && steps[b - 1].epoch == steps[f].epoch) --b;
      if (b == 0) continue;
      bool caused_after_move = false;
      for (uint32_t x = b; x < f && !caused_after_move; ++x) caused_after_move = exec_.happens_before(x, f);
      if (caused_after_move) continue;
      for (uint32_t s = b; s-- > 0 && steps[s].epoch + 1 == steps[f].epoch;) {
        const dfs::Step& last = steps[s];
        if (is_fault(last.role) || last.role == StepRole::kTimer || exec_.happens_before(s, f)) continue;
        if (last.thread == root_ && last.role == StepRole::kExit) continue;
        if (s >= levels_.size() || levels_[s].top) break;
        sequence_.clear();
        for (uint32_t x = s + 1; x < b; ++x) {
          if (!exec_.happens_before(s, x)) sequence_.push_back(x);
        }
        sequence_.push_back(f);
        insert_reversal(s);
        break;
      }
    }
  }

  // The race i < j: at the state before i, schedule what does not depend
  // on i, then j.
  void reverse(uint32_t i, uint32_t j) {
    if (i >= levels_.size() || levels_[i].top) return;  // above a split's frontier: every event is a branch
    sequence_.clear();
    for (uint32_t x = i + 1; x < j; ++x) {
      if (!exec_.happens_before(i, x)) sequence_.push_back(x);
    }
    sequence_.push_back(j);
    if (sequence_.size() == 1 && waited_for_its_end(levels_[i], j, i)) {
      reverse_wakeups(i, j);
      return;
    }
    if (undoes_exit(i)) {
      // What ran after the exit without depending on i comes first too (as
      // notdep() in Abdulla et al.): the schedules where it precedes the
      // step the exit replaced are reached from this reversal alone, since
      // i disables that step and no run after i shows it.
      sequence_.pop_back();
      for (uint32_t x = j + 1; x < exec_.steps.size() && exec_.steps[x].epoch == exec_.steps[i].epoch; ++x) {
        const dfs::Step& s = exec_.steps[x];
        if (s.thread == root_ && s.role == StepRole::kExit) break;
        if (!exec_.happens_before(i, x)) sequence_.push_back(x);
      }
      sequence_.push_back(j);
    }
    insert_reversal(i);
  }

  // Exit j that step i caused came to a process waiting in a receive at
  // i: it could not have run there. A message that reached its mailbox
  // later, in a step that does not depend on i, could have come first and
  // let it run before i: i and each such step s race (a kill disables the
  // receive, the message enables it). The reversal runs what does not
  // depend on i up to s; the races of its runs put the receive before i.
  void reverse_wakeups(uint32_t i, uint32_t j) {
    const dfs::Step& exit = exec_.steps[j];
    if (exit.actor < 0) return;
    const uint64_t mailbox = object::mailbox(static_cast<uint32_t>(exit.actor));
    for (uint32_t s = i + 1; s < exec_.steps.size() && exec_.steps[s].epoch == exec_.steps[i].epoch; ++s) {
      const dfs::Step& step = exec_.steps[s];
      if (step.thread == exit.thread || exec_.happens_before(i, s)) continue;
      if (step.thread == root_ && step.role == StepRole::kExit) break;
      bool writes = false;
      for (const Access& a : exec_.accesses_of(s)) writes = writes || (a.writes && a.object == mailbox);
      if (!writes) continue;
      sequence_.clear();
      for (uint32_t x = i + 1; x <= s; ++x) {
        if (!exec_.happens_before(i, x)) sequence_.push_back(x);
      }
      insert_reversal(i);
    }
  }

  // Adds sequence_ (to run at the state before step i instead of it) to
  // the wakeup tree there, unless a sleeper there covers it.
  void insert_reversal(uint32_t i) {
    if (undoes_exit(i)) {
      insert_replacing_exit(i);
    } else {
      insert_judged(i);
    }
  }

  // `replaced`: the event whose step the reversal's last step holds in
  // place of an exit (insert_replacing_exit(), which judged its sleeper).
  void insert_judged(uint32_t i, Thread replaced = dfs::kNoThread) {
    Level& level = levels_[i];
    for (const Summary& q : level.sleep) {
      // An explored sibling covers it, but not one explored above a
      // split's frontier: the class of the reversal belongs to that
      // sibling's unit, but the classes its races lead to need not (in a
      // whole search those races add branches above the frontier, which
      // a split search does not), and only this run's races lead there.
      if (q.thread == replaced) continue;
      if (!q.beside_expansion && !killed_before(i, q) && !stopped_later(i, q) && !disarms_apart(q, i) &&
          exec_.weak_initial(q, sequence_, i, true, level.root_waits)) {
        return;
      }
    }
    // A sleeper a send woke covers it too when the receives in the
    // reversal that take those sends' messages would not have taken its.
    for (const dfs::Pending& p : level.pending_sleepers) {
      if (p.q.thread == replaced) continue;
      if (!p.q.beside_expansion && !killed_before(i, p.q) && !stopped_later(i, p.q) && !disarms_apart(p.q, i) &&
          exec_.weak_initial(p.q, sequence_, i, true, level.root_waits) &&
          exec_.commutes_with_sends(p.q, p.sends, sequence_, i)) {
        return;
      }
    }
    charge_bytes(dfs::insert(exec_, level.pending, sequence_, i,
                             replaced == dfs::kNoThread ? dfs::LastStep::kAsRun : dfs::LastStep::kReplaced));
  }

  // Whether sleeper q may disarm the early timer fired at step i
  // (Execution::disarms) and is no step of the reversal in sequence_: its
  // runs do not fire the timer after the reversal's steps, so it stands
  // for no reversal. (One that is the reversal's own step, as the cancel
  // of a race between a timer and its cancel, stands for it as any
  // sleeper does: its runs are the reversal's, the timer disarmed.)
  bool disarms_apart(const Summary& q, uint32_t i) const {
    if (!exec_.disarms(q, i)) return false;
    return std::none_of(sequence_.begin(), sequence_.end(), [&](uint32_t x) { return exec_.steps[x].thread == q.thread; });
  }

  // Whether sleeper q, with no step in the reversal in sequence_, is one
  // whose process step i kills: the schedules the reversal leads to, where
  // i follows it, need never run q (its step becomes an exit), so q's
  // runs do not stand for them.
  bool killed_before(uint32_t i, const Summary& q) const {
    if (!exec_.kills(i, q)) return false;
    return std::none_of(sequence_.begin(), sequence_.end(), [&](uint32_t x) { return exec_.steps[x].thread == q.thread; });
  }

  // The steps of this run at which a process's control state was written
  // by another process's step (a kill, an exit signal from a link, its
  // node's stop): (pid, step), in the order of the steps.
  void note_stops() {
    stops_.clear();
    for (uint32_t x = 0; x < exec_.steps.size(); ++x) {
      for (const Access& a : exec_.accesses_of(x)) {
        if (!a.writes || (a.object & object::kTagMask) != object::kProcess) continue;
        const auto pid = static_cast<uint32_t>(a.object & object::kIdMask);
        if (exec_.steps[x].actor != static_cast<int64_t>(pid)) stops_.emplace_back(pid, x);  // its own steps are no signal
      }
    }
  }

  // Whether sleeper q, with no step in the reversal in sequence_, belongs
  // to a process that a step of this run at i or after it stops (a kill,
  // an exit signal, its node's stop) where that stop need not follow q's
  // own step in this run. A sleeper stands for the schedules that run it
  // first, and for a reversal that commutes with it because a run that
  // goes on runs it sooner or later; but one that goes on as this run did
  // may stop its process first, and those schedules never run q
  // (tests/dfs/kill_disables.lua, "a message to a process killed as it
  // ends": a class was lost while an end slept through a message to its
  // process and was then taken to stand for a reversal that the kill
  // after it follows).
  bool stopped_later(uint32_t i, const Summary& q) const {
    if (!q.past_end || q.actor < 0 || stops_.empty() || stops_.back().second < i) return false;
    if (std::any_of(sequence_.begin(), sequence_.end(), [&](uint32_t x) { return exec_.steps[x].thread == q.thread; }))
      return false;
    uint32_t own = UINT32_MAX;  // q's step in this run, after i
    for (uint32_t y = i + 1; y < exec_.steps.size(); ++y) {
      if (exec_.steps[y].thread == q.thread) {
        own = y;
        break;
      }
    }
    for (const auto& [pid, x] : stops_) {
      if (x < i || pid != static_cast<uint64_t>(q.actor)) continue;
      if (own == UINT32_MAX || own > x || !exec_.happens_before(own, x)) return true;
    }
    return false;
  }

  // Whether the reversal in sequence_ (to run before step i) ends with an
  // exit it leaves out the cause of (a kill, a linked process's end, at i
  // or after it): that exit will not happen there, and its event runs the
  // step the exit replaced, which this run never saw.
  bool undoes_exit(uint32_t i) const {
    const dfs::Step& last = exec_.steps[sequence_.back()];
    if (last.role != StepRole::kExit || last.cause == 0 || last.cause - 1 < i) return false;
    return std::find(sequence_.begin(), sequence_.end(), last.cause - 1) == sequence_.end();
  }

  // insert_reversal() for a reversal that undoes its last step's exit:
  // judged with the step the exit replaced in the exit's place. That step
  // is known where it is the event's start (which touches nothing) or was
  // explored at i already (asleep there, and then it covers the reversal
  // if it commutes with all of it); either way it reads its process's
  // control state, which a kill writes. The run's happens-before orders
  // the exit, not that step, so whether the step can come first in the
  // reversal is judged from its footprint (Execution::replaced_first(): a
  // sleeping step that wrote a table row the reversal writes first covered
  // it by the exit's order, and a class was lost; tests/dfs/
  // kill_disables.lua, "a write after the kill"). Otherwise it could touch anything:
  // the reversal is judged as ending with an event that depends on
  // everything, which only that event's own branch, alone, covers. Judged
  // by the exit's footprint instead, a process monitoring the killed one
  // (whose end races with the exit but not with the start) kept the
  // start's branch apart from later reversals beginning with it, and
  // classes below were lost (tests/dfs/kill_before_start.lua).
  void insert_replacing_exit(uint32_t i) {
    const uint32_t j = sequence_.back();
    dfs::Step& exit = exec_.steps[j];
    const Summary* explored = nullptr;
    for (const Summary& q : levels_[i].sleep) {
      if (q.thread == exit.thread) explored = &q;
    }
    if (exit.actor < 0 || (explored == nullptr && !unstarted_at(i, exit.thread))) {
      charge_bytes(dfs::insert(exec_, levels_[i].pending, sequence_, i, dfs::LastStep::kUnknown));
      return;
    }
    const dfs::Step saved = exit;
    const size_t size = exec_.accesses.size();
    exec_.accesses.push_back(Access{object::process(static_cast<uint32_t>(exit.actor)), false, 0});
    exit.role = StepRole::kOther;
    if (explored != nullptr) {
      exec_.accesses.insert(exec_.accesses.end(), explored->accesses.begin(), explored->accesses.end());
      exit.role = explored->role;
    }
    exit.first_access = static_cast<uint32_t>(size);
    exit.access_count = static_cast<uint32_t>(exec_.accesses.size() - size);
    if (explored == nullptr || !exec_.replaced_first(sequence_)) insert_judged(i, exit.thread);
    exec_.steps[j] = saved;
    exec_.accesses.resize(size);
  }

  // Whether event t has taken no step before step i: its next step there
  // is its start.
  bool unstarted_at(uint32_t i, Thread t) const {
    for (uint32_t x = 0; x < i; ++x) {
      if (exec_.steps[x].thread == t) return false;
    }
    return true;
  }

  // Whether step j is an exit that step i caused (a kill, a linked
  // process's end) in a process that could not run where i ran (it was
  // waiting in a receive): reversed, it would have to run first there, and
  // it cannot (a run taking that branch would give up at once). Runs in
  // which a message reached it before i are reversals of other races.
  bool waited_for_its_end(const Level& level, uint32_t j, uint32_t i) const {
    const dfs::Step& exit = exec_.steps[j];
    if (exit.role != StepRole::kExit || exit.cause != i + 1) return false;
    return std::find(level.offered.begin(), level.offered.end(), exit.thread) == level.offered.end();
  }

  bool repeated() const override { return repeated_; }
  void limit_memory(size_t bytes) override { memory_limit_ = bytes; }
  double estimated_schedules() const override {
    return estimate_sum_ > 0 ? estimate_n_ / estimate_sum_ : 0;
  }

  // The weighted backtrack estimator (Kilby, Slaney, Thiebaux, Walsh,
  // "Estimating Search Tree Size", AAAI 2006): a path whose levels have
  // b1, b2, ... branches (explored, taken, pending; every value of each
  // choice) stands for 1/(b1*b2*...) of the tree, so the tree holds about
  // (paths run) / (sum of those fractions). DPOR finds branches as it goes,
  // so early estimates run low.
  void estimate() {
    double product = 1;
    for (size_t k = 0; k < exec_.steps.size() && k < levels_.size(); ++k) {
      const Level& level = levels_[k];
      product *=
          static_cast<double>(level.sleep.size() - level.inherited + 1 + level.pending.size());
      for (const Choice& c : level.choices)
        product *= static_cast<double>(std::max<uint64_t>(c.n, 1));
      if (product > 1e18) break;
    }
    estimate_sum_ += 1 / std::min(product, 1e18);
    ++estimate_n_;
  }

  uint64_t class_fingerprint() const {
    return exec_.fingerprint([this](uint64_t h, uint32_t j) {
      for (const Choice& c : levels_[j].choices)
        h = mix64(h ^ mix64(c.value + 0x9e3779b97f4a7c15ull));
      return h;
    });
  }

  // --- Memory: what the tree keeps (sleep sets, wakeup trees) is charged as
  // it grows and counted exactly when the charge passes the limit, so a
  // long execution with many races ends the test with an error rather than
  // the machine's memory. ---
  size_t kept_bytes() const {
    size_t n = dfs::tree_bytes(guide_) + exec_.bytes() + commute_.bytes();
    for (const Level& l : levels_) n += dfs::level_bytes(l);
    return n;
  }
  void charge(const Summary& q) { charge_bytes(dfs::bytes_of(q)); }
  void charge_bytes(size_t n) {
    charged_ += n;
    if (charged_ <= memory_limit_) return;
    charged_ = kept_bytes() + cache_.bytes();
    if (charged_ <= memory_limit_) return;
    if (!cache_.lossy() && cache_.bytes() * 2 >= charged_) {  // the exact table holds most of it
      throw SearchOutOfMemory("dfs: the state cache (" + std::to_string(cache_.size()) +
                              " states) with the search's sleep sets passed max_memory (" +
                              std::to_string(memory_limit_ >> 20) +
                              " MB); raise max_memory (--max-memory), keep the states lossily in a bit table "
                              "(--bitstate MB), or search without a cache (--state-cache off)");
    }
    if (commute_.bytes() * 2 >= charged_) {  // --dpor none's record of the runs it checked
      throw SearchOutOfMemory("dfs --dpor none: the record of the schedules run, which checks that independent "
                              "steps commute, passed max_memory (" + std::to_string(memory_limit_ >> 20) +
                              " MB); --dpor none is for small tests: shrink the test, or raise max_memory "
                              "(--max-memory)");
    }
    throw SearchOutOfMemory("dfs: the search's record of sleep sets and wakeup trees passed max_memory (" +
                            std::to_string(memory_limit_ >> 20) + " MB) in an execution of " +
                            std::to_string(exec_.steps.size()) +
                            " steps; shorten the test or its execution, raise max_memory (--max-memory), "
                            "or use a sampling strategy (pos, pct)");
  }
  size_t memory_limit_ = SIZE_MAX;
  uint64_t bits_mb_ = 0;  // --bitstate (0: an exact state table)
  size_t charged_ = 0;

  Names names_;
  Thread root_ = 0;
  size_t held_ = 0;  // the root's end, held back (its index in the enabled events), or none
  bool started_ = false;
  dfs::LevelStack levels_;
  std::vector<Branch> guide_;  // the wakeup subtree under the branch being taken

  // The current execution.
  dfs::Execution exec_;
  EventTable<int32_t> name_of_{-1};      // event key -> stable name
  std::vector<uint32_t> thread_steps_;   // per name: steps so far
  std::vector<int32_t> lane_of_;         // per name: its lane, -1 if it has not run
  std::vector<Thread> enabled_names_;
  std::vector<EventKind> enabled_kinds_;  // per enabled event
  Thread picked_ = kNoThread;
  uint32_t epoch_ = 0;
  int64_t now_ = 0;  // virtual time
  size_t choice_index_ = 0;
  uint64_t unfit_ = 0;  // wakeup branches whose event was not enabled
  bool repeated_ = false;
  bool blocked_ = false;  // this run stopped with every enabled event asleep
  bool every_interleaving_ = false;  // --dpor none: every event a branch, no sleep sets
  dfs::CommuteCheck commute_;         // --dpor none: its runs check that independent steps commute
  std::vector<uint64_t> tokens_;      // check_commutes(): the run's schedule
  std::vector<dfs::CommuteCheck::StepRef> swappable_;
  uint64_t run_ = 0;                  // the iteration running
  // The timers that may fire early offered at the levels this run
  // visited first, and not branches there yet, with what each would touch
  // fired there (branch_early_timers_not_fired()).
  struct EarlyOffer {
    uint32_t k;     // the level
    Thread timer;
    bool known;     // its footprint is early_accesses_[begin, end)
    uint32_t begin, end;
  };
  std::vector<EarlyOffer> early_offered_;
  std::vector<Access> early_accesses_;
  std::optional<uint64_t> bound_;   // --delay-bound (with --fewest-delays: the round's)
  uint64_t beyond_ = 0;            // branches skipped for it
  bool deepens_ = false;           // --fewest-delays on: rounds of growing bound
  std::optional<uint64_t> deepen_to_;  // and the last round's, if --delay-bound gave one
  bool failed_in_round_ = false;   // a run of this round failed: no deeper round
  bool round_opened_ = false;      // this run opened a round: void
  double estimate_sum_ = 0;        // the fractions of the tree the paths run stand for
  uint64_t estimate_n_ = 0;
  FingerprintSet seen_;  // the classes of the runs counted so far

  // The cache at every state (--state-cache full, --shortest on; or on,
  // once a run looped): every event a branch, sleep sets, and the states
  // explored.
  bool stateful_ = false;
  // --state-cache on: the reduction, with the states where time moved on
  // cached, until a run loops without time moving on (or is cut off at
  // max_steps): then the cache at every state (stateful_).
  bool cache_on_ = false;
  bool at_quiescent_state_ = false;  // this run's time just moved on (for its next pick)
  bool turned_on_ = false;   // a run looped: the search started again with the cache at every state
  std::vector<std::pair<uint32_t, uint32_t>> stops_;  // note_stops()
  bool looped_ = false;      // this run came back to a state of its own within an epoch
  bool watched_ = false;     // this run took fingerprints to find one
  static constexpr uint64_t kWatchFrom = 64, kWatchedRuns = 100;
  bool first_ended_ = false;
  uint64_t watched_runs_ = 0;
  uint64_t watch_from_ = UINT64_MAX;  // fingerprints from this step of a run on, watching for a loop (not in the first)
  StateSource* states_ = nullptr;  // while a run is under way
  dfs::StateCache cache_;
  bool known_ = false;  // this run stopped at a state explored before (or at a round's depth)
  bool probe_looped_ = false;  // this planning probe came back to a state of its run
  std::unordered_set<StateId, StateIdHash> probe_states_;  // the states this run has been in (a planning probe; auto's watch for a loop)
  bool shortest_ = false;       // --shortest on: rounds of growing depth
  bool restarting_ = false;     // the search starts again (must_start_again, deepen)
  bool numbering_races_ = false;  // creations race on their numbers (a run read them: must_start_again)
  std::vector<uint64_t> canonical_;  // scratch for unexplored(): the system's names of the enabled events
  std::vector<bool> asleep_;         // ... which of them sleep
  std::vector<size_t> only_;         // ... which are left to explore
  std::string conflict_;  // why these parameters do not combine

  // Splitting (--shard): units a part aims at (tests split finer), the
  // plan, whether the run that just ended only planned, and where the
  // current run crossed the frontier.
  static constexpr size_t kNone = SIZE_MAX;
  static constexpr uint64_t kUnitsPerPart = 16;
  uint64_t units_per_part_ = kUnitsPerPart;
  dfs::SplitPlan plan_;
  bool planned_ = false;  // the run that just ended was a planning run
  size_t frontier_level_ = kNone;        // where this run crossed the frontier

  std::vector<uint32_t> sequence_;  // scratch for reverse()
};

}  // namespace

std::unique_ptr<Strategy> make_dfs_strategy(const StrategyParams& params) {
  return std::make_unique<DfsStrategy>(params);
}

}  // namespace lockstep

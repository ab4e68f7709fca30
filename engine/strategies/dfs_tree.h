// The search tree of dfs (engine/strategies/dfs.cc): stable names for
// events, the levels of the current path with their sleep sets and wakeup
// trees, and the set of class fingerprints already counted.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/strategies/dfs_execution.h"
#include "engine/strategies/dfs_split.h"

namespace lockstep::dfs {

// Stable names for events: the root process is 0; any other is interned
// from (creator's name, kind, which of its creator's steps created it and
// how many things that step created before it). A step is named by its
// event and its place in the event's program order, so equivalent runs
// name what they create alike, and whether an earlier step created
// something (a receive arms its timeout only when it has to wait) does
// not rename what later steps create. Each name also has a hash of its
// path (`hashes()`), which does not depend on the order the names were
// met in: fingerprints use it, so they name a class the same way in any
// run of the search.
class Names {
 public:
  Thread root() { return intern(kNoThread, EventKind::kProcess, 0); }
  // `nth` identifies it among its creator's creations of that kind.
  Thread child(Thread creator, EventKind kind, uint64_t nth) { return intern(creator, kind, nth); }
  // The nth for the `index`-th creation of its creator's `step`-th step.
  static uint64_t created_at(uint32_t step, uint32_t index) { return (uint64_t{step} << 32) | index; }
  const std::vector<uint64_t>& hashes() const { return hashes_; }

 private:
  struct Key {
    uint64_t who, nth;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(mix64(k.who ^ mix64(k.nth))); }
  };
  Thread intern(Thread creator, EventKind kind, uint64_t nth) {
    const Key key{(static_cast<uint64_t>(creator) << 8) ^ static_cast<uint64_t>(kind), nth};
    auto [it, added] = ids_.try_emplace(key, static_cast<Thread>(ids_.size()));
    if (added) {
      const uint64_t from = creator == kNoThread ? 0x243f6a8885a308d3ull : hashes_[creator];
      hashes_.push_back(
          mix64(from + mix64((static_cast<uint64_t>(kind) << 56) ^ mix64(nth) ^ 0x13198a2e03707344ull)));
    }
    return it->second;
  }
  std::unordered_map<Key, Thread, KeyHash> ids_;
  std::vector<uint64_t> hashes_;  // per name
};

// A set of 64-bit fingerprints, open addressing: 8 bytes a slot, at most
// half full. Past kMaxSize it stops growing and admits everything (a run it
// cannot remember counts as new).
class FingerprintSet {
 public:
  static constexpr size_t kMaxSize = size_t{1} << 22;  // 64 MiB of slots at most

  // Whether fp was not there (and is now, if there was room).
  bool insert(uint64_t fp) {
    if (fp == 0) fp = 1;  // 0 marks an empty slot
    if (slots_.empty()) slots_.assign(1024, 0);
    const size_t mask = slots_.size() - 1;
    for (size_t i = fp & mask;; i = (i + 1) & mask) {
      if (slots_[i] == fp) return false;
      if (slots_[i] == 0) break;
    }
    if (size_ >= kMaxSize) return true;
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(fp);
    ++size_;
    return true;
  }

 private:
  void place(uint64_t fp) {
    const size_t mask = slots_.size() - 1;
    size_t i = fp & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = fp;
  }
  void grow() {
    std::vector<uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    for (uint64_t fp : old) {
      if (fp) place(fp);
    }
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

// A branch of a wakeup tree: the event to run and the tree below it.
struct Branch {
  Summary event;
  std::vector<Branch> children;
  // Put under a branch of full expansion by insert(): a run that finds
  // it disabled (that branch's fault or step disabled it) goes on freely.
  bool tentative = false;
  // A branch of full expansion that stood for a reversal whose rest it
  // could not take (insert()): taken, the siblings explored before it
  // cover no reversal below it (Summary::beside_expansion).
  bool absorbed = false;
  // A fault offered here, made a branch only if the event explored first
  // here turns out to depend on it (dfs.cc, "Faults placed late").
  bool lazy = false;
};

struct Choice {
  uint64_t n = 0, value = 0;
};

// A sleeper woken only by sends to its own mailbox (it is a send too)
// whose messages no receive has taken yet: whether it commutes with them
// depends on the receives that take them (dfs.cc, "Sleepers a send
// woke"). Awake for everything the reduction decides; a run left alone
// takes other events first while they are pending.
struct Pending {
  Summary q;
  std::vector<uint32_t> sends;  // step numbers of the sends whose receive is awaited
};

// The exploration state before the i-th step of the current execution.
struct Level {
  bool has_taken = false;
  Thread taken = kNoThread;     // the event of the branch being explored
  Summary taken_summary;        // what it did (asleep once explored)
  // Whether that branch was a fault's, or one of full expansion that stood
  // for a reversal (Branch::absorbed): the siblings explored before it
  // sleep below it without covering reversals (Summary::beside_expansion).
  bool taken_expanded = false;
  std::vector<Choice> choices;  // the controlled choices it made
  std::vector<Summary> sleep;   // inherited sleepers, then explored siblings
  size_t inherited = 0;         // how many of `sleep` were inherited
  std::vector<Pending> pending_sleepers;  // awake, but a run left alone passes them by
  std::vector<Branch> pending;  // the wakeup tree's unexplored branches
  // The faults and timers offered here (names), made branches once the
  // first branch here has run.
  std::vector<Thread> optional;
  bool optional_branched = false;
  // The timers offered here that may fire early (timers = "any") and are
  // not branches for another reason: each is made a branch here at the end
  // of the first run through here, unless that run fired it later in the
  // same epoch (its races are then that run's to reverse).
  std::vector<Thread> early_timers;
  // What each of them would touch, fired here (System::timer_footprint):
  // early_footprints[early_ends[i - 1] .. early_ends[i]), none where
  // early_known[i] is false.
  std::vector<Access> early_footprints;
  std::vector<uint32_t> early_ends;
  std::vector<uint8_t> early_known;
  // The faults as they ran just after the event explored first here (or,
  // where one commuted with that event's successor too, further down).
  std::vector<Summary> faults_after_first;
  // Sleeping receive timeouts whose owner just got a message: they stay
  // asleep unless the owner can run here (the receive took it).
  std::vector<Thread> unless_owner_woke;
  // The events (other than faults and timers) offered here, as met first.
  bool visited = false;
  std::vector<Thread> offered;
  std::vector<Thread> offered_timers;  // the timers offered here
  // The root waits here for a later time (System::root_waits_for_time):
  // every timer enabled here fires in every run that goes on, so it needs
  // no branch of its own, and asleep, it covers reversals it commutes with.
  bool root_waits = false;
  // The root's own sleep timer, due here (System::roots_due_timer): the
  // event a run left alone takes first of the timers, and the only one of
  // them that is a branch here where nothing else can run. Every run that
  // goes on fires it, and the others commute with it (its owner sleeps),
  // so a run that fires one of them first is one of its runs reordered;
  // under it they are offered again, optional as ever.
  Thread root_timer = kNoThread;
  // With a state cache, a state met again: only the events in `only` are
  // explored from it (the others awake were explored at its first visit).
  bool restricted = false;
  std::vector<Thread> only;
  // Delay bounding: the event a run left alone takes here, how many
  // branches that took another the path to here followed, and whether the
  // branch taken here is one.
  Thread default_thread = kNoThread;
  uint32_t delays_before = 0;
  bool deviated = false;
  // Splitting (see the top of the file): the node's name (its path);
  // whether it is above the frontier (every event offered a branch) or on
  // it; for a frontier node, whether it has been numbered, its number, and
  // whether this part explores it; above the frontier, the branches in the
  // order taken.
  uint64_t node = kRootNode;
  bool top = false;
  bool frontier = false;
  bool numbered = false;
  bool owned = true;
  uint64_t unit = 0;
  std::vector<Thread> order;

  // Back to a new level's state, its vectors keeping their storage (a
  // search pops and pushes levels on every run). Field by field, in place:
  // building a fresh Level and moving it in cost more than the run's own
  // bookkeeping on a small test. A field added to Level is reset here too
  // (the size check below is a reminder).
  void reset() {
    has_taken = false;
    taken = kNoThread;
    std::vector<Access> accesses = std::move(taken_summary.accesses);
    accesses.clear();
    taken_summary = Summary{};
    taken_summary.accesses = std::move(accesses);
    taken_expanded = false;
    choices.clear();
    sleep.clear();
    inherited = 0;
    pending_sleepers.clear();
    pending.clear();
    optional.clear();
    optional_branched = false;
    early_timers.clear();
    early_footprints.clear();
    early_ends.clear();
    early_known.clear();
    faults_after_first.clear();
    unless_owner_woke.clear();
    visited = false;
    offered.clear();
    offered_timers.clear();
    root_waits = false;
    root_timer = kNoThread;
    restricted = false;
    only.clear();
    default_thread = kNoThread;
    delays_before = 0;
    deviated = false;
    node = kRootNode;
    top = false;
    frontier = false;
    numbered = false;
    owned = true;
    unit = 0;
    order.clear();
  }
};
static_assert(sizeof(void*) != 8 || sizeof(Level) == 520,
              "a field was added to Level: reset it in Level::reset(), then update this size");

// The levels of the path being explored, as a stack that keeps the levels
// popped (reset, with their vectors' storage) for the pushes that follow:
// a search pops and pushes levels on every run, and a Level is two dozen
// vectors, too many to move on each.
class LevelStack {
 public:
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Level& operator[](size_t i) { return all_[i]; }
  const Level& operator[](size_t i) const { return all_[i]; }
  Level& back() { return all_[n_ - 1]; }
  // A new level at the end of the path, in a new level's state.
  Level& push() {
    if (n_ == all_.size()) all_.emplace_back();
    return all_[n_++];
  }
  void pop() { all_[--n_].reset(); }
  // n levels: the first of them stay, the others are popped, or new
  // levels are pushed up to n.
  void resize(size_t n) {
    while (n_ > n) pop();
    while (n_ < n) push();
  }
  void clear() { resize(0); }
  std::span<const Level> path() const { return {all_.data(), n_}; }
  const Level* begin() const { return all_.data(); }
  const Level* end() const { return all_.data() + n_; }

 private:
  std::vector<Level> all_;  // [0, n_): the path; the rest popped
  size_t n_ = 0;
};

// --- Splitting (engine/strategies/dfs.cc, "Splitting one search"). ---

// Whether the class of the run recorded in `exec` belongs under the path
// it took above the frontier (levels [0, end)): at no level there does a
// branch taken before the one it took start a schedule of the class
// (after Execution::analyse). A failing run ends at its failure: a branch
// taken before that has no step in it, and commutes with all of it, could
// have come first, so the run belongs to that branch too (which runs it
// with that step first).
bool belongs_here(const Execution& exec, std::span<const Level> levels, size_t end, Thread root, bool failed);

// --- Wakeup trees. ---

// What v's last step is where v is to run (dfs.cc, insert_replacing_exit()).
enum class LastStep : uint8_t {
  kAsRun,     // the step as the run took it
  kReplaced,  // another step of its event, whose footprint the step now holds:
              // the run's happens-before does not order it, its footprint does
  kUnknown,   // a step not seen yet: it depends on everything
};

// Adds v (steps of `exec`, to run before step `then`) to a wakeup tree,
// unless a branch there already covers it. The bytes the tree grew by.
size_t insert(const Execution& exec, std::vector<Branch>& branches, std::vector<uint32_t> v, uint32_t then,
              LastStep last = LastStep::kAsRun);

// --- What the tree keeps, in bytes (an estimate of the allocator's share included). ---
size_t bytes_of(const Summary& q);
size_t tree_bytes(const std::vector<Branch>& branches);
size_t level_bytes(const Level& level);

}  // namespace lockstep::dfs

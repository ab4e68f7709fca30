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
//   - one caused the other (spawn -> start, arm -> timer firing, the
//     signal an exit follows) or a blocking receive took the message the
//     other sent: these cannot be reversed;
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
// Sleep sets judge independence before the receives that follow have run,
// so they treat any two messages to one mailbox as dependent; now and then
// a class is run twice. Each run's class is named by a fingerprint of its
// happens-before graph, and a run of a class seen before does not count as
// a schedule (it is reported as abandoned), so `schedules_explored` counts
// classes.
//
// Events are named by who created them (the k-th process or timer a named
// event created), not by pid or timer number, which change when spawns
// are reordered.
//
// Controlled choices (random_int, choose) are branching points of their
// own: every value is explored, deepest choice first.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/strategy.h"

namespace lockstep {
namespace {

using Thread = uint32_t;  // a stable event name (see Names)
constexpr Thread kNoThread = UINT32_MAX;

// Stable names for events: the root process is 0; any other is interned
// from (creator's name, kind, how many of its creations came before).
class Names {
 public:
  Thread root() { return intern(kNoThread, EventKind::kProcess, 0); }
  Thread child(Thread creator, EventKind kind, uint32_t nth) { return intern(creator, kind, nth); }

 private:
  Thread intern(Thread creator, EventKind kind, uint32_t nth) {
    const uint64_t key = (static_cast<uint64_t>(creator) << 32) ^ (static_cast<uint64_t>(kind) << 28) ^ nth;
    auto [it, added] = ids_.try_emplace(key, static_cast<Thread>(ids_.size()));
    return it->second;
  }
  std::unordered_map<uint64_t, Thread> ids_;
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

// What a step did, kept with a branch or a sleeping event so independence
// can be judged without running it again.
struct Summary {
  Thread thread = kNoThread;
  bool opaque = false;  // not run: assume it depends on everything
  int64_t actor = -1;
  std::vector<Access> accesses;
};

// Whether two steps may not commute, judged from what each did alone (for
// sleep sets and weak initials, where the receives that would tell two
// messages apart may not have run yet): messages to one mailbox do not.
bool dependent(const Summary& a, const Summary& b) {
  if (a.thread == b.thread || a.opaque || b.opaque) return true;
  for (const Access& x : a.accesses) {
    for (const Access& y : b.accesses) {
      if (!object::overlap(x.object, y.object)) continue;
      if (object::is_mailbox(x.object) || conflicts(x, y)) return true;
    }
  }
  return false;
}

// A branch of a wakeup tree: the event to run and the tree below it.
struct Branch {
  Summary event;
  std::vector<Branch> children;
};

struct Choice {
  uint64_t n = 0, value = 0;
};

// The exploration state before the i-th step of the current execution.
struct Level {
  bool has_taken = false;
  Thread taken = kNoThread;      // the event of the branch being explored
  Summary taken_summary;         // what it did (asleep once explored)
  std::vector<Choice> choices;   // the controlled choices it made
  std::vector<Summary> sleep;    // inherited sleepers, then explored siblings
  size_t inherited = 0;          // how many of `sleep` were inherited
  std::vector<Branch> pending;   // the wakeup tree's unexplored branches
};

// One step of the current execution, as the race analysis needs it.
struct Step {
  Thread thread = kNoThread;
  uint32_t lane = 0;      // dense index of its thread in this execution
  uint32_t pos = 0;       // 1-based position among its thread's steps
  uint32_t epoch = 0;
  StepKind kind = StepKind::kStart;
  int64_t actor = -1;
  uint32_t consumed = 0;  // step number
  uint32_t cause = 0;     // step number
  bool poll = false;
  uint32_t first_access = 0, access_count = 0;
};

class DfsStrategy final : public Strategy {
 public:
  Kind kind() const override { return Kind::kSearch; }
  bool wants_observations() const override { return true; }
  std::string refuses(const RunOptions& options) const override {
    if (options.timers == "any") {
      return "explores timers that fire when nothing else can run: use --timers quiescent";
    }
    if (!options.faults.empty()) {
      return "does not explore injected faults yet: use a sampling strategy (random, pct, pos) with --faults, "
             "or model the fault in the test (ls.cluster.stop_node, partition, a \"drop\" partition)";
    }
    return {};
  }

  bool begin_iteration(uint64_t, const IterationHint&) override {
    if (!started_) {
      started_ = true;
    } else if (!backtrack()) {
      return false;
    }
    begin_execution();
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    const size_t k = steps_.size();
    if (k >= levels_.size()) return kAbandon;  // cannot happen: on_step adds the level
    Level& level = levels_[k];
    names_of(enabled);
    if (level.has_taken) {  // the replayed prefix, or the branch just chosen
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (enabled_names_[i] == level.taken) return chosen(i);
      }
      return kAbandon;  // the test did not repeat itself
    }
    if (!level.pending.empty()) {  // follow the wakeup tree
      Branch b = std::move(level.pending.front());
      level.pending.erase(level.pending.begin());
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (enabled_names_[i] == b.event.thread) {
          level.has_taken = true;
          level.taken = b.event.thread;
          guide_ = std::move(b.children);
          return chosen(i);
        }
      }
      ++unfit_;
      return kAbandon;
    }
    // The first event not asleep, the root's last: when the root returns
    // the test ends, cutting off whatever else could still run, so the
    // other processes go first (see also cut_off()).
    size_t root_at = enabled.size();
    for (size_t i = 0; i < enabled.size(); ++i) {
      if (asleep(level, enabled_names_[i])) continue;
      if (enabled_names_[i] == root_) {
        root_at = i;
        continue;
      }
      return take(level, i);
    }
    if (root_at < enabled.size()) return take(level, root_at);
    return kAbandon;  // every enabled event is asleep: covered elsewhere
  }

  uint64_t choose(uint64_t n) override {
    if (n <= 1) return 0;
    Level& level = levels_[steps_.size()];
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
    const size_t k = steps_.size();
    Level& level = levels_[k];
    const Thread thread = picked_;
    // Name what this step created, in order, per creator.
    for (const EventKey& key : facts.created) {
      const uint32_t nth = created_count_[thread]++;
      name_of_[key] = static_cast<int32_t>(names_.child(thread, key.kind, nth));
    }
    Step s;
    s.thread = thread;
    if (lane_of_[thread] < 0) {
      lane_of_[thread] = static_cast<int32_t>(lanes_.size());
      lanes_.push_back(thread);
    }
    s.lane = static_cast<uint32_t>(lane_of_[thread]);
    s.pos = ++thread_steps_[thread];
    s.epoch = epoch_;
    s.kind = facts.kind;
    s.actor = facts.actor;
    s.consumed = facts.consumed;
    s.cause = facts.cause;
    s.poll = facts.poll;
    s.first_access = static_cast<uint32_t>(accesses_.size());
    s.access_count = static_cast<uint32_t>(facts.accesses.size());
    accesses_.insert(accesses_.end(), facts.accesses.begin(), facts.accesses.end());
    for (const Observation& o : facts.observations) observations_.push_back(o);
    steps_.push_back(s);

    level.taken_summary = summary_of(k);
    if (k + 1 == levels_.size()) {  // a new state: inherit what stays asleep
      levels_.emplace_back();
      Level& next = levels_.back();
      const Level& here = levels_[k];
      for (const Summary& q : here.sleep) {
        if (!dependent(here.taken_summary, q)) next.sleep.push_back(q);
      }
      next.inherited = next.sleep.size();
      next.pending = std::move(guide_);
      guide_.clear();
    }
    return true;
  }

  void on_advance_time() override { ++epoch_; }

  void end_iteration(const IterationResult& result) override {
    repeated_ = false;
    if (result.outcome != Outcome::kAbandoned) {
      analyse_races();
      // Sleep sets cannot always tell two messages to one mailbox apart
      // before the receives that follow have run, so a class is now and
      // then run twice: only its first run counts as a schedule. (A failing
      // run is only ever taken for a failing one: the bug was reported.)
      const uint64_t salt = result.outcome == Outcome::kPassed ? 0 : 0x5bd1e9955bd1e995ull;
      repeated_ = !seen_.insert(class_fingerprint() ^ salt);
      cut_off();
    }
  }

 private:
  // --- The current execution. ---

  void begin_execution() {
    steps_.clear();
    accesses_.clear();
    observations_.clear();
    name_of_.reset();
    root_ = names_.root();
    name_of_[EventKey::process(0)] = static_cast<int32_t>(root_);
    std::fill(created_count_.begin(), created_count_.end(), 0);
    std::fill(thread_steps_.begin(), thread_steps_.end(), 0);
    for (Thread t : lanes_) lane_of_[t] = -1;
    lanes_.clear();
    epoch_ = 0;
    choice_index_ = 0;
    root_level_ = before_root_level_ = 0;
    root_enabled_.clear();
    before_root_enabled_.clear();
    guide_.clear();
    if (levels_.empty()) levels_.emplace_back();
  }

  void names_of(std::span<const Op> enabled) {
    enabled_names_.clear();
    for (const Op& op : enabled) {
      int32_t name = name_of_.get(op.key);
      if (name < 0) {  // there from the start, not created by a step
        name = static_cast<int32_t>(names_.child(kNoThread, op.key.kind, op.key.id));
        name_of_[op.key] = name;
      }
      enabled_names_.push_back(static_cast<Thread>(name));
    }
  }

  size_t take(Level& level, size_t i) {
    level.has_taken = true;
    level.taken = enabled_names_[i];
    guide_.clear();
    return chosen(i);
  }

  size_t chosen(size_t i) {
    picked_ = enabled_names_[i];
    if (picked_ == root_) {  // see cut_off()
      before_root_level_ = root_level_;
      before_root_enabled_.swap(root_enabled_);
      root_level_ = steps_.size();
      root_enabled_ = enabled_names_;
    }
    if (picked_ >= created_count_.size()) {
      created_count_.resize(picked_ + 1, 0);
      thread_steps_.resize(picked_ + 1, 0);
      lane_of_.resize(picked_ + 1, -1);
    }
    choice_index_ = 0;
    return i;
  }

  static bool asleep(const Level& level, Thread t) {
    for (const Summary& q : level.sleep) {
      if (q.thread == t) return true;
    }
    return false;
  }

  Summary summary_of(size_t k) const {
    const Step& s = steps_[k];
    Summary out;
    out.thread = s.thread;
    out.actor = s.actor;
    out.accesses.assign(accesses_.begin() + s.first_access, accesses_.begin() + s.first_access + s.access_count);
    return out;
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
        level.sleep.push_back(std::move(level.taken_summary));
        level.taken_summary = Summary{};
        level.has_taken = false;
      }
      // The next branch of its wakeup tree is taken by pick().
      if (!level.pending.empty()) return true;
      levels_.pop_back();
    }
    return false;
  }

  // When the root returns, the test ends at once (its exit runs next):
  // what other processes could have done before the root's last step was
  // cut off. Each of them that could run there gets a branch of its own.
  void cut_off() {
    const size_t n = steps_.size();
    if (n < 2 || steps_[n - 1].thread != root_ || steps_[n - 1].kind != StepKind::kExit) return;
    if (root_level_ != n - 1 || before_root_level_ >= root_level_) return;
    Level& level = levels_[before_root_level_];
    for (Thread q : before_root_enabled_) {
      if (q == root_ || q == kNoThread || asleep(level, q)) continue;
      bool covered = false;
      for (const Branch& b : level.pending) covered = covered || b.event.thread == q;
      if (covered) continue;
      Branch b;
      b.event.thread = q;
      b.event.opaque = true;
      level.pending.push_back(std::move(b));
    }
  }

  // --- Race analysis. ---

  // The direct dependencies of each step: (earlier step index, reversible).
  void build_dependencies() {
    const size_t n = steps_.size();
    preds_start_.assign(n + 1, 0);
    preds_.clear();
    std::vector<std::pair<uint32_t, uint32_t>> observed;  // (earlier, later) from observations
    // Which receives took each step's messages (for the observer rule).
    consumers_.assign(n, {});
    for (size_t j = 0; j < n; ++j) {
      if (steps_[j].consumed) consumers_[steps_[j].consumed - 1].push_back(static_cast<uint32_t>(j));
    }
    for (const Observation& o : observations_) {
      if (o.receive == 0 || o.send == 0 || o.receive > n || o.send > n) continue;
      const uint32_t r = o.receive - 1, s = o.send - 1;
      const Step& recv = steps_[r];
      if (recv.consumed) {
        const uint32_t first = recv.consumed - 1;
        if (first >= s) continue;
        bool taken_before = false;  // s's message went to an earlier receive
        for (uint32_t c : consumers_[s]) taken_before = taken_before || (steps_[c].actor == recv.actor && c < r);
        if (!taken_before) observed.emplace_back(first, s);
      } else if (recv.poll && r < s) {
        observed.emplace_back(r, s);
      }
    }
    std::sort(observed.begin(), observed.end(),
              [](const auto& a, const auto& b) { return a.second < b.second || (a.second == b.second && a.first < b.first); });

    last_of_thread_.assign(lanes_.size(), -1);
    objects_.clear();
    size_t obs_at = 0;
    for (size_t j = 0; j < n; ++j) {
      const Step& s = steps_[j];
      preds_start_[j] = static_cast<uint32_t>(preds_.size());
      if (last_of_thread_[s.lane] >= 0) preds_.push_back({static_cast<uint32_t>(last_of_thread_[s.lane]), false});
      last_of_thread_[s.lane] = static_cast<int32_t>(j);
      if (s.cause && s.cause <= j) preds_.push_back({s.cause - 1, false});
      if (s.consumed && s.consumed <= j) preds_.push_back({s.consumed - 1, s.poll});
      while (obs_at < observed.size() && observed[obs_at].second < j) ++obs_at;
      while (obs_at < observed.size() && observed[obs_at].second == j) preds_.push_back({observed[obs_at++].first, true});
      for (uint32_t a = s.first_access; a < s.first_access + s.access_count; ++a) {
        const Access& acc = accesses_[a];
        if (acc.object == 0 || object::is_mailbox(acc.object)) continue;
        add_access_dependencies(static_cast<uint32_t>(j), acc);
      }
    }
    preds_start_[n] = static_cast<uint32_t>(preds_.size());
  }

  // What a step touching an object must follow. Writes storing one value
  // commute, so the latest writes are a group; a write joining the group
  // follows what the group follows.
  struct ObjectState {
    std::vector<uint32_t> writes;       // the latest group of writes
    uint64_t value = 0;                 // what the group stored (0: unknown)
    std::vector<uint32_t> before;       // the group before it
    std::vector<uint32_t> prior_reads;  // reads between the two groups
    std::vector<uint32_t> reads;        // reads since the group began
  };

  void follow(uint32_t j, const std::vector<uint32_t>& steps) {
    for (uint32_t x : steps) {
      if (x != j) preds_.push_back({x, true});
    }
  }

  // Which earlier accesses `acc` of step j must follow, on one object.
  void link(uint32_t j, const Access& acc, const ObjectState& st) {
    if (!acc.writes) {
      follow(j, st.writes);
    } else if (acc.value != 0 && acc.value == st.value && !st.writes.empty()) {
      follow(j, st.before);
      follow(j, st.prior_reads);
      follow(j, st.reads);
    } else {
      follow(j, st.writes);
      follow(j, st.reads);
    }
  }

  // Conflicts through shared state; a whole table overlaps its keys.
  void add_access_dependencies(uint32_t j, const Access& acc) {
    if (auto it = objects_.find(acc.object); it != objects_.end()) link(j, acc, it->second);
    const uint32_t table = object::table_of(acc.object);
    if (table) {
      // The other side of the table: keys for a whole-table access, the
      // whole table for a key.
      const bool whole = (acc.object & object::kTagMask) == object::kTable;
      if (whole) {
        for (auto& [obj, st] : objects_) {
          if (obj != acc.object && object::table_of(obj) == table) link(j, {acc.object, acc.writes, 0}, st);
        }
      } else if (auto it = objects_.find(object::table(table)); it != objects_.end()) {
        link(j, {acc.object, acc.writes, 0}, it->second);
      }
    }
    ObjectState& st = objects_[acc.object];
    if (!acc.writes) {
      st.reads.push_back(j);
    } else if (acc.value != 0 && acc.value == st.value && !st.writes.empty()) {
      st.writes.push_back(j);
    } else {
      st.before.swap(st.writes);
      st.prior_reads.swap(st.reads);
      st.writes.assign(1, j);
      st.reads.clear();
      st.value = acc.value;
    }
  }

  // Vector clocks: clock(j)[t] = how many of thread t's steps happen
  // before step j or are j.
  void build_clocks() {
    const size_t n = steps_.size();
    width_ = lanes_.size();
    clocks_.assign(n * width_, 0);
    for (size_t j = 0; j < n; ++j) {
      uint32_t* c = &clocks_[j * width_];
      for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p) {
        const uint32_t* d = &clocks_[preds_[p].step * width_];
        for (size_t t = 0; t < width_; ++t) c[t] = std::max(c[t], d[t]);
      }
      c[steps_[j].lane] = steps_[j].pos;
    }
  }

  bool happens_before(uint32_t a, uint32_t b) const {  // a -> b or a == b
    return clocks_[b * width_ + steps_[a].lane] >= steps_[a].pos;
  }

  void analyse_races() {
    const size_t n = steps_.size();
    if (n < 2) return;
    build_dependencies();
    build_clocks();
    for (uint32_t j = 0; j < n; ++j) {
      // Nothing is gained by ending the test earlier (see pick).
      if (steps_[j].kind == StepKind::kExit && steps_[j].thread == root_) continue;
      for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p) {
        const auto [i, reversible] = preds_[p];
        if (!reversible || steps_[i].thread == steps_[j].thread || steps_[i].epoch != steps_[j].epoch) continue;
        bool covered = false;  // i happens before another direct dependency of j
        for (uint32_t q = preds_start_[j]; q < preds_start_[j + 1] && !covered; ++q) {
          if (preds_[q].step != i && happens_before(i, preds_[q].step)) covered = true;
        }
        if (!covered) reverse(i, j);
      }
    }
  }

  // The race i < j: at the state before i, schedule what does not depend
  // on i, then j.
  void reverse(uint32_t i, uint32_t j) {
    if (i >= levels_.size()) return;
    sequence_.clear();
    for (uint32_t x = i + 1; x < j; ++x) {
      if (!happens_before(i, x)) sequence_.push_back(x);
    }
    sequence_.push_back(j);
    Level& level = levels_[i];
    for (const Summary& q : level.sleep) {
      if (weak_initial(q, sequence_)) return;  // an explored sibling covers it
    }
    insert(level.pending, sequence_);
  }

  bool repeated() const override { return repeated_; }

  // A name for the class of the execution that ended: its steps (event,
  // position in it, kind, time epoch, the values of its choices) and the
  // direct dependencies of each, which equivalent executions share.
  uint64_t class_fingerprint() const {
    auto mix = [](uint64_t x) {  // splitmix64's finaliser
      x ^= x >> 30;
      x *= 0xbf58476d1ce4e5b9ull;
      x ^= x >> 27;
      x *= 0x94d049bb133111ebull;
      return x ^ (x >> 31);
    };
    auto identity = [&](uint32_t j) {
      const Step& s = steps_[j];
      return mix((static_cast<uint64_t>(s.thread) << 32) ^ s.pos);
    };
    uint64_t fp = 0;
    for (uint32_t j = 0; j < steps_.size(); ++j) {
      const Step& s = steps_[j];
      uint64_t h = identity(j) ^ mix((static_cast<uint64_t>(s.kind) << 40) ^ s.epoch);
      for (const Choice& c : levels_[j].choices) h = mix(h ^ mix(c.value + 0x9e3779b97f4a7c15ull));
      uint64_t preds = 0;
      if (j + 1 < preds_start_.size()) {
        for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p) preds += identity(preds_[p].step);
      }
      fp += mix(h ^ mix(preds));
    }
    return fp;
  }

  // Whether event `u` can start a schedule equivalent to running `v` (a
  // list of step indices of this execution): it has a step in v that
  // nothing before it in v happens before, or it has none and commutes
  // with all of v.
  bool weak_initial(const Summary& u, const std::vector<uint32_t>& v) {
    for (uint32_t x : v) {
      if (steps_[x].thread == u.thread) return initial(v, x);
    }
    for (uint32_t x : v) {
      if (dependent(u, summary_ref(x))) return false;
    }
    return true;
  }

  // Whether nothing before x in v happens before x.
  bool initial(const std::vector<uint32_t>& v, uint32_t x) const {
    for (uint32_t y : v) {
      if (y == x) return true;
      if (happens_before(y, x)) return false;
    }
    return true;
  }

  const Summary& summary_ref(uint32_t x) {
    scratch_ = summary_of(x);
    return scratch_;
  }

  // Adds v to a wakeup tree, unless a branch there already covers it.
  void insert(std::vector<Branch>& branches, std::vector<uint32_t> v) {
    std::vector<Branch>* at = &branches;
    for (;;) {
      Branch* next = nullptr;
      for (Branch& b : *at) {
        if (weak_initial(b.event, v)) {
          next = &b;
          break;
        }
      }
      if (!next) break;
      if (next->children.empty()) return;  // a leaf covers it
      auto it = std::find_if(v.begin(), v.end(), [&](uint32_t x) { return steps_[x].thread == next->event.thread; });
      if (it != v.end()) v.erase(it);
      if (v.empty()) return;
      at = &next->children;
    }
    // A new chain, the rightmost branch.
    Branch* parent = nullptr;
    for (uint32_t x : v) {
      std::vector<Branch>& into = parent ? parent->children : *at;
      into.push_back(Branch{summary_of(x), {}});
      parent = &into.back();
    }
  }

  Names names_;
  Thread root_ = 0;
  // Where the root ran last and the time before, and what was enabled there.
  size_t root_level_ = 0, before_root_level_ = 0;
  std::vector<Thread> root_enabled_, before_root_enabled_;
  bool started_ = false;
  std::vector<Level> levels_;
  std::vector<Branch> guide_;  // the wakeup subtree under the branch being taken

  // The current execution.
  std::vector<Step> steps_;
  std::vector<Access> accesses_;
  std::vector<Observation> observations_;
  EventTable<int32_t> name_of_{-1};    // event key -> stable name
  std::vector<uint32_t> created_count_;  // per name: creations so far
  std::vector<uint32_t> thread_steps_;   // per name: steps so far
  std::vector<int32_t> lane_of_;         // per name: its lane, -1 if it has not run
  std::vector<Thread> lanes_;            // lane -> name
  std::vector<Thread> enabled_names_;
  Thread picked_ = kNoThread;
  uint32_t epoch_ = 0;
  size_t choice_index_ = 0;
  uint64_t unfit_ = 0;
  bool repeated_ = false;
  FingerprintSet seen_;  // the classes of the passing runs counted so far  // wakeup branches whose event was not enabled

  // Race analysis scratch.
  struct Pred {
    uint32_t step;
    bool reversible;
  };
  std::vector<uint32_t> preds_start_;
  std::vector<Pred> preds_;
  std::vector<std::vector<uint32_t>> consumers_;
  std::vector<int32_t> last_of_thread_;
  std::unordered_map<uint64_t, ObjectState> objects_;
  size_t width_ = 0;
  std::vector<uint32_t> clocks_;
  std::vector<uint32_t> sequence_;
  Summary scratch_;
};

}  // namespace

std::unique_ptr<Strategy> make_dfs_strategy(const StrategyParams&) { return std::make_unique<DfsStrategy>(); }

}  // namespace lockstep

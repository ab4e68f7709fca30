// surw: selectively uniform random walk (Zhao, Wolff, Mathur, Roychoudhury,
// "Selectively Uniform Concurrency Testing", ASPLOS 2025).
//
// A random walk that picks each enabled process with the same probability
// samples interleavings far from uniformly: a schedule that runs a short
// process early is much likelier than one that interleaves two long ones.
// Picking a process with probability proportional to the number of events
// it has left samples interleavings uniformly. The counts are not known in
// advance; surw learns them from earlier iterations (a learner: epochs of
// kLearnEpoch iterations, engine/strategy.h). A process is named by its
// creation path (engine/coverage.h), and its weight counts the events left
// to it and to the processes it has not yet spawned, so a parent about to
// start a busy subtree is not starved.
//
// Selective: only the events that matter are counted, those that touch an
// object another process can see (a mailbox, a name, a table key, an
// atomic cell, a node, ...). A step that only reads its own state (a start)
// counts for nothing, so it neither inflates a process's weight nor is
// held back. Every enabled event keeps a weight of at least one, so surw
// is fair (liveness monitors count under it).
//
// The first epoch, with nothing learnt, is a uniform random walk.
//
// Goals (ls.sometimes, ls.reachable) are coverage to seek: a schedule that
// runs a goal's line, or meets a goal, for the first time is kept (the
// events it picked, in order), and half of the later iterations follow a
// kept schedule (the newest half the time) for a random part of it, at
// least half, before walking on as above; so a walk that got part of the
// way to an unmet goal is carried on from there. A test without goals is
// walked as before.
#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

#include "engine/coverage.h"
#include "engine/strategy.h"

namespace lockstep {
namespace {

// What one iteration saw: events per process subtree, by process name.
struct SurwLesson final : Learner::Lesson {
  std::vector<std::pair<uint64_t, uint64_t>> subtree_events;  // sorted by name
  std::vector<uint64_t> goals;   // goal marks (goal_marks)
  std::vector<EventKey> picks;   // the events picked, in order (when it reached a goal mark)
};

class SurwStrategy final : public Strategy, public Learner {
 public:
  Learner* learner() override { return this; }

  bool begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    names_.begin();
    procs_.clear();
    picks_.clear();
    guide_ = nullptr;
    guided_ = 0;
    if (!kept_.empty() && prng_.below(2) == 0) {  // follow a kept schedule part of the way
      guide_ = &kept_[prng_.below(2) == 0 ? kept_.size() - 1 : prng_.below(kept_.size())];
      const size_t n = guide_->size();
      guide_len_ = n - prng_.below(n / 2 + 1);
    }
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    if (guide_ && guided_ < guide_len_) {
      const EventKey want = (*guide_)[guided_];
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (enabled[i].key == want) {
          ++guided_;
          picks_.push_back(want);
          return i;
        }
      }
      guide_ = nullptr;  // the run went elsewhere: walk on
    }
    const size_t i = walk(enabled);
    picks_.push_back(enabled[i].key);
    return i;
  }

  void end_iteration(const IterationResult& result) override { goal_marks(result.exercised, goals_); }

  uint64_t choose(uint64_t n) override { return prng_.below(n); }

  bool on_step(const StepFacts& facts) override {
    names_.on_step(facts);
    if (facts.actor < 0) return true;
    Proc& p = proc(facts.actor);
    if (p.name == 0) p.name = names_.process_name(facts.actor);
    for (const EventKey& c : facts.created) {
      if (c.kind != EventKind::kProcess) continue;
      Proc& child = proc(c.id);
      child.parent = facts.actor;
      child.name = names_.process_name(c.id);
    }
    if (!matters(facts)) return true;
    // The event is done for the process and for every ancestor's subtree.
    for (int64_t q = facts.actor; q >= 0; q = procs_[static_cast<size_t>(q)].parent) {
      ++procs_[static_cast<size_t>(q)].done;
    }
    return true;
  }

  std::unique_ptr<Lesson> lesson() override {
    auto l = std::make_unique<SurwLesson>();
    std::map<uint64_t, uint64_t> by_name;
    for (const Proc& p : procs_) {
      if (p.name != 0) by_name[p.name] = std::max(by_name[p.name], p.done);
    }
    l->subtree_events.assign(by_name.begin(), by_name.end());
    if (!goals_.empty()) {
      l->goals = goals_;
      l->picks = picks_;
    }
    return l;
  }

  void learn(const Lesson& lesson) override {
    const auto& l = static_cast<const SurwLesson&>(lesson);
    for (const auto& [name, events] : l.subtree_events) {
      Estimate& e = estimates_[name];
      e.sum += events;
      ++e.runs;
    }
    bool fresh = false;
    for (uint64_t g : l.goals) fresh = marks_.insert(g).second || fresh;
    if (fresh) {
      if (kept_.size() == kMaxKept) kept_.erase(kept_.begin());
      kept_.push_back(l.picks);
    }
  }

 private:
  // A step of the walk: each enabled event with the weight of what it has left.
  size_t walk(std::span<const Op> enabled) {
    weights_.clear();
    uint64_t total = 0;
    for (const Op& op : enabled) {
      const uint64_t w = weight(op);
      weights_.push_back(w);
      total += w;
    }
    uint64_t r = prng_.below(total);
    for (size_t i = 0; i < enabled.size(); ++i) {
      if (r < weights_[i]) return i;
      r -= weights_[i];
    }
    return enabled.size() - 1;
  }

  struct Proc {
    uint64_t name = 0;
    int64_t parent = -1;
    uint64_t done = 0;  // events of this process and its descendants so far
  };
  struct Estimate {
    uint64_t sum = 0, runs = 0;
    uint64_t mean() const { return runs ? (sum + runs - 1) / runs : 0; }
  };

  Proc& proc(int64_t pid) {
    if (static_cast<size_t>(pid) >= procs_.size()) procs_.resize(static_cast<size_t>(pid) + 1);
    return procs_[static_cast<size_t>(pid)];
  }

  // Whether a step touches something another process can see.
  static bool matters(const StepFacts& facts) {
    const uint64_t own = object::process(static_cast<uint32_t>(facts.actor));
    for (const Access& a : facts.accesses) {
      if (object::is_clock(a.object)) continue;  // the virtual time: no process's state
      if (a.writes || a.object != own) return true;
    }
    return false;
  }

  // The events a process's subtree has left, by the estimate (at least 1).
  uint64_t weight(const Op& op) {
    if (op.key.kind != EventKind::kProcess || estimates_.empty()) return 1;
    const uint64_t pid = op.key.id;
    const uint64_t name = pid < procs_.size() && procs_[pid].name ? procs_[pid].name : names_.process_name(pid);
    auto it = estimates_.find(name);
    if (it == estimates_.end()) return 1;
    const uint64_t done = pid < procs_.size() ? procs_[pid].done : 0;
    const uint64_t expected = it->second.mean();
    return expected > done ? expected - done : 1;
  }

  static constexpr size_t kMaxKept = 64;

  Prng prng_;
  StepNames names_;
  std::vector<EventKey> picks_;   // this iteration's
  std::vector<uint64_t> goals_;   // this iteration's goal marks
  const std::vector<EventKey>* guide_ = nullptr;  // the kept schedule followed, if any
  size_t guide_len_ = 0, guided_ = 0;
  std::unordered_set<uint64_t> marks_;            // goal marks reached so far
  std::vector<std::vector<EventKey>> kept_;       // schedules that reached a new one
  std::vector<Proc> procs_;  // by pid, this iteration
  std::vector<uint64_t> weights_;
  std::map<uint64_t, Estimate> estimates_;  // by process name: events of its subtree
};

}  // namespace

std::unique_ptr<Strategy> make_surw_strategy(const StrategyParams&) { return std::make_unique<SurwStrategy>(); }

}  // namespace lockstep

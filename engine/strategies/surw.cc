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
#include <algorithm>
#include <map>
#include <vector>

#include "engine/coverage.h"
#include "engine/strategy.h"

namespace lockstep {
namespace {

// What one iteration saw: events per process subtree, by process name.
struct SurwLesson final : Learner::Lesson {
  std::vector<std::pair<uint64_t, uint64_t>> subtree_events;  // sorted by name
};

class SurwStrategy final : public Strategy, public Learner {
 public:
  Learner* learner() override { return this; }

  bool begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    names_.begin();
    procs_.clear();
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
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
    return l;
  }

  void learn(const Lesson& lesson) override {
    for (const auto& [name, events] : static_cast<const SurwLesson&>(lesson).subtree_events) {
      Estimate& e = estimates_[name];
      e.sum += events;
      ++e.runs;
    }
  }

 private:
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

  Prng prng_;
  StepNames names_;
  std::vector<Proc> procs_;  // by pid, this iteration
  std::vector<uint64_t> weights_;
  std::map<uint64_t, Estimate> estimates_;  // by process name: events of its subtree
};

}  // namespace

std::unique_ptr<Strategy> make_surw_strategy(const StrategyParams&) { return std::make_unique<SurwStrategy>(); }

}  // namespace lockstep

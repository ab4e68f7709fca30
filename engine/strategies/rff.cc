// rff: reads-from fuzzing (Wolff, Shi, Duck, Mathur, Roychoudhury,
// "Greybox Fuzzing for Concurrency Testing", ASPLOS 2024).
//
// A schedule is described by its reads-from pairs: which send each receive
// consumed, and which write each read of shared state saw (engine/coverage.h
// names the steps so that pairs compare across schedules). rff keeps a
// corpus of schedules that reached a pair no earlier schedule had, and
// fuzzes from it: an iteration takes an entry (rarer pairs first), picks a
// few of its reads, and gives each a write to read from, drawn from all the
// writes that read has been seen to read in any schedule (the initial value
// among them), so pairs seen apart combine. It runs under POS priorities
// (engine/strategies/pos.cc) steered by these constraints:
//   - a read whose wanted write has not run yet waits (its priority is
//     lowest) while anything else can run;
//   - every other write the read has been seen to read waits until the
//     read has run.
// A schedule that reaches a new pair joins the corpus. One iteration in
// four runs plain POS, to keep finding fresh pairs.
//
// Goals (ls.sometimes, ls.reachable) count as coverage too: a schedule
// that runs a goal's line for the first time, or meets a goal for the
// first time, joins the corpus even with no new pair, and the rarer such
// a mark, the more of the budget its entry gets; so schedules that got
// closer to an unmet goal are fuzzed from.
//
// A learner (engine/strategy.h): the corpus and the pair counts change only
// between epochs, from the lessons of the epoch's iterations in order, so
// the run does not depend on --jobs. Until the first lesson it is POS.
#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/base/hash.h"
#include "engine/coverage.h"
#include "engine/strategy.h"

namespace lockstep {
namespace {

struct Pair {
  uint64_t write = 0;  // the name of the send or write (0: the initial value)
  uint64_t read = 0;   // the name of the receive or read
  bool operator==(const Pair&) const = default;
  auto operator<=>(const Pair&) const = default;
};

struct RffLesson final : Learner::Lesson {
  std::vector<Pair> pairs;     // sorted, unique
  std::vector<uint64_t> goals;  // goal marks reached (goal_marks), sorted, unique
};

constexpr uint64_t kUnset = 0;

class RffStrategy final : public Strategy, public Learner {
 public:
  Learner* learner() override { return this; }

  bool begin_iteration(uint64_t seed, const IterationHint&) override {
    prng_.reseed(seed);
    names_.begin();
    prio_.reset();
    last_.clear();
    last_write_.clear();
    pairs_.clear();
    ran_.clear();
    wait_for_.clear();
    hold_until_.clear();
    plan(seed);
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    for (const Access& a : last_) {  // POS: events racing with the last step get new priorities
      for (const Op& op : enabled) {
        if (races(op, a)) priority(op) = fresh();
      }
    }
    last_.clear();
    size_t best = 0;
    bool best_held = true;
    uint64_t best_prio = 0;
    for (size_t i = 0; i < enabled.size(); ++i) {
      const bool held = !wait_for_.empty() || !hold_until_.empty() ? is_held(enabled[i]) : false;
      const uint64_t p = priority(enabled[i]);
      if ((best_held && !held) || (held == best_held && p > best_prio)) {
        best = i;
        best_held = held;
        best_prio = p;
      }
    }
    return best;
  }

  uint64_t choose(uint64_t n) override { return prng_.below(n); }

  bool on_step(const StepFacts& facts) override {
    prio_[facts.event] = kUnset;
    last_.assign(facts.accesses.begin(), facts.accesses.end());
    const uint64_t name = names_.on_step(facts);
    ran_.insert(name);
    if (facts.role() == StepRole::kReceive && facts.consumed != 0) {
      pairs_.push_back({names_.name_of(facts.consumed), name});
    }
    const uint64_t own = facts.actor >= 0 ? object::process(static_cast<uint32_t>(facts.actor)) : 0;
    for (const Access& a : facts.accesses) {
      // (The virtual time is no value a process wrote: a timer armed reads
      // it, and only an early timer moves it.)
      if ((!a.writes && a.object == own) || object::is_clock(a.object)) continue;
      uint64_t& last = last_write_[a.object];
      if (a.writes) {
        last = name;
      } else {
        pairs_.push_back({last, name});
      }
    }
    return true;
  }

  void end_iteration(const IterationResult& result) override { goal_marks(result.exercised, goals_); }

  std::unique_ptr<Lesson> lesson() override {
    auto l = std::make_unique<RffLesson>();
    l->goals = goals_;
    l->pairs = pairs_;
    std::sort(l->pairs.begin(), l->pairs.end());
    l->pairs.erase(std::unique(l->pairs.begin(), l->pairs.end()), l->pairs.end());
    return l;
  }

  void learn(const Lesson& lesson) override {
    const auto& l = static_cast<const RffLesson&>(lesson);
    const auto& pairs = l.pairs;
    bool reached_new = false;
    for (const Pair& p : pairs) {
      if (seen_[p]++ == 0) {
        reached_new = true;
        writers_of_[p.read].push_back(p.write);
      }
    }
    uint64_t rarest_goal = UINT64_MAX;
    for (uint64_t g : l.goals) {
      const uint64_t n = goals_seen_[g]++;
      if (n == 0) reached_new = true;
      rarest_goal = std::min(rarest_goal, n + 1);
    }
    if (!reached_new || pairs.empty()) return;
    Entry entry{pairs, rarest_goal};
    if (corpus_.size() < kMaxCorpus) {
      corpus_.push_back(std::move(entry));
    } else {
      corpus_[added_ % kMaxCorpus] = std::move(entry);  // the oldest entry makes room
    }
    ++added_;
  }

 private:
  // A corpus entry: its pairs, and how many schedules had reached its
  // rarest goal mark when it joined (UINT64_MAX: none).
  struct Entry {
    std::vector<Pair> pairs;
    uint64_t rarest_goal = UINT64_MAX;
  };
  struct PairHash {
    size_t operator()(const Pair& p) const { return static_cast<size_t>(p.write * 31 + p.read); }
  };

  // Chooses this iteration's constraints: a few reads of a corpus entry,
  // each given a write to read from, drawn from every write that read has
  // been seen to read (the initial value too), so pairs seen in different
  // schedules combine.
  void plan(uint64_t seed) {
    Prng draw(seed ^ 0x5bd1e9955bd1e995ull);  // apart from the walk's own stream
    if (corpus_.empty() || draw.below(4) == 0) return;  // plain POS
    // Two draws, the rarer entry wins: entries whose pairs few schedules
    // reached get more of the budget (the paper's power schedule, simply).
    const Entry* first = &corpus_[draw.below(corpus_.size())];
    const Entry* second = &corpus_[draw.below(corpus_.size())];
    if (rarity(*second) > rarity(*first)) first = second;
    const std::vector<Pair>* entry = &first->pairs;
    const uint64_t n = 1 + draw.below(3);
    for (uint64_t k = 0; k < n; ++k) {
      const uint64_t read = (*entry)[draw.below(entry->size())].read;
      const std::vector<uint64_t>& writes = writers_of_.at(read);
      const uint64_t wanted = writes[draw.below(writes.size())];
      // The read waits for the wanted write; every other write it has been
      // seen to read waits for the read.
      if (wanted != 0) wait_for_.emplace(read, wanted);
      for (uint64_t w : writes) {
        if (w != 0 && w != wanted) hold_until_.emplace(w, read);
      }
    }
  }

  // The rarest pair (or goal mark) of an entry, as a score (higher: rarer).
  double rarity(const Entry& e) const {
    uint64_t least = e.rarest_goal;
    for (const Pair& p : e.pairs) {
      auto it = seen_.find(p);
      least = std::min<uint64_t>(least, it == seen_.end() ? 1 : it->second);
    }
    return 1.0 / static_cast<double>(std::max<uint64_t>(least, 1));
  }

  // Whether an enabled event should wait: a read whose write has not run,
  // or a negated write whose read has not run.
  bool is_held(const Op& op) const {
    const uint64_t name = names_.predict(op);
    if (name == 0) return false;
    if (auto it = wait_for_.find(name); it != wait_for_.end() && !ran_.count(it->second)) return true;
    if (auto it = hold_until_.find(name); it != hold_until_.end() && !ran_.count(it->second)) return true;
    return false;
  }

  uint64_t fresh() { return prng_.next() | 1; }
  uint64_t& priority(const Op& op) {
    uint64_t& p = prio_[op.key];
    if (p == kUnset) p = fresh();
    return p;
  }

  Prng prng_;
  StepNames names_;
  EventTable<uint64_t> prio_{kUnset};
  std::vector<Access> last_;
  std::unordered_map<uint64_t, uint64_t> last_write_;  // object -> name of its last write
  std::vector<Pair> pairs_;                            // this iteration's reads-from pairs
  std::unordered_set<uint64_t> ran_;                   // names of the steps run so far
  std::unordered_map<uint64_t, uint64_t> wait_for_;    // read name -> the write it waits for
  std::unordered_map<uint64_t, uint64_t> hold_until_;  // write name -> the read it waits for
  // Learnt, between epochs.
  std::unordered_map<Pair, uint64_t, PairHash> seen_;  // schedules that reached each pair
  std::unordered_map<uint64_t, std::vector<uint64_t>> writers_of_;  // read -> writes it was seen to read, in order
  std::vector<Entry> corpus_;
  std::unordered_map<uint64_t, uint64_t> goals_seen_;  // schedules that reached each goal mark
  std::vector<uint64_t> goals_;                         // this iteration's goal marks
  uint64_t added_ = 0;
  static constexpr size_t kMaxCorpus = 1024;
};

}  // namespace

std::unique_ptr<Strategy> make_rff_strategy(const StrategyParams&) { return std::make_unique<RffStrategy>(); }

}  // namespace lockstep

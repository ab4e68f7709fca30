#include "engine/coverage.h"

#include "engine/base/hash.h"

#include <algorithm>

namespace lockstep {
namespace {

// A 64-bit mix (splitmix64's finaliser): names and pairs hash to values
// that are stable across runs and platforms.
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr uint64_t kRootName = 0x726f6f74;  // "root"

void sort_unique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void StepNames::begin() {
  procs_.clear();
  names_.assign(1, 0);
}

StepNames::Proc* StepNames::proc(int64_t pid) {
  if (pid < 0) return nullptr;
  if (static_cast<size_t>(pid) >= procs_.size()) procs_.resize(static_cast<size_t>(pid) + 1);
  Proc& p = procs_[static_cast<size_t>(pid)];
  if (p.name == 0) p.name = pid == 0 ? kRootName : mix(kRootName, static_cast<uint64_t>(pid) + 1);
  return &p;
}

uint64_t StepNames::on_step(const StepFacts& facts) {
  uint64_t name;
  if (Proc* p = proc(facts.actor)) {
    ++p->steps;
    name = mix(mix(p->name, p->steps), static_cast<uint64_t>(facts.kind));
    const uint64_t parent = p->name;
    uint32_t spawned = p->spawned;
    for (const EventKey& created : facts.created) {
      if (created.kind != EventKind::kProcess) continue;
      Proc* child = proc(created.id);  // may move procs_: p is not used after this
      child->name = mix(parent, ++spawned);  // the k-th process this one created
      child->steps = 0;
    }
    procs_[static_cast<size_t>(facts.actor)].spawned = spawned;
  } else {
    // A delivery or a fault has no process: name it after what caused it.
    name = mix(mix(facts.cause ? name_of(facts.cause) : 0, static_cast<uint64_t>(facts.event.kind)),
               static_cast<uint64_t>(facts.kind));
  }
  if (names_.size() <= facts.step) names_.resize(facts.step + 1, 0);
  names_[facts.step] = name;
  return name;
}

uint64_t StepNames::predict(const Op& op) const {
  if (op.key.kind != EventKind::kProcess) return 0;
  const uint32_t pid = op.key.id;
  const uint64_t base = pid < procs_.size() && procs_[pid].name != 0 ? procs_[pid].name
                        : pid == 0                                    ? kRootName
                                                                      : mix(kRootName, pid + 1ull);
  const uint32_t steps = pid < procs_.size() ? procs_[pid].steps : 0;
  return mix(mix(base, steps + 1), static_cast<uint64_t>(op.step));
}

uint64_t StepNames::process_name(int64_t pid) const {
  if (pid < 0) return 0;
  if (static_cast<size_t>(pid) < procs_.size() && procs_[pid].name != 0) return procs_[pid].name;
  return pid == 0 ? kRootName : mix(kRootName, static_cast<uint64_t>(pid) + 1);  // as proc() will name it
}

uint32_t StepNames::steps_of(int64_t pid) const {
  return pid >= 0 && static_cast<size_t>(pid) < procs_.size() ? procs_[pid].steps : 0;
}

uint64_t& LastWrites::at(uint64_t object) {
  if (object == 0) return zero_;
  if (2 * (used_.size() + 1) > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = mix64(object) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.object == object) return s.name;
    if (s.object == 0) {
      s.object = object;
      used_.push_back(static_cast<uint32_t>(i));
      return s.name;
    }
  }
}

void LastWrites::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(std::max<size_t>(64, 2 * old.size()), Slot{});
  used_.clear();
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.object == 0) continue;
    size_t i = mix64(s.object) & mask;
    while (slots_[i].object != 0) i = (i + 1) & mask;
    slots_[i] = s;
    used_.push_back(static_cast<uint32_t>(i));
  }
}

void LastWrites::clear() {
  for (uint32_t i : used_) slots_[i] = Slot{};
  used_.clear();
  zero_ = 0;
}

void CoverageRecorder::begin() {
  names_.begin();
  last_write_.clear();
  current_.reads_from.clear();
  current_.receives.clear();
  current_.schedule_class = 0;
  class_sum_ = 0;
}

void CoverageRecorder::on_step(const StepFacts& facts) {
  const uint64_t name = names_.on_step(facts);
  if (facts.role() == StepRole::kReceive && facts.consumed != 0) {
    current_.reads_from.push_back(mix(names_.name_of(facts.consumed), name));
    current_.receives.push_back(mix(names_.process_name(facts.actor), facts.shape));
    class_sum_ += mix(0x7265, mix(names_.name_of(facts.consumed), name));
  }
  const uint64_t own_state = facts.actor >= 0 ? object::process(static_cast<uint32_t>(facts.actor)) : 0;
  for (const Access& a : facts.accesses) {
    // Every step reads its own process's control state (is it still
    // alive?): not a read of anything another process wrote, as a rule.
    if (!a.writes && a.object == own_state) continue;
    // The virtual time is no value a process wrote (a timer armed reads
    // it; only an early timer moves it): not a reads-from pair.
    if (object::is_clock(a.object)) continue;
    uint64_t& last = last_write_.at(a.object);
    if (a.writes) {
      class_sum_ += mix(last, name);  // the write before it on this object
      last = name;
    } else {
      current_.reads_from.push_back(mix(last, name));
      class_sum_ += mix(mix(last, name), 0x72);
    }
  }
}

const IterationCoverage& CoverageRecorder::finish() {
  sort_unique(current_.reads_from);
  sort_unique(current_.receives);
  current_.schedule_class = mix(class_sum_, names_.name_of(0));
  return current_;
}

void CoverageTotals::note(FirstSeen& set, uint64_t item, uint64_t iteration) {
  auto [it, inserted] = set.try_emplace(item, iteration);
  if (!inserted && iteration < it->second) it->second = iteration;
}

void CoverageTotals::add(uint64_t iteration, const IterationCoverage& c) {
  for (uint64_t x : c.reads_from) note(reads_from_, x, iteration);
  for (uint64_t x : c.receives) note(receives_, x, iteration);
  note(classes_, c.schedule_class, iteration);
}

void CoverageTotals::merge(const CoverageTotals& other) {
  for (const auto& [x, i] : other.reads_from_) note(reads_from_, x, i);
  for (const auto& [x, i] : other.receives_) note(receives_, x, i);
  for (const auto& [x, i] : other.classes_) note(classes_, x, i);
}

void CoverageTotals::keep_up_to(uint64_t last) {
  for (FirstSeen* set : {&reads_from_, &receives_, &classes_}) {
    std::erase_if(*set, [last](const auto& item) { return item.second > last; });
  }
}

CoverageTotals::Metric CoverageTotals::metric(const FirstSeen& set) {
  Metric m;
  m.count = set.size();
  for (const auto& [x, i] : set) m.last_new = std::max(m.last_new, i);
  return m;
}

std::vector<CoverageTotals::Point> CoverageTotals::growth(uint64_t iterations) const {
  std::vector<uint64_t> marks;
  for (uint64_t n = 1; n < iterations; n *= 2) marks.push_back(n);
  if (iterations > 0) marks.push_back(iterations);
  auto count_before = [](const FirstSeen& set, std::vector<uint64_t>& firsts) {
    firsts.clear();
    for (const auto& [x, i] : set) firsts.push_back(i);
    std::sort(firsts.begin(), firsts.end());
  };
  std::vector<uint64_t> rf, rc, cl;
  count_before(reads_from_, rf);
  count_before(receives_, rc);
  count_before(classes_, cl);
  auto upto = [](const std::vector<uint64_t>& firsts, uint64_t n) {
    return static_cast<uint64_t>(std::lower_bound(firsts.begin(), firsts.end(), n) - firsts.begin());
  };
  std::vector<Point> out;
  for (uint64_t n : marks) out.push_back({n, upto(rf, n), upto(rc, n), upto(cl, n)});
  return out;
}

void goal_marks(const Exercised& e, std::vector<uint64_t>& out) {
  out.clear();
  for (const GoalCount& g : e.goals) {
    const uint64_t id = mix64(fnv1a(g.location, fnv1a(g.name)));
    out.push_back(id);
    if (g.met) out.push_back(mix64(id + 1));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace lockstep

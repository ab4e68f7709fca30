#include "engine/causality.h"

#include <algorithm>
#include <unordered_map>

namespace lockstep {

void FactLog::add(const StepFacts& f) {
  StepRecord r;
  r.step = f.step;
  r.event = f.event;
  r.kind = f.kind;
  r.actor = f.actor;
  r.consumed = f.consumed;
  r.cause = f.cause;
  r.first_access = static_cast<uint32_t>(accesses.size());
  r.access_count = static_cast<uint32_t>(f.accesses.size());
  accesses.insert(accesses.end(), f.accesses.begin(), f.accesses.end());
  steps.push_back(r);
}

void FactLog::clear() {
  steps.clear();
  accesses.clear();
}

StepFacts FactLog::at(size_t i) const {
  const StepRecord& r = steps[i];
  StepFacts f;
  f.step = r.step;
  f.event = r.event;
  f.kind = r.kind;
  f.actor = r.actor;
  f.consumed = r.consumed;
  f.cause = r.cause;
  if (r.first_access <= accesses.size() && r.access_count <= accesses.size() - r.first_access) {
    f.accesses = std::span<const Access>(accesses.data() + r.first_access, r.access_count);
  }
  return f;
}

namespace {

// Access order on one object: the last write and the reads since.
struct ObjectOrder {
  int64_t last_write = -1;
  std::vector<uint32_t> reads;

  // With `anti` false a write does not depend on the reads before it.
  void visit(uint32_t i, bool writes, std::vector<uint32_t>& preds, bool anti = true) {
    if (last_write >= 0) preds.push_back(static_cast<uint32_t>(last_write));
    if (writes) {
      if (anti) preds.insert(preds.end(), reads.begin(), reads.end());
      last_write = i;
      reads.clear();
    } else {
      reads.push_back(i);
    }
  }
};

// A table: whole-table accesses (tab2list, delete_table, multi-row insert)
// against every key's accesses since the last whole-table write.
struct TableOrder {
  ObjectOrder whole;
  std::vector<std::pair<uint32_t, bool>> keys;  // (index, writes) since the last whole write

  void visit_key(uint32_t i, bool writes, std::vector<uint32_t>& preds) {
    if (whole.last_write >= 0) preds.push_back(static_cast<uint32_t>(whole.last_write));
    if (writes) preds.insert(preds.end(), whole.reads.begin(), whole.reads.end());
    keys.emplace_back(i, writes);
  }

  void visit_whole(uint32_t i, bool writes, std::vector<uint32_t>& preds) {
    for (const auto& [k, w] : keys) {
      if (writes || w) preds.push_back(k);
    }
    whole.visit(i, writes, preds);
    if (writes) keys.clear();
  }
};

}  // namespace

HappensBefore::HappensBefore(const FactLog& log) {
  const size_t n = log.steps.size();
  step_of_.reserve(n);
  edge_start_.reserve(n + 1);
  uint32_t max_step = 0;
  for (const StepRecord& r : log.steps) max_step = std::max(max_step, r.step);
  index_.assign(static_cast<size_t>(max_step) + 1, -1);

  std::unordered_map<int64_t, uint32_t> last_of_actor;
  std::unordered_map<uint64_t, ObjectOrder> objects;
  std::unordered_map<uint32_t, TableOrder> tables;
  std::vector<uint32_t> preds;
  for (uint32_t i = 0; i < n; ++i) {
    const StepFacts f = log.at(i);
    step_of_.push_back(f.step);
    index_[f.step] = i;
    preds.clear();
    if (f.actor >= 0) {
      auto [it, fresh] = last_of_actor.try_emplace(f.actor, i);
      if (!fresh) {
        preds.push_back(it->second);
        it->second = i;
      }
    }
    for (uint32_t s : {f.cause, f.consumed}) {
      if (s != 0 && s < index_.size() && index_[s] >= 0 && static_cast<uint32_t>(index_[s]) < i) {
        preds.push_back(static_cast<uint32_t>(index_[s]));
      }
    }
    for (const Access& a : f.accesses) {
      if (a.object == 0 || object::is_mailbox(a.object)) continue;
      // The virtual time an early timer (timers = "any") moved on orders
      // every timer armed after it; an explanation reads those as races of
      // the timers themselves (a timer that fires, a wait it ends), not as
      // the order of every later step. The search keeps them.
      if ((a.object & object::kTagMask) == object::kClock) continue;
      const uint32_t table = object::table_of(a.object);
      const bool whole = table != 0 && (a.object & object::kTagMask) == object::kTable;
      if (whole) {
        tables[table].visit_whole(i, a.writes, preds);
        continue;
      }
      if (table != 0) tables[table].visit_key(i, a.writes, preds);
      // Others read a process's control state to learn whether it lives
      // (monitor, link, is_alive); its own end does not depend on who looked.
      const bool control = (a.object & object::kTagMask) == object::kProcess;
      objects[a.object].visit(i, a.writes, preds, !control);
    }
    std::sort(preds.begin(), preds.end());
    preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
    edge_start_.push_back(static_cast<uint32_t>(edges_.size()));
    for (uint32_t p : preds) {
      if (p != i) edges_.push_back(p);
    }
  }
  edge_start_.push_back(static_cast<uint32_t>(edges_.size()));
}

int64_t HappensBefore::index_of(uint32_t step) const {
  return step < index_.size() ? index_[step] : -1;
}

std::vector<uint32_t> HappensBefore::direct(uint32_t step) const {
  std::vector<uint32_t> out;
  const int64_t i = index_of(step);
  if (i < 0) return out;
  for (uint32_t e = edge_start_[i]; e < edge_start_[i + 1]; ++e) out.push_back(step_of_[edges_[e]]);
  std::sort(out.begin(), out.end());
  return out;
}

bool HappensBefore::happens_before(uint32_t a, uint32_t b) const {
  const int64_t ia = index_of(a), ib = index_of(b);
  if (ia < 0 || ib < 0 || ia >= ib) return false;
  // Backwards from b; edges only point to earlier steps, so nothing before
  // a can lead to it.
  std::vector<bool> seen(static_cast<size_t>(ib - ia + 1), false);
  std::vector<uint32_t> work = {static_cast<uint32_t>(ib)};
  while (!work.empty()) {
    const uint32_t i = work.back();
    work.pop_back();
    for (uint32_t e = edge_start_[i]; e < edge_start_[i + 1]; ++e) {
      const uint32_t p = edges_[e];
      if (p == ia) return true;
      if (p < ia || seen[p - ia]) continue;
      seen[p - ia] = true;
      work.push_back(p);
    }
  }
  return false;
}

std::vector<uint32_t> HappensBefore::past(const std::vector<uint32_t>& from) const {
  std::vector<bool> keep(step_of_.size(), false);
  std::vector<uint32_t> work;
  for (uint32_t s : from) {
    const int64_t i = index_of(s);
    if (i >= 0 && !keep[i]) {
      keep[i] = true;
      work.push_back(static_cast<uint32_t>(i));
    }
  }
  while (!work.empty()) {
    const uint32_t i = work.back();
    work.pop_back();
    for (uint32_t e = edge_start_[i]; e < edge_start_[i + 1]; ++e) {
      const uint32_t p = edges_[e];
      if (!keep[p]) {
        keep[p] = true;
        work.push_back(p);
      }
    }
  }
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < keep.size(); ++i) {
    if (keep[i]) out.push_back(step_of_[i]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint32_t> causal_slice(const FactLog& log, uint32_t failed_step, bool deadlock) {
  if (log.empty()) return {};
  HappensBefore hb(log);
  std::vector<uint32_t> from;
  const StepRecord* failed = nullptr;
  const StepRecord* before_failed = nullptr;  // the failing process's previous step
  for (const StepRecord& r : log.steps) {
    if (r.step == failed_step) failed = &r;
  }
  if (failed) {
    for (const StepRecord& r : log.steps) {
      if (r.step < failed_step && r.actor == failed->actor) before_failed = &r;
    }
  }
  const bool recorded = failed != nullptr;
  // Every fault injected before the failure is part of its story (what a
  // lost message did not cause leaves no trace in the facts).
  for (const StepRecord& r : log.steps) {
    if (r.event.kind == EventKind::kFault && (!recorded || r.step < failed_step)) from.push_back(r.step);
  }
  if (failed && step_role(failed->kind) == StepRole::kExit) {
    // A process ends because of its own past (the error it raised, the
    // signal that killed it); what its exit writes (names, monitors, links)
    // are effects, so the readers of those are not part of the cause.
    if (before_failed) from.push_back(before_failed->step);
    if (failed->cause) from.push_back(failed->cause);
    std::vector<uint32_t> out = hb.past(from);
    out.insert(std::upper_bound(out.begin(), out.end(), failed_step), failed_step);
    if (!deadlock) return out;
    from.push_back(failed_step);
  } else if (failed) {
    from.push_back(failed_step);
  }
  if (deadlock || !recorded) {
    // Every process's last step: what each blocked process waits on.
    std::unordered_map<int64_t, uint32_t> last;
    for (const StepRecord& r : log.steps) last[r.actor] = r.step;
    for (const auto& [actor, step] : last) from.push_back(step);
  }
  return hb.past(from);
}

}  // namespace lockstep

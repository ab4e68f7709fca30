#include "engine/strategies/dfs_tree.h"

#include <algorithm>

namespace lockstep::dfs {
namespace {

constexpr size_t kHeapOverhead = 16;  // what the allocator adds to a block

// Whether explored sibling t at level k can start a schedule equivalent
// to the run in `exec` from there: nothing from k on happens before its
// step, and what it did when it ran there first does not conflict
// (outside mailboxes, as happens-before judges) with any step from k on
// that does not happen after that step (a step may touch more when it
// runs sooner: a signal to a process that has not yet returned). Both are
// properties of the class, not of the order this run took.
bool starts_from(const Execution& exec, const Level& level, uint32_t k, Thread t, Thread root) {
  const uint32_t x = exec.initial_from(k, t, root);
  if (x == Execution::kNotInitial) return false;
  for (size_t i = level.inherited; i < level.sleep.size(); ++i) {
    const Summary& q = level.sleep[i];
    if (q.thread != t) continue;
    for (uint32_t y = k; y < exec.steps.size(); ++y) {
      if (exec.steps[y].thread == t || exec.happens_before(x, y)) continue;
      if (exec.conflicts_with(q, y)) return false;
    }
    break;
  }
  return true;
}

// Whether explored sibling t at level k has no step from k on and
// commutes with every one of them (and is not optional).
bool could_come_first(const Execution& exec, const Level& level, uint32_t k, Thread t) {
  for (uint32_t x = k; x < exec.steps.size(); ++x) {
    if (exec.steps[x].thread == t) return false;
  }
  for (const Summary& q : level.sleep) {
    if (q.thread != t) continue;
    if (q.opaque || is_fault(q.role) || q.role == StepRole::kTimer) return false;
    for (uint32_t x = k; x < exec.steps.size(); ++x) {
      if (exec.dependent_on(q, x) && !exec.sleeps_through(q, x)) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

bool belongs_here(const Execution& exec, std::span<const Level> levels, size_t end, Thread root, bool failed) {
  for (size_t k = 0; k < end && k < levels.size(); ++k) {
    const Level& level = levels[k];
    if (level.order.size() < 2) continue;
    for (Thread t : level.order) {
      if (t == level.taken) break;
      if (starts_from(exec, level, static_cast<uint32_t>(k), t, root)) return false;
      if (failed && could_come_first(exec, level, static_cast<uint32_t>(k), t)) return false;
    }
  }
  return true;
}

size_t insert(const Execution& exec, std::vector<Branch>& branches, std::vector<uint32_t> v, uint32_t then,
              LastStep last) {
  const uint32_t j = v.back();
  const Thread unknown = last == LastStep::kUnknown ? exec.steps[j].thread : kNoThread;
  const Thread replaced = last == LastStep::kReplaced ? exec.steps[j].thread : kNoThread;
  std::vector<Branch>* at = &branches;
  bool first_level = true;  // its branches are their events' next steps there
  bool tentative = false;   // under a branch of full expansion
  for (;;) {
    Branch* next = nullptr;
    for (Branch& b : *at) {
      if (unknown != kNoThread && (b.event.thread == unknown ? v.size() > 1 : !exec.starts(b.event, v))) continue;
      if (b.event.thread == replaced) {
        if (!exec.replaced_first(v)) continue;
        next = &b;
        break;
      }
      // A branch whose event may disarm the early timer the race begins
      // with (Execution::disarms) leads to no run where it fires after v,
      // unless that event is v's own.
      if (exec.disarms(b.event, then) &&
          std::none_of(v.begin(), v.end(), [&](uint32_t x) { return exec.steps[x].thread == b.event.thread; }))
        continue;
      if (exec.weak_initial(b.event, v, then, first_level)) {
        next = &b;
        break;
      }
    }
    if (!next) break;
    if (next->children.empty()) {
      // A leaf a race added covers it: the run that takes it reverses
      // that race, and the races of that run lead on.
      if (!next->event.opaque) return 0;
      // A branch of full expansion (a fault, a timer, a disabled event,
      // not run yet) leads nowhere by itself: the rest of v goes under it,
      // unless the rest holds faults or timers (a run left alone injects
      // none, and the run under the branch would no longer show the runs
      // without them); then the branch stands for v as before, and the
      // siblings explored before it cover no reversal below it.
      const bool optional_rest = std::any_of(v.begin(), v.end(), [&](uint32_t x) {
        const Step& s = exec.steps[x];
        return s.thread != next->event.thread && (is_fault(s.kind) || s.role == StepRole::kTimer);
      });
      if (optional_rest) {
        next->absorbed = true;
        return 0;
      }
    }
    tentative = tentative || next->event.opaque || next->tentative;
    auto it = std::find_if(v.begin(), v.end(), [&](uint32_t x) { return exec.steps[x].thread == next->event.thread; });
    if (it != v.end()) v.erase(it);
    if (v.empty()) return 0;
    at = &next->children;
    first_level = false;
  }
  // A new chain, the rightmost branch.
  size_t added = 0;
  Branch* parent = nullptr;
  for (uint32_t x : v) {
    std::vector<Branch>& into = parent ? parent->children : *at;
    into.push_back(Branch{exec.summary(x), {}, tentative});
    parent = &into.back();
    parent->event.opaque = exec.steps[x].thread == unknown;
    added += bytes_of(parent->event);
  }
  return added;
}

size_t bytes_of(const Summary& q) {
  return sizeof(Summary) + (q.accesses.capacity() ? q.accesses.capacity() * sizeof(Access) + kHeapOverhead : 0);
}

size_t tree_bytes(const std::vector<Branch>& branches) {
  size_t n = branches.capacity() ? branches.capacity() * sizeof(Branch) + kHeapOverhead : 0;
  for (const Branch& b : branches) n += bytes_of(b.event) - sizeof(Summary) + tree_bytes(b.children);
  return n;
}

size_t level_bytes(const Level& level) {
  size_t n = sizeof(Level) + tree_bytes(level.pending) + level.sleep.capacity() * sizeof(Summary);
  for (const Summary& q : level.sleep) n += bytes_of(q) - sizeof(Summary);
  for (const Pending& p : level.pending_sleepers) n += sizeof(Pending) + bytes_of(p.q) + p.sends.capacity() * sizeof(uint32_t);
  return n;
}

}  // namespace lockstep::dfs

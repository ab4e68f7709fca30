#include "engine/strategies/dfs_execution.h"

#include <algorithm>

namespace lockstep::dfs {

// Whether two steps may not commute, judged from what each did alone (for
// sleep sets and weak initials, where the receives that would tell two
// messages apart may not have run yet): messages to one mailbox do not.
bool dependent(const Summary& a, const Summary& b) {
  return a.thread == b.thread || a.opaque || b.opaque || accesses_conflict(a.accesses, b.accesses);
}

bool meet_only_in_mailbox(std::span<const Access> a, std::span<const Access> b) {
  bool met = false;
  for (const Access& x : a) {
    for (const Access& y : b) {
      if (!object::overlap(x.object, y.object)) continue;
      if (object::is_mailbox(x.object)) met = true;
      else if (conflicts(x, y)) return false;
    }
  }
  return met;
}

bool accesses_conflict(std::span<const Access> a, std::span<const Access> b) {
  for (const Access& x : a) {
    for (const Access& y : b) {
      if (!object::overlap(x.object, y.object)) continue;
      if (object::is_mailbox(x.object) || conflicts(x, y)) return true;
    }
  }
  return false;
}

void Execution::clear() {
  steps.clear();
  accesses.clear();
  observations.clear();
  would_take.clear();
}

Summary Execution::summary(size_t k) const {
  Summary out;
  summary_into(k, out);
  return out;
}

void Execution::summary_into(size_t k, Summary& out) const {
  const Step& s = steps[k];
  out.thread = s.thread;
  out.opaque = false;
  out.beside_expansion = false;
  out.left_others = false;
  out.past_end = false;
  out.waiter = s.waiter;
  out.waiter_pos = s.waiter_pos;
  out.waiter_takes = s.waiter_takes;
  out.role = s.role;
  out.kind = s.kind;
  out.actor = s.actor;
  out.timeout = s.role == StepRole::kTimer && s.poll;
  const auto a = accesses_of(k);
  out.accesses.assign(a.begin(), a.end());
  out.early = s.role == StepRole::kTimer &&
              std::any_of(a.begin(), a.end(), [](const Access& x) { return x.writes && object::is_clock(x.object); });
}

void Execution::analyse() {
  build_dependencies();
  build_clocks();
}

// The direct dependencies of each step: (earlier step index, reversible).
void Execution::build_dependencies() {
  const size_t n = steps.size();
  preds_start_.assign(n + 1, 0);
  preds_.clear();
  std::vector<std::pair<uint32_t, uint32_t>>& observed = observed_;  // (earlier, later) from observations
  observed.clear();
  // Which receives took each step's messages (for the observer rule):
  // those of step s are consumers_[consumers_start_[s] .. consumers_start_[s + 1]).
  consumers_start_.assign(n + 1, 0);
  for (size_t j = 0; j < n; ++j) {
    if (steps[j].consumed) ++consumers_start_[steps[j].consumed];
  }
  for (size_t s = 0; s < n; ++s) consumers_start_[s + 1] += consumers_start_[s];
  consumers_.resize(consumers_start_[n]);
  {
    uint32_t* next = consumers_start_.data();  // filled from the front, then shifted back
    for (size_t j = 0; j < n; ++j) {
      if (steps[j].consumed) consumers_[next[steps[j].consumed - 1]++] = static_cast<uint32_t>(j);
    }
    for (size_t s = n; s > 0; --s) consumers_start_[s] = consumers_start_[s - 1];
    consumers_start_[0] = 0;
  }
  for (const Observation& o : observations) {
    if (o.receive == 0 || o.send == 0 || o.receive > n || o.send > n) continue;
    const uint32_t r = o.receive - 1, s = o.send - 1;
    const Step& recv = steps[r];
    if (recv.consumed) {
      const uint32_t first = recv.consumed - 1;
      if (first >= s) continue;
      bool taken_before = false;  // s's message went to an earlier receive
      for (uint32_t i = consumers_start_[s]; i < consumers_start_[s + 1]; ++i) {
        const uint32_t c = consumers_[i];
        taken_before = taken_before || (steps[c].actor == recv.actor && c < r);
      }
      if (!taken_before) observed.emplace_back(first, s);
    } else if (recv.poll && r < s) {
      observed.emplace_back(r, s);
    }
  }
  std::sort(observed.begin(), observed.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });

  last_of_thread_.assign(lanes.size(), -1);
  objects_.clear();
  states_used_ = 0;
  size_t obs_at = 0;
  for (size_t j = 0; j < n; ++j) {
    const Step& s = steps[j];
    preds_start_[j] = static_cast<uint32_t>(preds_.size());
    if (last_of_thread_[s.lane] >= 0)
      preds_.push_back({static_cast<uint32_t>(last_of_thread_[s.lane]), false});
    last_of_thread_[s.lane] = static_cast<int32_t>(j);
    // An exit another step caused (a kill, a linked process's exit)
    // replaced what the process was about to do: had it run first, it would
    // have done that instead, so the two race (reversed, it runs its own
    // step before the cause; if it was waiting, the branch finds it cannot).
    if (s.cause && s.cause <= j)
      preds_.push_back({s.cause - 1, s.role == StepRole::kExit && steps[s.cause - 1].thread != s.thread});
    if (s.after && s.after <= j) preds_.push_back({s.after - 1, false});  // its channel's message before it
    if (s.released && s.released <= j) preds_.push_back({s.released - 1, false});  // the heal that let it through
    if (s.consumed && s.consumed <= j) preds_.push_back({s.consumed - 1, s.poll});
    while (obs_at < observed.size() && observed[obs_at].second < j) ++obs_at;
    while (obs_at < observed.size() && observed[obs_at].second == j)
      preds_.push_back({observed[obs_at++].first, true});
    for (uint32_t a = s.first_access; a < s.first_access + s.access_count; ++a) {
      const Access& acc = accesses[a];
      if (acc.object == 0 || object::is_mailbox(acc.object)) continue;
      add_access_dependencies(static_cast<uint32_t>(j), acc);
    }
  }
  preds_start_[n] = static_cast<uint32_t>(preds_.size());
}

void Execution::follow(uint32_t j, const std::vector<uint32_t>& earlier) {
  for (uint32_t x : earlier) {
    if (x != j) preds_.push_back({x, true});
  }
}

// Which earlier accesses `acc` of step j must follow, on one object.
void Execution::link(uint32_t j, const Access& acc, const ObjectState& st) {
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
void Execution::add_access_dependencies(uint32_t j, const Access& acc) {
  if (auto it = objects_.find(acc.object); it != objects_.end()) link(j, acc, states_[it->second]);
  const uint32_t table = object::table_of(acc.object);
  if (table) {
    // The other side of the table: keys for a whole-table access, the
    // whole table for a key.
    const bool whole = (acc.object & object::kTagMask) == object::kTable;
    if (whole) {
      for (const auto& [obj, at] : objects_) {
        if (obj != acc.object && object::table_of(obj) == table)
          link(j, {acc.object, acc.writes, 0}, states_[at]);
      }
    } else if (auto it = objects_.find(object::table(table)); it != objects_.end()) {
      link(j, {acc.object, acc.writes, 0}, states_[it->second]);
    }
  }
  const auto [it, added] = objects_.try_emplace(acc.object, states_used_);
  if (added) {
    if (states_used_ == states_.size()) states_.emplace_back();
    ObjectState& fresh = states_[states_used_++];
    fresh.writes.clear();
    fresh.value = 0;
    fresh.before.clear();
    fresh.prior_reads.clear();
    fresh.reads.clear();
  }
  ObjectState& st = states_[it->second];
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
void Execution::build_clocks() {
  const size_t n = steps.size();
  width_ = lanes.size();
  clocks_.assign(n * width_, 0);
  for (size_t j = 0; j < n; ++j) {
    uint32_t* c = &clocks_[j * width_];
    for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p) {
      const uint32_t* d = &clocks_[preds_[p].step * width_];
      for (size_t t = 0; t < width_; ++t) c[t] = std::max(c[t], d[t]);
    }
    c[steps[j].lane] = steps[j].pos;
  }
}

const std::vector<std::pair<uint32_t, uint32_t>>& Execution::races(Thread root) {
  races_.clear();
  analyse();
  const size_t n = steps.size();
  if (n < 2) return races_;
  for (uint32_t j = 0; j < n; ++j) {
    if (steps[j].role == StepRole::kExit && steps[j].thread == root) continue;
    for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p) {
      const auto [i, reversible] = preds_[p];
      if (!reversible || steps[i].thread == steps[j].thread || steps[i].epoch != steps[j].epoch)
        continue;
      // Covered: i happens before another direct dependency of j, or j
      // also depends on i in a way that cannot be reversed (it took i's
      // message, or i caused it, besides touching what i touched).
      bool covered = false;
      for (uint32_t q = preds_start_[j]; q < preds_start_[j + 1] && !covered; ++q) {
        if (preds_[q].step == i ? !preds_[q].reversible : happens_before(i, preds_[q].step))
          covered = true;
      }
      if (!covered) races_.emplace_back(i, j);
    }
  }
  return races_;
}

uint64_t Execution::fingerprint(
    const std::function<uint64_t(uint64_t h, uint32_t step)>& with_choices) const {
  auto identity = [&](uint32_t j) {
    const Step& s = steps[j];
    const uint64_t name = name_hashes && s.thread < name_hashes->size() ? (*name_hashes)[s.thread]
                                                                         : static_cast<uint64_t>(s.thread) << 32;
    return mix64(name ^ s.pos);
  };
  uint64_t fp = 0;
  for (uint32_t j = 0; j < steps.size(); ++j) {
    const Step& s = steps[j];
    // What a step does may depend on the virtual time it runs at (ls.now,
    // a timer's deadline), not on how many times time advanced before it.
    // A fault does not read the time: one placed before an advance or
    // after it, with the same steps before and after it, is one class.
    const uint64_t time = is_fault(s.kind) ? 0 : static_cast<uint64_t>(s.time);
    const uint64_t h = with_choices(identity(j) ^ mix64((static_cast<uint64_t>(s.kind) << 40) ^ mix64(time)), j);
    uint64_t preds = 0;
    if (j + 1 < preds_start_.size()) {
      for (uint32_t p = preds_start_[j]; p < preds_start_[j + 1]; ++p)
        preds += identity(preds_[p].step);
    }
    fp += mix64(h ^ mix64(preds));
  }
  return fp;
}

namespace {
// Nodes: whether one is up, whether a cut holds what crosses between two.
bool network(uint64_t object) {
  const uint64_t tag = object & object::kTagMask;
  return tag == object::kNode || tag == object::kReach;
}
bool changes_nodes(std::span<const Access> accesses) {
  return std::any_of(accesses.begin(), accesses.end(), [](const Access& a) { return a.writes && network(a.object); });
}
bool touches_nodes(const Summary& s) {
  return std::any_of(s.accesses.begin(), s.accesses.end(), [](const Access& a) { return network(a.object); });
}
// Whether u, a step of another process, ends (writes the control state
// of) a process whose mailbox `accesses` write. (A process's own steps
// write its control state too: they are no signal.)
bool ends_a_recipient(const Summary& u, std::span<const Access> accesses) {
  for (const Access& a : accesses) {
    if (!a.writes || !object::is_mailbox(a.object)) continue;
    const auto pid = static_cast<uint32_t>(a.object & ~object::kTagMask);
    if (u.actor == static_cast<int64_t>(pid)) continue;
    const uint64_t process = object::process(pid);
    for (const Access& b : u.accesses) {
      if (b.writes && b.object == process) return true;
    }
  }
  return false;
}
}  // namespace

bool Execution::weak_initial(const Summary& u, const std::vector<uint32_t>& v, uint32_t then, bool next_of_event,
                             bool timer_fires) const {
  const uint64_t u_mask = access_mask(u.accesses);
  for (uint32_t x : v) {
    if (steps[x].thread == u.thread) return initial(v, x);
  }
  // A fault or a timer is optional: a run may end without it (a timer may
  // be cancelled), so one that is not in v starts no continuation of v
  // that does without it. But a timer due while the root waits for a later
  // one fires in every run that goes on from here, unless a step it
  // depends on disables it (a cancel, its owner's end, a message its
  // receive takes, a crash: each touches what its firing does), and v
  // holds none of those if u is independent of all of v below.
  if (is_fault(u.role)) return false;
  if (u.role == StepRole::kTimer) {
    if (!timer_fires) return false;
    for (uint32_t x : v) {
      if (changes_nodes(accesses_of(x))) return false;
    }
  }
  for (uint32_t x : v) {
    if (dependent_on(u, u_mask, x) && !(next_of_event && (send_passes(u, x, then) || commutes_in_mailbox(u, x))))
      return false;
  }
  // Nor one that kills (or signals an exit to) the process of `then`: had
  // it come first, `then` would not run, and no race of its runs would
  // put v before it.
  if (steps[then].actor >= 0 && u.actor != steps[then].actor) {
    const uint64_t process = object::process(static_cast<uint32_t>(steps[then].actor));
    for (const Access& a : u.accesses) {
      if (a.writes && a.object == process) return false;
    }
  }
  // Nor one that ends a process that `then` or v sends to: the two sends
  // commute with it (a message to an ended process is dropped, as it would
  // have been thrown away with the mailbox), but it disables the receives
  // that take them, which are what makes two sends to one mailbox race;
  // under u the messages are dropped and no race puts them in v's order
  // (tests/dfs/kill_observer.lua).
  if (ends_a_recipient(u, accesses_of(then))) return false;
  for (uint32_t x : v) {
    if (ends_a_recipient(u, accesses_of(x))) return false;
  }
  // An event stays enabled until it runs, unless a step that changes nodes
  // disables it (a partition holds a message in flight). A u that touches
  // nodes may, had it come first, have disabled or been disabled by what
  // the schedules it is to stand for run (a delivery, a partition after
  // v), and no race under u shows them, as the disabled event never runs
  // there; and a `then` that changes nodes may disable u. A process's send
  // to another node is the exception: it only reads whether the nodes are
  // up and reach each other, disables nothing (its message is an event of
  // its own), and no step disables it that does not also write what it
  // reads (a crash or stop of its node, a cut), which wakes it.
  if (touches_nodes(u) && !(u.kind == StepKind::kSend && !changes_nodes(u.accesses))) return false;
  if (changes_nodes(accesses_of(then))) return !dependent_on(u, u_mask, then);
  return true;
}

// Whether receive u (its event's next step in the state before `then`)
// and send x commute as sleep sets judge them: they meet only in u's
// mailbox, and when x ran, u was still pending and would not take x's
// message (its pattern does not take it, or it takes one queued before).
bool Execution::send_passes(const Summary& u, uint32_t x, uint32_t then) const {
  if (u.role != StepRole::kReceive || u.opaque || steps[x].role != StepRole::kSend || !steps[x].passes_receive) return false;
  for (uint32_t y = then; y < x; ++y) {
    if (steps[y].thread == u.thread) return false;
  }
  bool met = false;
  for (uint32_t a = steps[x].first_access; a < steps[x].first_access + steps[x].access_count; ++a) {
    for (const Access& b : u.accesses) {
      if (!object::overlap(accesses[a].object, b.object)) continue;
      if (!object::is_mailbox(b.object)) return false;
      met = true;
    }
  }
  return met;
}

// Whether sleeper u stays asleep through step x where they meet in a
// mailbox, as the search judged it when x ran: u a send and x a receive
// that took a message (u's would queue behind it: dfs.cc,
// receive_passes_over()), or commutes_in_mailbox().
bool Execution::sleeps_through(const Summary& u, uint32_t x) const {
  const Step& s = steps[x];
  if (u.opaque || u.thread == s.thread) return false;
  if (s.role == StepRole::kReceive && s.consumed != 0 && u.role == StepRole::kSend)
    return meet_only_in_mailbox(u.accesses, accesses_of(x));
  return commutes_in_mailbox(u, x);
}

// Whether u and step x, meeting in a mailbox, commute as sleep sets judge
// them (dfs_sleep.h): one_taken_by_waiting_receive() or flush_passes_send()
// on x's record.
bool Execution::commutes_in_mailbox(const Summary& u, uint32_t x) const {
  const Step& s = steps[x];
  if (u.opaque || u.thread == s.thread) return false;
  return (one_taken_by_waiter(u, s) || flush_beside_send(u, s)) && meet_only_in_mailbox(u.accesses, accesses_of(x));
}

// Whether receive r would not have taken the message of send u (asleep at
// the state before `then`): u's event had not run since, so what it was
// about to send when r ran is u's message, which r's pattern was tried on.
bool Execution::passes_over(uint32_t r, const Summary& u, uint32_t then) const {
  for (uint32_t y = then; y < r; ++y) {
    if (steps[y].thread == u.thread) return false;
  }
  return std::find(would_take.begin(), would_take.end(), std::make_pair(r, u.thread)) == would_take.end();
}

// Whether step x touches mailbox object `mailbox` (with `writing`: writes it).
bool Execution::touches_mailbox(uint32_t x, uint64_t mailbox, bool writing) const {
  for (uint32_t a = steps[x].first_access; a < steps[x].first_access + steps[x].access_count; ++a) {
    if ((accesses[a].writes || !writing) && object::overlap(accesses[a].object, mailbox)) return true;
  }
  return false;
}

// Whether send u, whose step is in v, has its message taken by the next
// receive of the mailbox's owner in every run that extends v from the
// state before `then`: that receive (the owner's next step from there,
// not in v, waiting without a timeout) took, in this run, a message sent
// from `then` on, so nothing queued before `then` matched its pattern;
// nothing in v puts a message there before u does; and its pattern takes
// u's message (u was still to be sent when it ran, and the pattern did not
// raise on it). A message queued before `then` then stays queued until a
// later receive, which can never see u's beside it.
bool Execution::taken_first(const Summary& u, const std::vector<uint32_t>& v, uint32_t then) const {
  if (u.role != StepRole::kSend) return false;
  const auto at = std::find_if(v.begin(), v.end(), [&](uint32_t x) { return steps[x].thread == u.thread; });
  if (at == v.end()) return false;
  const uint32_t y = *at;
  uint64_t mailbox = 0;
  for (uint32_t a = steps[y].first_access; a < steps[y].first_access + steps[y].access_count; ++a) {
    if (!accesses[a].writes || !object::is_mailbox(accesses[a].object)) continue;
    if (mailbox != 0) return false;
    mailbox = accesses[a].object;
  }
  if (mailbox == 0) return false;
  for (auto it = v.begin(); it != at; ++it) {
    if (touches_mailbox(*it, mailbox, true)) return false;
  }
  uint32_t r = then + 1;
  while (r < steps.size() && !(steps[r].role == StepRole::kReceive && touches_mailbox(r, mailbox, false))) ++r;
  if (r >= steps.size() || y < r) return false;
  for (uint32_t x = then; x < r; ++x) {
    if (steps[x].thread == steps[r].thread || steps[x].thread == u.thread) return false;
  }
  if (std::find(v.begin(), v.end(), r) != v.end()) return false;
  const Step& receive = steps[r];
  if (receive.consumed == 0 || receive.consumed - 1 < then || receive.poll || receive.timed || receive.takes_raised)
    return false;
  return std::find(would_take.begin(), would_take.end(), std::make_pair(r, u.thread)) != would_take.end();
}

bool Execution::commutes_with_sends(const Summary& u, const std::vector<uint32_t>& sends, const std::vector<uint32_t>& v,
                                    uint32_t then) const {
  int first = -1;  // taken_first(), once asked
  for (uint32_t send : sends) {
    auto it = std::find_if(v.begin(), v.end(), [&](uint32_t y) {
      return steps[y].role == StepRole::kReceive && steps[y].consumed == send;
    });
    if (it != v.end() && passes_over(*it, u, then)) continue;
    if (first < 0) first = taken_first(u, v, then) ? 1 : 0;
    if (first == 0) return false;
  }
  return true;
}

bool Execution::kills(uint32_t then, const Summary& u) const {
  if (u.actor < 0) return false;
  const uint64_t process = object::process(static_cast<uint32_t>(u.actor));
  for (const Access& a : accesses_of(then)) {
    if (a.writes && a.object == process && steps[then].actor != u.actor) return true;
  }
  return false;
}

bool Execution::disarms(const Summary& u, uint32_t fired) const {
  const Step& t = steps[fired];
  if (t.role != StepRole::kTimer) return false;
  // Only a timer that fired early (it moved the clock): one that fired
  // once time reached it could not have fired before the steps it races
  // with, where a free run would not reach it either.
  const auto a = accesses_of(fired);
  if (std::none_of(a.begin(), a.end(), [](const Access& x) { return x.writes && object::is_clock(x.object); })) return false;
  const uint64_t owner = t.actor >= 0 ? object::process(static_cast<uint32_t>(t.actor)) : 0;
  const uint64_t mailbox = t.actor >= 0 && t.poll ? object::mailbox(static_cast<uint32_t>(t.actor)) : 0;
  for (const Access& b : u.accesses) {
    if (!b.writes) continue;
    if (b.object == mailbox || (b.object == owner && u.actor != t.actor)) return true;
    for (const Access& x : a) {
      if ((x.object & object::kTagMask) == object::kTimer && b.object == x.object) return true;
    }
  }
  return false;
}

bool Execution::starts(const Summary& u, const std::vector<uint32_t>& v) const {
  for (uint32_t x : v) {
    if (steps[x].thread == u.thread) return initial(v, x);
  }
  return false;
}

bool Execution::initial(const std::vector<uint32_t>& v, uint32_t x) const {
  for (uint32_t y : v) {
    if (y == x) return true;
    if (happens_before(y, x)) return false;
  }
  return true;
}

uint32_t Execution::initial_from(uint32_t k, Thread t, Thread root) const {
  uint32_t x = k;
  while (x < steps.size() && steps[x].thread != t) ++x;
  if (x == steps.size() || steps[x].epoch != steps[k].epoch) return kNotInitial;
  if (t == root && steps[x].role == StepRole::kExit) return x == k ? x : kNotInitial;
  for (uint32_t y = k; y < x; ++y) {
    if (happens_before(y, x)) return kNotInitial;
  }
  return x;
}

bool Execution::replaced_first(const std::vector<uint32_t>& v) const {
  const uint32_t j = v.back();
  const bool receives = steps[j].role == StepRole::kReceive;
  for (size_t k = 0; k + 1 < v.size(); ++k) {
    for (const Access& x : accesses_of(j)) {
      for (const Access& y : accesses_of(v[k])) {
        if (!object::overlap(x.object, y.object)) continue;
        if (object::is_mailbox(x.object) ? receives && y.writes : conflicts(x, y)) return false;
      }
    }
  }
  return true;
}

bool Execution::conflicts_with(const Summary& u, uint32_t y) const {
  const Step& s = steps[y];
  if (u.thread == s.thread || u.opaque) return true;
  for (const Access& x : u.accesses) {
    if (x.object == 0 || object::is_mailbox(x.object)) continue;
    for (uint32_t a = s.first_access; a < s.first_access + s.access_count; ++a) {
      const Access& b = accesses[a];
      if (object::overlap(x.object, b.object) && conflicts(x, b)) return true;
    }
  }
  return false;
}

}  // namespace lockstep::dfs

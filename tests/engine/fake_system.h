// A System for engine tests: each process is a fixed list of steps; a
// process is enabled while it has steps left. Records the order in which
// steps ran, so tests can assert on interleavings.
//
// Messages: a kSend step with `to` >= 0 puts `tag` in that process's
// mailbox; a kReceive step waits for the first message whose tag it
// accepts (any, if `accept` is empty) and takes it (a kReceive step with
// an object is a plain access to it); a poll (`poll`) does not wait: with
// no such message it takes nothing. With observing on, it reports which
// receives' patterns match which messages, and a poll that took nothing
// which processes' next step sends it a message it would take, as the VM
// does.
//
// The root: with `root_ends_run_`, a kExit step of process 0 ends the run
// at once, whatever else could still run (as the VM ends an iteration when
// the root returns). A kExit step (fake_exit()) ends its process: it
// writes its mailbox, whose messages are gone, and a message sent to it
// afterwards is lost (as the VM's end of a process).
//
// Messages in flight: a kSend step with `remote` puts its message in
// flight (as a send between nodes does): the send creates a delivery event
// (EventKind::kDelivery) whose step, caused by the send, puts the tag in
// the mailbox. Messages from one process to another arrive in the order
// sent (only a channel's head can be delivered), as the VM's network does
// unless it may reorder (`reorder_`).
//
// A partition (fake_partition()): from its step on, every message in
// flight stays there for good (its delivery is never offered again), as a
// partition between all nodes that never heals holds them. It writes the
// network (object::node(1)), which every delivery and remote send reads.
//
// Faults: with a kill budget, "kill p" is offered (after every process's
// event, while something else can run, as the VM offers faults) for each
// process in `killable_` that has steps left; taking it ends p there. Each
// step of a process reads its control state, which the kill writes (as in
// the VM, where a kill races with everything its victim does). With a drop
// budget, "drop m" is offered beside the delivery of each message m that
// could be delivered now (a fault of its own, as the VM offers it): taking
// it loses m, which touches what m's delivery would (its recipient's
// mailbox) and lets the next message of its channel through.
//
// Timers and virtual time, as the VM keeps them under timers = "quiescent":
// a kSleep step (fake_sleep(d)) waits d ms, and a receive with a timeout
// (fake_timed_receive(accept, d)) waits at most d ms for a message it
// takes. The step before it arms the timer (a receive's only if no message
// it takes is queued then), which becomes an event (EventKind::kTimer)
// once virtual time reaches its deadline; time moves on to the next
// deadline only when nothing can run (advance_time()). A sleep's timer
// firing lets the sleep step run; a receive's timer firing (a poll's
// commitment to "nothing came": it writes the owner's mailbox) makes the
// receive return nothing, and a message the receive takes before it fires
// disarms it. A process's first step is never one that waits.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/system.h"

namespace lockstep::testing {

struct FakeStep {
  StepKind kind = StepKind::kSend;
  uint64_t object = 0;
  bool writes = true;
  int to = -1;              // kSend: the receiving process
  int tag = 0;              // kSend: the message
  std::vector<int> accept;  // kReceive: tags it takes (empty: any)
  uint64_t value = 0;       // a write: what it stores (equal writes commute; 0: unknown)
  bool poll = false;        // kReceive: returns at once, with nothing if no message matches
  bool remote = false;      // kSend: in flight until a delivery event puts it in the mailbox
  int64_t wait = 0;         // kSleep: how long; kReceive: its timeout (0: none)
  // A wrong footprint, for tests of the checks that catch one: the step
  // touches `object` only when no step touched it before (its footprint
  // depends on the order steps ran in).
  bool only_first = false;
};

inline FakeStep fake_send(int to, int tag) { return {StepKind::kSend, 0, true, to, tag, {}}; }
inline FakeStep fake_receive(std::vector<int> accept = {}) { return {StepKind::kReceive, 0, true, -1, 0, std::move(accept)}; }
inline FakeStep fake_poll(std::vector<int> accept = {}) {
  FakeStep s = fake_receive(std::move(accept));
  s.poll = true;
  return s;
}
inline FakeStep fake_remote_send(int to, int tag) {
  FakeStep s = fake_send(to, tag);
  s.remote = true;
  return s;
}
inline FakeStep fake_sleep(int64_t ms) {
  FakeStep s{StepKind::kSleep, 0, false, -1, 0, {}};
  s.wait = ms;
  return s;
}
inline FakeStep fake_timed_receive(std::vector<int> accept, int64_t ms) {
  FakeStep s = fake_receive(std::move(accept));
  s.wait = ms;
  return s;
}
inline FakeStep fake_exit() { return {StepKind::kExit, 0, true, -1, 0, {}}; }
inline FakeStep fake_partition() { return {StepKind::kPartition, object::node(1), true, -1, 0, {}}; }

class FakeSystem final : public System {
 public:
  explicit FakeSystem(std::vector<std::vector<FakeStep>> processes, std::vector<size_t> starts_after = {})
      : starts_after_(std::move(starts_after)), procs_(std::make_shared<const std::vector<std::vector<FakeStep>>>(std::move(processes))) {
    next_.assign(procs_->size(), 0);
    mailboxes_.assign(procs_->size(), {});
    patterns_.assign(procs_->size(), {});
    timer_of_.assign(procs_->size(), 0);
    woken_.assign(procs_->size(), false);
    ended_.assign(procs_->size(), false);
    timed_out_.assign(procs_->size(), false);
    refresh();
  }

  std::span<const Op> enabled() override { return enabled_; }
  bool advance_time() override {
    int64_t next = INT64_MAX;
    for (const FakeTimer& t : timers_) {
      if (t.armed && t.deadline > now_) next = std::min(next, t.deadline);
    }
    if (next == INT64_MAX || over_) return false;
    now_ = next;
    refresh();
    return true;
  }
  int64_t now() const override { return now_; }
  bool root_waits_for_time() const override {
    const uint32_t t = sleeping_on(0);
    return t != 0 && timers_[t - 1].deadline > now_;
  }
  std::optional<EventKey> roots_due_timer() const override {
    const uint32_t t = sleeping_on(0);
    if (t == 0 || timers_[t - 1].deadline > now_) return std::nullopt;
    return EventKey::timer(t);
  }

  StepResult step(const Op& op, ChoiceSource& choices) override {
    const uint32_t pid = op.key.id;
    const uint32_t step_no = static_cast<uint32_t>(log_.size() + 1);
    accesses_.clear();
    observations_.clear();
    would_take_.clear();
    passed_.clear();
    woke_.clear();
    still_waiting_.clear();
    created_.clear();
    StepResult r;
    if (op.key.kind == EventKind::kDelivery) {
      Flight& f = flights_[pid];
      f.live = false;
      f.step = step_no;
      r.facts.after = channel_turn(pid);
      log_.push_back({kDelivered, false});
      delivered_.push_back(pid);
      accesses_.push_back({object::mailbox(static_cast<uint32_t>(f.to)), true});
      accesses_.push_back({object::node(1), false});
      r.facts.passes_receive = passes_receive(f.to, f.tag);
      enqueue(f.to, f.tag, step_no);
      r.facts.cause = f.send;
      refresh();
      r.finished = over_ || (enabled_.empty() && !deadlock_when_done_ && !timers_pending());
      r.facts.accesses = accesses_;
      r.facts.observations = observations_;
      r.facts.passed = passed_;
      r.facts.woke = woke_;
      r.facts.still_waiting = still_waiting_;
      return r;
    }
    if (op.key.kind == EventKind::kTimer) {
      FakeTimer& t = timers_[pid - 1];
      const auto owner = t.owner;
      t.armed = false;
      timer_of_[owner] = 0;
      log_.push_back({kTimerFired, false});
      fired_.push_back({owner, next_[owner], t.receive});
      r.facts.actor = owner;
      r.facts.cause = t.armed_step;
      if (t.receive) {
        accesses_.push_back({object::mailbox(owner), true});
        timed_out_[owner] = true;
        r.facts.poll = true;  // the receive commits to "nothing came" here
        if (observing_) patterns_[owner].push_back({step_no, (*procs_)[owner][next_[owner]].accept});
      } else {
        accesses_.push_back({object::timer(pid), true});
        woken_[owner] = true;
      }
      accesses_.push_back({object::process(owner), false});
      wake_cause_.resize(procs_->size(), 0);
      wake_cause_[owner] = step_no;
      refresh();
      r.finished = over_ || (enabled_.empty() && !deadlock_when_done_ && !timers_pending());
      r.facts.accesses = accesses_;
      return r;
    }
    if (op.key.kind == EventKind::kFault && pid >= kDropFault) {
      Flight& f = flights_[pid - kDropFault];
      f.live = false;
      f.step = step_no;
      r.facts.after = channel_turn(pid - kDropFault);
      r.facts.cause = f.send;
      log_.push_back({kDropped, false});
      --drop_budget_;
      accesses_.push_back({object::mailbox(static_cast<uint32_t>(f.to)), true});
      accesses_.push_back({object::node(1), false});
      refresh();
      r.finished = over_ || (enabled_.empty() && !deadlock_when_done_ && !timers_pending());
      r.facts.accesses = accesses_;
      return r;
    }
    if (op.key.kind == EventKind::kFault) {
      log_.push_back({pid, true});
      kills_.push_back({pid, next_[pid]});
      --kill_budget_;
      next_[pid] = (*procs_)[pid].size();
      if (timer_of_[pid]) timers_[timer_of_[pid] - 1].armed = false, timer_of_[pid] = 0;
      accesses_.push_back({object::process(pid), true});
      refresh();
      r.finished = enabled_.empty() && !deadlock_when_done_ && !timers_pending();
      r.facts.accesses = accesses_;
      return r;
    }
    log_.push_back({pid, false});
    order_.push_back(pid);
    const FakeStep& ran = (*procs_)[pid][next_[pid]];
    if (next_[pid] == 0 && pid < spawned_at_.size()) r.facts.cause = spawned_at_[pid];
    if (pid < wake_cause_.size() && wake_cause_[pid]) r.facts.cause = std::exchange(wake_cause_[pid], 0);
    accesses_.push_back({object::process(pid), false});
    if (ran.kind == StepKind::kSend && ran.to >= 0 && ran.remote) {
      accesses_.push_back({object::node(1), false});  // as a send between nodes reads them
      created_.push_back({EventKind::kDelivery, static_cast<uint32_t>(flights_.size())});
      flights_.push_back({pid, ran.to, ran.tag, step_no, 0, true});
    } else if (ran.kind == StepKind::kSend && ran.to >= 0) {
      accesses_.push_back({object::mailbox(static_cast<uint32_t>(ran.to)), true});
      r.facts.passes_receive = passes_receive(ran.to, ran.tag);
      enqueue(ran.to, ran.tag, step_no);
    } else if (ran.kind == StepKind::kReceive && ran.object == 0) {
      accesses_.push_back({object::mailbox(pid), true});
      auto& box = mailboxes_[pid];
      // A receive whose timer fired returns nothing, whatever came since.
      const bool timed_out = timed_out_[pid];
      timed_out_[pid] = false;
      const size_t at = timed_out ? box.size() : first_match(pid, ran.accept);
      r.facts.poll = ran.poll;
      r.facts.timed = ran.wait > 0;
      if (at < box.size()) {
        r.facts.consumed = box[at].second;
        received_.push_back(box[at].first);
        took_.push_back({step_no, box[at].second});
        for (size_t i = at + 1; observing_ && i < box.size(); ++i) {
          if (takes(ran.accept, box[i].first)) observations_.push_back({step_no, box[i].second});
        }
        box.erase(box.begin() + static_cast<ptrdiff_t>(at));
      } else {  // a poll that found nothing
        received_.push_back(-1);
      }
      // The processes about to send here a message its pattern takes (for
      // one that took a message: had it come before the one taken).
      for (uint32_t q = 0; observing_ && q < procs_->size(); ++q) {
        if (q == pid || next_[q] >= (*procs_)[q].size() || (q < starts_after_.size() && next_[0] < starts_after_[q]))
          continue;
        const FakeStep& s = (*procs_)[q][next_[q]];
        if (s.kind == StepKind::kSend && !s.remote && s.to == static_cast<int>(pid) && takes(ran.accept, s.tag))
          would_take_.push_back(EventKey::process(q));
      }
      for (const Op& o : enabled_) {  // and the messages in flight to it that can be delivered now
        if (observing_ && o.key.kind == EventKind::kDelivery && flights_[o.key.id].to == static_cast<int>(pid) &&
            takes(ran.accept, flights_[o.key.id].tag))
          would_take_.push_back(o.key);
      }
      // (A receive its timer ended committed to "nothing came" there.)
      if (observing_ && !timed_out) patterns_[pid].push_back({step_no, ran.accept});
    } else if (ran.kind == StepKind::kSleep) {
      woken_[pid] = false;
    } else if (ran.kind == StepKind::kExit) {
      if (!getenv("NOEXITBOX")) accesses_.push_back({object::mailbox(pid), true});  // its queued messages are gone
      mailboxes_[pid].clear();
      ended_[pid] = true;
    } else if (ran.object != 0) {
      const bool first = std::find(touched_.begin(), touched_.end(), ran.object) == touched_.end();
      if (first) touched_.push_back(ran.object);
      if (!ran.only_first || first) accesses_.push_back({ran.object, ran.writes, ran.value});
      if (ran.kind == StepKind::kPartition) cut_ = true;
    }
    ++next_[pid];
    if (pid == 0) {  // the processes this step started were caused by it
      for (size_t p = 1; p < starts_after_.size(); ++p) {
        if (starts_after_[p] == next_[0]) {
          if (spawned_at_.size() <= p) spawned_at_.resize(p + 1, 0);
          spawned_at_[p] = step_no;
        }
      }
    }
    if (ran.kind == StepKind::kExit && pid == 0 && root_ends_run_) over_ = true;
    if (choose_per_step_) chosen_.push_back(choices.choose(choose_per_step_));
    arm_if_waiting(pid, step_no);
    refresh();
    if (fails_ && fails_(order_)) {
      r.failure.kind = FailureKind::kAssertion;
      r.failure.message = "bad interleaving";
    }
    r.finished = over_ || (enabled_.empty() && !deadlock_when_done_ && !timers_pending());
    if (hot_) {
      r.monitors = 1;
      r.hot = hot_(order_) ? 1 : 0;
    }
    r.facts.actor = pid;
    r.facts.accesses = accesses_;
    r.facts.observations = observations_;
    r.facts.would_take = would_take_;
    r.facts.passed = passed_;
    r.facts.woke = woke_;
    r.facts.still_waiting = still_waiting_;
    r.facts.created = created_;
    return r;
  }

  Failure deadlock() override {
    Failure f;
    f.kind = FailureKind::kDeadlock;
    f.message = "fake deadlock";
    return f;
  }
  void set_event_sink(EventSink*) override {}
  void set_observing(bool on) override { observing_ = on; }

  // The failure predicate sees the pids in the order their steps ran.
  std::function<bool(const std::vector<uint32_t>&)> fails_;
  // Process p runs only once process 0 has taken starts_after_[p] steps
  // (as if P0 spawned it then: its first step names that step its cause).
  std::vector<size_t> starts_after_;
  // One liveness monitor, hot after a step when this says so.
  std::function<bool(const std::vector<uint32_t>&)> hot_;
  bool deadlock_when_done_ = false;
  bool root_ends_run_ = false;
  uint64_t choose_per_step_ = 0;  // if > 0, each step makes a choice in [0, n)
  std::vector<uint32_t> order_;
  std::vector<uint64_t> touched_;  // the objects plain steps touched (FakeStep::only_first)
  std::vector<uint64_t> chosen_;
  std::vector<int> received_;  // per receive, in order: the tag of the message it took
  std::vector<std::pair<uint32_t, uint32_t>> took_;  // per receive: (its step, the sending step)
  void set_starts_after(std::vector<size_t> starts_after) {
    starts_after_ = std::move(starts_after);
    refresh();
  }
  void set_kills(int budget, std::vector<uint32_t> killable) {
    kill_budget_ = budget;
    killable_ = std::move(killable);
    refresh();
  }
  int kill_budget_ = 0;
  std::vector<uint32_t> killable_;
  std::vector<std::pair<uint32_t, size_t>> kills_;  // (victim, its steps run before the kill)
  std::vector<std::pair<uint32_t, bool>> log_;      // per step: (pid, a kill); a delivery is kDelivered
  static constexpr uint32_t kDelivered = UINT32_MAX;
  static constexpr uint32_t kDropped = UINT32_MAX - 1;  // in log_: a drop
  static constexpr uint32_t kDropFault = 1u << 20;     // fault ids from here on: drop flight id - kDropFault
  int drop_budget_ = 0;
  // A message in flight: its sending step, and the step that delivered it (0: not yet).
  struct Flight {
    uint32_t from = 0;
    int to = 0;
    int tag = 0;
    uint32_t send = 0;
    uint32_t step = 0;
    bool live = false;
  };
  std::vector<Flight> flights_;
  std::vector<uint32_t> delivered_;  // per delivery step, in order: which flight
  static constexpr uint32_t kTimerFired = UINT32_MAX - 2;  // in log_: a timer fired
  struct Fired {
    uint32_t owner = 0;
    size_t at = 0;       // the owner's step it let run (index in its process)
    bool receive = false;  // a receive's timeout (else a sleep's end)
  };
  std::vector<Fired> fired_;  // per timer step, in order
  bool reorder_ = false;  // messages in flight may overtake each other

 private:
  // First in, first out: a delivery (or drop) of flight `id` follows the
  // delivery or drop of the one before it on its channel (0: none).
  uint32_t channel_turn(uint32_t id) const {
    if (reorder_) return 0;
    for (uint32_t e = id; e-- > 0;) {
      if (flights_[e].from == flights_[id].from && flights_[e].to == flights_[id].to) return flights_[e].step;
    }
    return 0;
  }
  static bool takes(const std::vector<int>& accept, int tag) {
    return accept.empty() || std::find(accept.begin(), accept.end(), tag) != accept.end();
  }
  void enqueue(int to, int tag, uint32_t step_no) {
    if (observing_) {
      for (const auto& [receive, accept] : patterns_[to]) {
        if (takes(accept, tag)) observations_.push_back({receive, step_no});
      }
    }
    if (ended_[static_cast<size_t>(to)]) return;  // a message to a process that has ended is lost
    mailboxes_[to].push_back({tag, step_no});
    const auto p = static_cast<uint32_t>(to);
    if (timer_of_[p] && timers_[timer_of_[p] - 1].receive && takes((*procs_)[p][next_[p]].accept, tag)) {
      timers_[timer_of_[p] - 1].armed = false;  // the receive takes it: its timeout is off
      timer_of_[p] = 0;
    }
  }
  // After process p's step: if its next step waits (a sleep, a receive
  // with a timeout and nothing it takes queued), this step armed its timer.
  void arm_if_waiting(uint32_t p, uint32_t step_no) {
    if (over_ || next_[p] >= (*procs_)[p].size()) return;
    const FakeStep& s = (*procs_)[p][next_[p]];
    const bool receive = s.kind == StepKind::kReceive && s.object == 0 && !s.poll;
    if (s.wait <= 0 || (s.kind != StepKind::kSleep && !receive)) return;
    if (receive && first_match(p, s.accept) < mailboxes_[p].size()) return;
    timers_.push_back({p, now_ + s.wait, receive, true, step_no});
    timer_of_[p] = static_cast<uint32_t>(timers_.size());
    created_.push_back(EventKey::timer(timer_of_[p]));
  }
  // The timer process p sleeps on (1-based), or 0.
  uint32_t sleeping_on(uint32_t p) const {
    if (next_[p] >= (*procs_)[p].size() || (*procs_)[p][next_[p]].kind != StepKind::kSleep || !timer_of_[p]) return 0;
    return timer_of_[p];
  }
  bool timers_pending() const {
    return std::any_of(timers_.begin(), timers_.end(), [](const FakeTimer& t) { return t.armed; });
  }
  // Whether a message `tag` queued for `to` now would not be taken by the
  // receive `to` is about to do (as the VM reports it; then in passed_).
  bool passes_receive(int to, int tag) {
    const auto p = static_cast<uint32_t>(to);
    if (!observing_ || next_[p] >= (*procs_)[p].size() || (*procs_)[p][next_[p]].kind != StepKind::kReceive ||
        (*procs_)[p][next_[p]].object != 0)
      return false;
    if (timed_out_[p]) return false;
    const std::vector<int>& accept = (*procs_)[p][next_[p]].accept;
    if (first_match(p, accept) == mailboxes_[p].size()) (takes(accept, tag) ? woke_ : still_waiting_).assign(1, p);
    const bool passes = first_match(p, accept) < mailboxes_[p].size() || !takes(accept, tag);
    if (passes) passed_.assign(1, p);
    return passes;
  }
  size_t first_match(uint32_t pid, const std::vector<int>& accept) const {
    const auto& box = mailboxes_[pid];
    for (size_t i = 0; i < box.size(); ++i) {
      if (takes(accept, box[i].first)) return i;
    }
    return box.size();
  }

  void refresh() {
    enabled_.clear();
    if (over_) return;
    for (uint32_t p = 0; p < procs_->size(); ++p) {
      if (p < starts_after_.size() && next_[0] < starts_after_[p]) continue;  // not spawned yet
      if (next_[p] < (*procs_)[p].size()) {
        const FakeStep& s = (*procs_)[p][next_[p]];
        const bool receive = s.kind == StepKind::kReceive && s.object == 0;
        if (receive && !s.poll && !timed_out_[p] && first_match(p, s.accept) == mailboxes_[p].size()) continue;
        if (s.kind == StepKind::kSleep && !woken_[p]) continue;
        const uint64_t object = receive ? object::mailbox(p)
                                : s.to >= 0 ? object::mailbox(static_cast<uint32_t>(s.to))
                                            : s.object;
        enabled_.push_back({.key = EventKey::process(p), .step = s.kind, .writes = s.writes, .object = object, .value = s.value});
      }
    }
    for (uint32_t id = 0; id < flights_.size() && !cut_; ++id) {
      const Flight& f = flights_[id];
      if (!f.live) continue;
      bool head = true;  // no earlier message of its channel still in flight
      for (uint32_t e = 0; e < id && head && !reorder_; ++e)
        head = !(flights_[e].live && flights_[e].from == f.from && flights_[e].to == f.to);
      if (head) {
        enabled_.push_back({.key = {EventKind::kDelivery, id}, .step = StepKind::kDeliver, .writes = true,
                            .object = object::mailbox(static_cast<uint32_t>(f.to))});
      }
    }
    for (uint32_t id = 1; id <= timers_.size(); ++id) {  // the timers due
      const FakeTimer& t = timers_[id - 1];
      if (t.armed && t.deadline <= now_)
        enabled_.push_back({.key = EventKey::timer(id), .step = StepKind::kTimer, .writes = true,
                            .object = t.receive ? object::mailbox(t.owner) : object::timer(id)});
    }
    for (size_t i = 0, n = enabled_.size(); i < n && drop_budget_ > 0; ++i) {
      const Op d = enabled_[i];  // a copy: the push_back below may move enabled_
      if (d.key.kind == EventKind::kDelivery)
        enabled_.push_back({.key = EventKey{EventKind::kFault, kDropFault + d.key.id}, .step = StepKind::kFaultDrop, .writes = true,
                            .object = d.object});
    }
    if (kill_budget_ > 0 && !enabled_.empty()) {
      for (uint32_t p : killable_) {
        if (next_[p] < (*procs_)[p].size()) {
          enabled_.push_back({.key = EventKey{EventKind::kFault, p}, .step = StepKind::kFaultCrash, .writes = true,
                              .object = object::process(p)});
        }
      }
    }
  }

  // The program, shared by every copy: brute force copies a system at
  // every state it visits.
  std::shared_ptr<const std::vector<std::vector<FakeStep>>> procs_;
  std::vector<size_t> next_;
  std::vector<Op> enabled_;
  std::vector<Access> accesses_;  // what the last step touched (its facts point here)
  std::vector<Observation> observations_;
  std::vector<EventKey> would_take_;
  std::vector<uint32_t> passed_;
  std::vector<uint32_t> woke_, still_waiting_;
  std::vector<EventKey> created_;
  std::vector<std::vector<std::pair<int, uint32_t>>> mailboxes_;  // (tag, sending step)
  std::vector<std::vector<std::pair<uint32_t, std::vector<int>>>> patterns_;  // completed receives
  bool observing_ = false;
  bool over_ = false;  // the root has ended the run
  bool cut_ = false;   // a partition holds every message in flight
  std::vector<uint32_t> spawned_at_;  // per process: the step of P0 that started it (0: none)
  struct FakeTimer {
    uint32_t owner = 0;
    int64_t deadline = 0;
    bool receive = false;  // a receive's timeout (else a sleep)
    bool armed = false;
    uint32_t armed_step = 0;
  };
  std::vector<FakeTimer> timers_;    // timer id - 1
  std::vector<uint32_t> timer_of_;   // per process: the timer it waits on (id), or 0
  std::vector<bool> woken_;          // per process: its sleep's timer fired
  std::vector<bool> ended_;          // per process: its kExit step ran (messages to it are lost)
  std::vector<bool> timed_out_;      // per process: its receive's timer fired
  std::vector<uint32_t> wake_cause_;  // per process: the timer step its next step follows
  int64_t now_ = 0;
};

}  // namespace lockstep::testing

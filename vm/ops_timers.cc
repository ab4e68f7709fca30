// Virtual-time timers: sleep, send_after, cancel_timer, receive timeouts,
// and firing them (quiescent or any mode).
#include <algorithm>
#include <limits>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Timer operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform).
void Vm::add_timers_ops(OpTable& table) {
  for (StepKind k : {StepKind::kSleep, StepKind::kSendAfter, StepKind::kCancelTimer, StepKind::kTimer}) {
    table[static_cast<size_t>(k)] = {&Vm::access_timers, &Vm::perform_timers};
  }
}

void Vm::access_timers(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kCancelTimer:
      out.object = object::timer(op.as<CancelTimerArgs>().timer);
      out.writes = true;
      break;
    default:
      break;
  }
}

bool Vm::perform_timers(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  Process& p = procs_[pid];
  switch (op.kind) {
    case StepKind::kSleep:
      if (sink_) emit(StepKind::kSleep, pid, -1, "woke at " + std::to_string(timers_.now) + " ms");
      p.timer = 0;
      break;
    case StepKind::kSendAfter: {
      SendAfterArgs& args = op.as<SendAfterArgs>();
      const Dest dest = args.dest;
      const ValueRef msg = std::exchange(args.msg, 0);
      const int64_t ms = args.ms;
      const TimerId id = arm_timer(Timer::Kind::kSendAfter, pid, ms);
      touch(object::timer(id), true);
      timers_[id].dest = dest;
      timers_[id].msg = msg;
      if (sink_) {
        emit(StepKind::kSendAfter, pid, -1,
             "T" + std::to_string(id) + " in " + std::to_string(ms) + " ms to " + render_dest(dest) + " " +
                 guest_.render(msg));
      }
      reply.kind = Reply::Kind::kTimer;
      reply.u = id;
      break;
    }
    case StepKind::kCancelTimer: {
      const TimerId id = op.as<CancelTimerArgs>().timer;
      const bool active = id < timers_.end() && timers_[id].armed && timers_[id].kind == Timer::Kind::kSendAfter;
      if (sink_) emit(StepKind::kCancelTimer, pid, -1, "T" + std::to_string(id) + (active ? "" : " (not armed)"));
      if (active) {
        reply.kind = Reply::Kind::kInt;
        touch(object::clock(), false);
        reply.i = std::max<int64_t>(0, timers_[id].deadline - timers_.now);
        guest_.release(timers_[id].msg);
        timers_[id].msg = 0;
        disarm_timer(id);
      } else {
        reply.kind = Reply::Kind::kBool;
        reply.b = false;
      }
      break;
    }
    default:
      break;
  }
  return true;
}

void Vm::post_sleep(int64_t ms) {
  post<SleepArgs>(StepKind::kSleep).ms = ms;
  Process& p = running();
  p.state = Process::State::kBlocked;
  if (ms >= 0) p.timer = arm_timer(Timer::Kind::kSleep, running_, ms);  // < 0 (math.huge): forever
}

void Vm::post_send_after(Dest dest, ValueRef msg, int64_t ms) {
  post<SendAfterArgs>(StepKind::kSendAfter) = {dest, msg, ms};
}

void Vm::post_cancel_timer(TimerId timer) { post<CancelTimerArgs>(StepKind::kCancelTimer).timer = timer; }

Op Vm::timer_op(TimerId id) const {
  Op op;
  op.key = EventKey::timer(id);
  op.step = StepKind::kTimer;
  op.writes = true;
  // A receive timeout races with messages to its owner; other timers with
  // whatever cancels them.
  op.object = timers_[id].kind == Timer::Kind::kReceive ? object::mailbox(timers_[id].owner) : object::timer(id);
  op.early = !timers_[id].queued;
  return op;
}

bool Vm::root_waits_for_time() const {
  if (procs_.empty()) return false;
  const Process& root = procs_[kRootPid];
  if (root.state != Process::State::kBlocked || root.op.kind != StepKind::kSleep || root.timer == 0) return false;
  const Timer& t = timers_[root.timer];
  return t.armed && t.queued && t.deadline > timers_.now;
}

std::optional<EventKey> Vm::roots_due_timer() const {
  if (procs_.empty()) return std::nullopt;
  const Process& root = procs_[kRootPid];
  if (root.state != Process::State::kBlocked || root.op.kind != StepKind::kSleep || root.timer == 0) return std::nullopt;
  const EventKey key = EventKey::timer(root.timer);
  const Timer& t = timers_[root.timer];
  if (!t.armed || !t.queued || enabled_pos_.get(key) < 0) return std::nullopt;
  return key;
}

// What fire_timer() touches, with the step's own object (timer_op()). A
// send_after to a name, or to another node, is not predicted.
bool Vm::timer_footprint(const Op& op, std::vector<Access>& out) const {
  if (op.key.kind != EventKind::kTimer || op.key.id == 0 || op.key.id >= timers_.end()) return false;
  const Timer& t = timers_[op.key.id];
  if (!t.armed) return false;
  const NodeId from = node_of(t.owner);
  if (t.kind == Timer::Kind::kSendAfter && (t.dest.name || dest_node(t.dest, from) != from)) return false;
  out.push_back(Access{op.object, op.writes, op.value});
  if (!t.queued) out.push_back(Access{object::clock(), true, 0});
  out.push_back(Access{object::process(t.owner), false, 0});
  if (t.kind == Timer::Kind::kSendAfter) {
    out.push_back(Access{object::mailbox(t.dest.pid), true, 0});
    if (from != procs_[kRootPid].node) out.push_back(Access{object::node(from), false, 0});
  }
  return true;
}

bool Vm::timers_queued(Pid owner) const {
  // A process may choose for its own timers (ls.timers); else the test's mode.
  const bool own = owner < procs_.size() && procs_[owner].own_timers;
  return (own ? procs_[owner].timers : options_.timers) != TimerMode::kAny;
}

TimerId Vm::arm_timer(Timer::Kind kind, Pid owner, int64_t ms) {
  const bool queued = timers_queued(owner);
  touch(object::clock(), false);  // its deadline is now + ms
  const TimerId id = timers_.arm(kind, owner, ms, step_no_, queued, origin_by(owner));
  created_.push_back(EventKey::timer(id));
  if (!queued || timers_[id].deadline <= timers_.now) enable(timer_op(id));
  return id;
}

void Vm::disarm_timer(TimerId id) {
  if (id == 0 || id >= timers_.end()) return;
  timers_[id].armed = false;
  disable(EventKey::timer(id));
}

bool Vm::advance_time() {
  int64_t deadline;
  TimerId id;
  while (timers_.pop_due(deadline, id)) {
    if (!timers_[id].armed || enabled_pos_.get(EventKey::timer(id)) >= 0) continue;
    timers_.now = std::max(timers_.now, deadline);
    enable(timer_op(id));
    // Everything else due at the same instant becomes enabled too.
    while (timers_.due_now()) {
      TimerId next;
      timers_.pop_due(deadline, next);
      if (!timers_[next].armed || enabled_pos_.get(EventKey::timer(next)) >= 0) continue;
      enable(timer_op(next));
    }
    return true;
  }
  // No timer left: a node a fault crashed may restart, a partition a fault
  // made may heal (nothing else would ever run again).
  if (faults_on_ && !recovering_ && recovery_pending()) {
    recovering_ = true;
    return true;
  }
  return false;
}

void Vm::fire_timer(TimerId id, StepResult& result) {
  Timer& t = timers_[id];
  t.armed = false;
  disable(EventKey::timer(id));
  // A timer that may fire before it is due (timers = "any") moves time on
  // within the epoch: what reads the time (a timer armed, ls.now) then
  // sees another value whether it runs before or after. Whether it does
  // move time depends on which such timers fired before it, so every one
  // writes the clock (a queued timer fires only once time reached it).
  if (!t.queued) touch(object::clock(), true);
  timers_.now = std::max(timers_.now, t.deadline);
  const Pid owner = t.owner;
  facts_->cause = t.armed_step;
  switch (t.kind) {
    case Timer::Kind::kSendAfter: {
      const NodeId from = node_of(owner);
      const bool remote = dest_node(t.dest, from) != from;
      const Pid to = remote ? kNoPid : resolve(t.dest, from);
      if (sink_) {
        emit(StepKind::kTimer, owner, remote && !t.dest.name ? static_cast<int64_t>(t.dest.pid) : to == kNoPid ? -1 : static_cast<int64_t>(to),
             "T" + std::to_string(id) + " send_after " + guest_.render(t.msg) +
                 (remote ? " (in flight)" : to == kNoPid ? " (dropped)" : ""));
      }
      if (!remote && to != kNoPid) touch(object::mailbox(to), true);
      // It fires only while its owner's node is up: a crash or stop there
      // (which writes the node) disarms it, so the two do not commute. (The
      // root's node never stops.)
      if (from != procs_[kRootPid].node) touch(object::node(from), false);
      const ValueRef msg = t.msg;
      t.msg = 0;
      route(owner, from, t.dest, msg);  // an unregistered name: dropped
      break;
    }
    case Timer::Kind::kSleep: {
      if (sink_) emit(StepKind::kTimer, owner, -1, "T" + std::to_string(id) + " sleep ends");
      touch(object::process(owner), false);  // its owner's end (a kill) disarms it
      Process& p = procs_[owner];
      p.timer = 0;
      p.state = Process::State::kReady;
      p.wake_cause = step_no_;
      refresh(owner);
      break;
    }
    case Timer::Kind::kReceive: {
      if (sink_) emit(StepKind::kTimer, owner, -1, "T" + std::to_string(id) + " receive timeout");
      if (t.counted) ++exercised_.quiescent_timeouts_fired;
      touch(object::process(owner), false);  // its owner's end (a kill) disarms it
      Process& p = procs_[owner];
      p.timer = 0;
      p.timed_out = true;
      p.state = Process::State::kReady;
      p.wake_cause = step_no_;
      // The receive commits to "nothing came" here: like a poll, this step
      // races with every later message its pattern would have taken.
      facts_->poll = true;
      if (observing_ && p.match_error.empty()) {
        const ValueRef matcher = p.op.as<ReceiveArgs>().matcher;
        p.patterns.emplace_back(step_no_, matcher);
        if (matcher) guest_.retain(matcher);
      }
      refresh(owner);
      break;
    }
  }
  (void)result;
}

}  // namespace lockstep::vm

// Mailboxes: send and selective receive. A blocked receive tests each
// message once, when it arrives (enqueue -> test_message).
#include <algorithm>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Mailbox operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform).
void Vm::add_mailbox_ops(OpTable& table) {
  table[static_cast<size_t>(StepKind::kSend)] = {&Vm::access_mailbox, &Vm::perform_send};
  table[static_cast<size_t>(StepKind::kReceive)] = {&Vm::access_mailbox, &Vm::perform_receive};
}

void Vm::access_mailbox(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kSend: {
      const Dest& dest = op.as<SendArgs>().dest;
      const NodeId from = procs_[pid].node;
      if (dest_node(dest, from) != from) break;  // in flight: touches nothing until delivered
      const Pid to = resolve(dest, from);
      if (to != kNoPid) {
        out.object = object::mailbox(to);
      } else if (dest.name) {
        out.object = name_object(from, dest.name);
      }
      out.writes = true;
      break;
    }
    case StepKind::kReceive: {
      // A receive whose timer fired committed to "nothing came" then (the
      // timer's step wrote the mailbox): it returns nil whatever is sent
      // after, so its step touches the mailbox no more.
      const Process& p = procs_[pid];
      if (p.timed_out && p.matched < 0 && p.match_error.empty()) break;
      out.object = object::mailbox(pid);
      out.writes = true;
      break;
    }
    default:
      break;
  }
}

bool Vm::perform_send(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  SendArgs& args = op.as<SendArgs>();
  const Dest dest = args.dest;
  const ValueRef msg = std::exchange(args.msg, 0);
  const NodeId from = procs_[pid].node;
  const NodeId to_node = dest_node(dest, from);
  if (to_node != from) {  // to another node: in flight until delivered
    if (sink_) {
      std::string detail = guest_.render(msg);
      if (dest.name) detail = "(" + names_[dest.name] + "@" + node_name(to_node) + ") " + detail;
      emit(StepKind::kSend, pid, dest.name ? -1 : static_cast<int64_t>(dest.pid), std::move(detail));
    }
    send_in_flight(pid, from, dest, to_node, msg);
    return true;
  }
  const Pid to = resolve(dest, from);
  if (sink_) {
    std::string detail = guest_.render(msg);
    if (dest.name) detail = "(" + names_[dest.name] + ") " + detail;
    if (to != kNoPid && !is_alive(to)) detail += "  (dropped: dead)";
    emit(StepKind::kSend, pid, to == kNoPid ? -1 : static_cast<int64_t>(to), std::move(detail));
  }
  if (!route(pid, from, dest, msg)) {
    reply.kind = Reply::Kind::kError;
    reply.error = "send: no process is registered as \"" + names_[dest.name] + "\"";
  }
  return true;
}

bool Vm::perform_receive(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  Process& p = procs_[pid];
  ReceiveArgs& args = op.as<ReceiveArgs>();
  if (!p.match_error.empty()) {
    reply.kind = Reply::Kind::kError;
    reply.error = "receive: the match function raised: " + p.match_error;
    if (sink_) emit(StepKind::kReceive, pid, -1, "match error");
  } else if (p.matched >= 0) {
    if (observing_) {
      observe_receive(pid);
      observe_pending_senders(pid);
    }
    reply.kind = Reply::Kind::kMessage;
    reply.message = take_message(p, static_cast<size_t>(p.matched));
    facts_->consumed = reply.message.origin_step;
    if (shapes_) {
      facts_->shape = reply.message.kind == Message::Kind::kUser
                         ? guest_.message_shape(reply.message.value)
                         : 0x100 + static_cast<uint64_t>(reply.message.kind);  // DOWN, EXIT
    }
    if (sink_) emit_received(pid, reply.message);
  } else {
    reply.kind = Reply::Kind::kNil;
    if (sink_) emit(StepKind::kReceive, pid, -1, "timeout");
  }
  // A receive that did not wait: a poll, or one with a timeout that found
  // its message at once while its timer could fire at any time
  // (timers = "any"). Had the message come later, the poll would have
  // returned nothing and the other could have timed out: either races
  // with the send it took.
  facts_->timed = args.timeout_ms > 0;
  facts_->poll = args.timeout_ms == 0 || (reply.kind == Reply::Kind::kMessage && args.timeout_ms > 0 &&
                                          !p.waited && !timers_queued(pid));
  if (observing_ && reply.kind != Reply::Kind::kMessage) observe_pending_senders(pid);
  // A receive that timed out committed to it when its timer fired: no
  // later message could have changed what it returned.
  if (observing_ && p.match_error.empty() && !p.timed_out) {
    p.patterns.emplace_back(step_no_, std::exchange(args.matcher, 0));  // kept for the iteration, not released
  }
  end_receive(p);
  return true;
}

void Vm::emit_received(Pid pid, const Message& m) {
  std::string detail;
  switch (m.kind) {
    case Message::Kind::kDown:
      detail = "{\"DOWN\", #Ref<" + std::to_string(m.ref) + ">, " + pid_str(m.from) + ", " +
               render_reason(m.reason) + "}";
      break;
    case Message::Kind::kExit:
      detail = "{\"EXIT\", " + pid_str(m.from) + ", " + render_reason(m.reason) + "}";
      break;
    default:
      detail = guest_.render(m.value);
  }
  emit(StepKind::kReceive, pid, m.from == kNoPid ? -1 : static_cast<int64_t>(m.from), std::move(detail));
}

void Vm::post_send(Dest dest, ValueRef msg) { post<SendArgs>(StepKind::kSend) = {dest, msg}; }

void Vm::post_receive(ValueRef matcher, int64_t timeout_ms, bool library) {
  post<ReceiveArgs>(StepKind::kReceive) = {matcher, timeout_ms, library};
  begin_receive(running_);
}

// The messages queued behind the one a receive takes that its pattern
// also matches: had they come first, it would have taken one of them.
void Vm::observe_receive(Pid pid) {
  for (size_t i = static_cast<size_t>(procs_[pid].matched) + 1; i < procs_[pid].mailbox.size(); ++i) {
    Message& m = procs_[pid].mailbox[i];
    if (m.kind == Message::Kind::kRemoved) continue;
    if (pattern_matches(procs_[pid].op.as<ReceiveArgs>().matcher, m)) observations_.push_back({step_no_, m.origin_step});
  }
}

// The processes about to send `pid` a message its pattern takes, and the
// messages in flight about to be delivered to it that it takes (the
// facts' would_take). For a receive that took nothing (or whose pattern
// raised): had one of them sent it first, the receive would have taken
// it. For one that took a message: had one of them sent it before the
// message taken was sent, the receive would have taken that one instead.
void Vm::observe_pending_senders(Pid pid) {
  const NodeId here = procs_[pid].node;
  const bool raised = !procs_[pid].match_error.empty();
  const ValueRef matcher = procs_[pid].op.as<ReceiveArgs>().matcher;
  auto takes = [&](Pid from, ValueRef value) {
    if (raised) return true;
    Message m;
    m.from = from;
    m.value = value;  // borrowed: matching does not take it
    std::string error;
    const bool taken = matcher == 0 || guest_.match(matcher, m, error) || !error.empty();
    if (!error.empty()) facts_->takes_raised = true;
    return taken;
  };
  for (Pid q = 0; q < procs_.size(); ++q) {
    const Process& s = procs_[q];
    if (q == pid || s.state != Process::State::kReady || s.op.kind != StepKind::kSend || s.node != here)
      continue;
    const SendArgs& send = s.op.as<SendArgs>();
    if (dest_node(send.dest, here) != here || resolve(send.dest, here) != pid) continue;
    if (takes(q, send.msg)) would_take_.push_back(EventKey::process(q));
  }
  // Messages in flight to it that can be delivered now: each is an event
  // of its own, its message fixed. A DOWN counts as taken (trying the
  // pattern on it would build its tuple).
  for (const Op& op : enabled_) {
    if (op.key.kind != EventKind::kDelivery) continue;
    const Flight& f = net_.flights[op.key.id];
    if (f.to_node != here || (f.what != Flight::What::kMessage && f.what != Flight::What::kDown)) continue;
    if ((f.dest.name ? owner(f.to_node, f.dest.name) : f.dest.pid) != pid) continue;
    if (f.what == Flight::What::kDown || takes(f.from, f.value)) would_take_.push_back(op.key);
  }
}

// Whether `matcher` (0: anything) takes `m`; a matcher that raises counts
// as taking it (a race is assumed rather than missed).
bool Vm::pattern_matches(ValueRef matcher, Message& m) {
  if (matcher == 0) return true;
  std::string error;
  const bool ok = guest_.match(matcher, m, error);
  return ok || !error.empty();
}

NodeId Vm::dest_node(const Dest& d, NodeId from_node) const {
  if (d.name) return d.node == kLocalNode ? from_node : d.node;
  return node_of(d.pid);
}

Pid Vm::resolve(const Dest& d, NodeId from_node) const {
  if (d.name) return owner(dest_node(d, from_node), d.name);
  return d.pid;
}

bool Vm::route(Pid from, NodeId from_node, const Dest& dest, ValueRef value) {
  const NodeId to_node = dest_node(dest, from_node);
  if (to_node != from_node) {
    send_in_flight(from, from_node, dest, to_node, value);
    return true;
  }
  if (dest.name) touch(name_object(from_node, dest.name), false);
  const Pid to = resolve(dest, from_node);
  if (to == kNoPid) {
    guest_.release(value);
    return false;
  }
  // A message to a process that has ended (or returned, its end still to
  // run) is dropped; had it come sooner it would have been thrown away
  // with the mailbox. Nobody can tell the two apart, so the send does not
  // depend on the end (an exhaustive search would run both orders).
  Message m;
  m.from = from;
  m.value = value;
  m.origin_step = step_no_;
  enqueue(to, m);
  return true;
}

void Vm::abandon_ref(RefId ref) {
  if (running_ == kNoPid) return;
  Process& p = procs_[running_];
  p.abandoned.push_back(ref);
  for (size_t i = p.head; i < p.mailbox.size(); ++i) {
    Message& m = p.mailbox[i];
    if (m.kind == Message::Kind::kUser && guest_.message_tag(m.value) == ref) {
      Message gone = take_message(p, i);
      guest_.release(gone.value);
      break;
    }
  }
}

void Vm::enqueue(Pid to, Message m) {
  if (to >= procs_.size()) {
    if (m.kind == Message::Kind::kUser) guest_.release(m.value);
    release_reason(m.reason);
    return;
  }
  // Which of its completed receives would have taken it: had it come
  // sooner, one of them would have. Also for a process that has ended
  // (the message is dropped), so that whether a message came before or
  // after its recipient's end does not decide what it races with.
  if (observing_ && !procs_[to].patterns.empty() && m.kind != Message::Kind::kRemoved) {
    for (size_t i = 0; i < procs_[to].patterns.size(); ++i) {
      const auto [receive, matcher] = procs_[to].patterns[i];
      if (pattern_matches(matcher, m)) observations_.push_back({receive, m.origin_step});
    }
  }
  if (procs_[to].state == Process::State::kDead) {
    if (m.kind == Message::Kind::kUser) guest_.release(m.value);
    release_reason(m.reason);
    return;
  }
  Process& q = procs_[to];
  if (!q.abandoned.empty() && m.kind == Message::Kind::kUser) {
    const RefId tag = guest_.message_tag(m.value);
    if (tag != 0 && std::find(q.abandoned.begin(), q.abandoned.end(), tag) != q.abandoned.end()) {
      guest_.release(m.value);  // a late reply to an abandoned call
      return;
    }
  }
  Process& q2 = procs_[to];
  const bool receiving = q2.op.kind == StepKind::kReceive;
  const bool waiting = receiving && !q2.timed_out && q2.match_error.empty();
  const int64_t matched = q2.matched;
  q2.mailbox.push_back(m);
  if (waiting && matched < 0) test_message(to, q2.mailbox.size() - 1);
  // Whether the recipient's pending receive would take the message (a
  // send, a delivery, the DOWN or EXIT of an end): when it would not (its
  // pattern does not take it, or it takes one queued before), the step
  // and the receive commute, and a search keeps the receive asleep through
  // it (StepFacts::passed).
  if (observing_ && receiving) {
    const Process& r = procs_[to];
    const bool passes = waiting && (matched >= 0 || (r.matched < 0 && r.match_error.empty()));
    (passes ? passed_ : takers_).push_back(to);
    if (waiting && matched < 0 && r.match_error.empty()) (r.matched >= 0 ? woke_ : still_waiting_).push_back(to);
  }
}

// Tests mailbox[index] against the pending receive of `pid`; on a match (or
// a matcher error) the receive becomes runnable and its timer is dropped.

void Vm::test_message(Pid pid, size_t index) {
  Process& q = procs_[pid];
  Message& m = q.mailbox[index];
  q.scan = index + 1;
  if (m.kind == Message::Kind::kRemoved) return;
  bool ok = true;
  if (const ValueRef matcher = q.op.as<ReceiveArgs>().matcher; matcher != 0) {
    std::string error;
    ok = guest_.match(matcher, m, error);
    Process& again = procs_[pid];  // the matcher cannot spawn, but stay safe
    if (!error.empty()) {
      again.match_error = std::move(error);
      ok = true;
    }
  }
  if (!ok) return;
  Process& p = procs_[pid];
  if (p.match_error.empty()) p.matched = static_cast<int64_t>(index);
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  if (p.state != Process::State::kReady) {
    p.state = Process::State::kReady;
    refresh(pid);
  }
}

void Vm::begin_receive(Pid pid) {
  Process& p = procs_[pid];
  p.matched = -1;
  p.timed_out = false;
  p.match_error.clear();
  p.scan = p.head;
  while (p.scan < p.mailbox.size() && p.matched < 0 && procs_[pid].match_error.empty()) {
    test_message(pid, procs_[pid].scan);
  }
  Process& q = procs_[pid];
  const int64_t timeout = q.op.as<ReceiveArgs>().timeout_ms;
  if (q.matched >= 0 || !q.match_error.empty()) {  // ready
    // Had the message come later, the receive would have armed its timer
    // and read the time (arm_timer): it reads it either way, or its step's
    // footprint would depend on whether the message came first.
    if (timeout > 0) touch(object::clock(), false);
    return;
  }
  if (timeout == 0) return;  // polls: ready, returns nil if nothing matches
  q.state = Process::State::kBlocked;
  q.waited = true;
  if (timeout > 0) {
    q.timer = arm_timer(Timer::Kind::kReceive, pid, timeout);
    // A scenario's own quiescent timeout, for the warning that none fired
    // (a library call's timeout is its error path, not the test's).
    if (timers_[q.timer].queued && !q.op.as<ReceiveArgs>().library) {
      timers_[q.timer].counted = true;
      ++exercised_.quiescent_timeouts_armed;
    }
  }
}

void Vm::end_receive(Process& p) {
  p.op.as<ReceiveArgs>().release(guest_);
  p.waited = false;
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  p.matched = -1;
  p.timed_out = false;
  p.match_error.clear();
}

Message Vm::take_message(Process& p, size_t index) {
  Message m = p.mailbox[index];
  p.mailbox[index].kind = Message::Kind::kRemoved;
  ++p.removed;
  while (p.head < p.mailbox.size() && p.mailbox[p.head].kind == Message::Kind::kRemoved) {
    ++p.head;
    --p.removed;
  }
  if (p.head == p.mailbox.size()) {
    p.mailbox.clear();
    p.head = 0;
    p.removed = 0;
  } else if (p.head >= 32 && p.head * 2 >= p.mailbox.size()) {
    p.mailbox.erase(p.mailbox.begin(), p.mailbox.begin() + static_cast<ptrdiff_t>(p.head));
    p.head = 0;
  } else if (p.removed >= 32 && p.removed * 2 >= p.mailbox.size() - p.head) {
    std::erase_if(p.mailbox, [](const Message& x) { return x.kind == Message::Kind::kRemoved; });
    p.head = 0;
    p.removed = 0;
  }
  return m;
}

}  // namespace lockstep::vm

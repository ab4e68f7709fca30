// Messages in flight between nodes (docs/cluster.md): each is an event of
// its own (EventKind::kDelivery) from its send until the scheduler delivers
// it. Messages from one sender to one receiver form a channel and arrive in
// the order sent (only a channel's head can be delivered), unless the test
// lets the network reorder; signals (a DOWN, a linked exit, an exit signal)
// never overtake what their sender sent before them.
#include <algorithm>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

void Vm::send_in_flight(Pid from, NodeId from_node, const Dest& dest, NodeId to_node, ValueRef value) {
  Flight f;
  f.from = from;
  f.from_node = from_node;
  f.to_node = to_node;
  f.dest = dest;
  f.dest.node = to_node;
  f.value = value;
  launch(f);
}

void Vm::signal_in_flight(Flight::What what, Pid from, Pid to, Reason reason, RefId ref) {
  Flight f;
  f.what = what;
  f.from = from;
  f.from_node = node_of(from);
  f.to_node = node_of(to);
  f.dest = Dest{to, 0, f.to_node};
  f.reason = reason;
  f.ref = ref;
  launch(f);
}

void Vm::launch(Flight f) {
  // A message or signal in flight is dropped when either end's node stops
  // (or crashes) before it arrives: had the node stopped first, it would
  // have been sent after and delivered to nothing. The send depends on both
  // nodes, as its delivery does.
  touch_path(f.from_node, f.to_node);  // and whether a cut holds it now
  const auto id = static_cast<uint32_t>(net_.flights.size());
  uint32_t& channel = f.dest.name ? net_.name_channel_ids[{f.from, f.to_node, f.dest.name}]
                                  : net_.channel_ids[(static_cast<uint64_t>(f.from) << 32) | f.dest.pid];
  if (channel == 0) {
    channel = static_cast<uint32_t>(net_.channels.size());
    net_.channels.emplace_back();
  }
  f.send_step = step_no_;
  f.channel = channel;
  f.live = true;
  Channel& ch = net_.channels[channel];
  f.prev = ch.tail;
  f.next = 0;
  if (ch.tail) {
    net_.flights[ch.tail].next = id;
  } else {
    ch.head = id;
    f.turn_step = ch.last_out;  // the message before it, if any, is off already
  }
  ch.tail = id;
  net_.flights.push_back(f);
  created_.push_back(EventKey{EventKind::kDelivery, id});
  update_flight(id);
}

void Vm::lose_flight(uint32_t id, bool notify) {
  Flight& f = net_.flights[id];
  if (!f.live) return;
  f.live = false;
  disable(EventKey{EventKind::kDelivery, id});
  if (faults_on_) flight_faults(id, false);
  unlink_flight(id);
  Flight fl = net_.flights[id];
  net_.flights[id].value = 0;
  net_.flights[id].reason = {};
  if (fl.value) guest_.release(fl.value);
  release_reason(fl.reason);
  if (!notify || fl.what == Flight::What::kMessage || fl.what == Flight::What::kSignal) return;
  const Pid to = fl.dest.pid;
  if (fl.what == Flight::What::kDown) {
    Message m;
    m.kind = Message::Kind::kDown;
    m.from = fl.from;
    m.ref = fl.ref;
    m.reason = Reason{ReasonKind::kNoconnection, 0};
    m.origin_step = step_no_;
    touch(object::mailbox(to), true);
    enqueue(to, m);
  } else {
    exit_signal(to, fl.from, Reason{ReasonKind::kNoconnection, 0}, true, step_no_);
  }
}

Op Vm::delivery_op(uint32_t id) const {
  const Flight& f = net_.flights[id];
  Op op;
  op.key = EventKey{EventKind::kDelivery, id};
  op.step = StepKind::kDeliver;
  op.writes = true;
  op.object = f.dest.name ? name_object(f.to_node, f.dest.name) : object::mailbox(f.dest.pid);
  return op;
}

void Vm::update_flight(uint32_t id) {
  Flight& f = net_.flights[id];
  // Reordering lets messages overtake each other, never a signal (a DOWN
  // always follows what its sender sent before it ended).
  const bool in_turn = net_.channels[f.channel].head == id || (options_.reorder && f.what == Flight::What::kMessage);
  const bool held = f.live && in_turn && cut(f.from_node, f.to_node) == Cut::kDefer;
  const bool deliverable = f.live && in_turn && !held;
  if (deliverable && f.held) f.release_step = step_no_;  // the step that lifted the cut lets it through
  f.held = held;
  if (deliverable) {
    enable(delivery_op(id));
  } else {
    disable(EventKey{EventKind::kDelivery, id});
  }
  if (faults_on_) flight_faults(id, deliverable && f.what == Flight::What::kMessage);
}

// Takes flight `id` out of its channel; the next one may become deliverable.
void Vm::unlink_flight(uint32_t id) {
  Flight& f = net_.flights[id];
  Channel& ch = net_.channels[f.channel];
  if (f.prev) {
    net_.flights[f.prev].next = f.next;
  } else {
    ch.head = f.next;
  }
  if (f.next) {
    net_.flights[f.next].prev = f.prev;
  } else {
    ch.tail = f.prev;
  }
  const uint32_t next = f.next;
  f.prev = f.next = 0;
  ch.last_out = step_no_;
  if (next && ch.head == next) {
    net_.flights[next].turn_step = step_no_;
    update_flight(next);
  }
}

// The step that made flight `id` deliverable (or droppable) besides its
// send: the one that took the message before it off its channel, unless
// messages may overtake each other.
uint32_t Vm::turn_of(const Flight& f) const {
  return options_.reorder && f.what == Flight::What::kMessage ? 0 : f.turn_step;
}

void Vm::deliver(uint32_t id, StepResult& result) {
  Flight& f = net_.flights[id];
  facts_->after = turn_of(f);
  facts_->released = f.release_step;
  f.live = false;
  disable(EventKey{EventKind::kDelivery, id});
  if (faults_on_) flight_faults(id, false);
  unlink_flight(id);
  Flight fl = net_.flights[id];
  net_.flights[id].value = 0;
  net_.flights[id].reason = {};
  arrive(fl, StepKind::kDeliver);
  (void)result;
}

void Vm::arrive(Flight fl, StepKind kind) {
  facts_->cause = fl.send_step;
  touch_path(fl.from_node, fl.to_node);
  const char* dropped = nullptr;
  Pid to = kNoPid;
  if (!net_.nodes[fl.to_node].up) {
    dropped = "node down";
  } else if (cut(fl.from_node, fl.to_node) == Cut::kDrop) {
    dropped = "partition";
  } else if (fl.dest.name) {
    touch(name_object(fl.to_node, fl.dest.name), false);
    to = owner(fl.to_node, fl.dest.name);
    if (to == kNoPid) dropped = "no such name";
  } else {
    to = fl.dest.pid;
  }
  // A message (or a DOWN) to a process that has ended is dropped as a
  // local send's is (route()): had it come sooner it would have been thrown
  // away with the mailbox, so it does not depend on the end, and it is
  // tested against the receives the process completed (enqueue()). Only a
  // signal depends on whether its receiver is alive.
  const bool message = fl.what == Flight::What::kMessage || fl.what == Flight::What::kDown;
  const bool dead = !dropped && !is_alive(to);
  if (dead && !message) {
    touch(object::process(to), false);
    dropped = "dead";
  }
  if (sink_) {
    std::string detail;
    switch (fl.what) {
      case Flight::What::kMessage: detail = guest_.render(fl.value); break;
      case Flight::What::kDown:
        detail = "{\"DOWN\", #Ref<" + std::to_string(fl.ref) + ">, " + pid_str(fl.from) + ", " + render_reason(fl.reason) + "}";
        break;
      case Flight::What::kLinkExit: detail = "exit signal (link) reason=" + render_reason(fl.reason); break;
      case Flight::What::kSignal: detail = "exit signal reason=" + render_reason(fl.reason); break;
    }
    if (fl.dest.name) detail = "(" + names_[fl.dest.name] + ") " + detail;
    if (dropped || dead) detail += std::string("  (dropped: ") + (dropped ? dropped : "dead") + ")";
    const int64_t peer = to != kNoPid ? static_cast<int64_t>(to) : fl.dest.name ? -1 : static_cast<int64_t>(fl.dest.pid);
    emit(kind, fl.from, peer, std::move(detail));
  }
  if (dropped) {
    if (fl.value) guest_.release(fl.value);
    release_reason(fl.reason);
    return;
  }
  switch (fl.what) {
    case Flight::What::kMessage:
    case Flight::What::kDown: {
      touch(object::mailbox(to), true);
      Message m;
      m.from = fl.from;
      m.value = fl.value;
      m.origin_step = step_no_;
      if (fl.what == Flight::What::kDown) {
        m.kind = Message::Kind::kDown;
        m.ref = fl.ref;
        m.reason = fl.reason;  // ownership passes to the message
      }
      enqueue(to, m);
      break;
    }
    case Flight::What::kLinkExit:
    case Flight::What::kSignal:
      exit_signal(to, fl.from, fl.reason, fl.what == Flight::What::kLinkExit, step_no_);
      release_reason(fl.reason);
      break;
  }
}

// Messages in flight from or to a node that stops are lost; a signal from
// it becomes noconnection for its receiver.
void Vm::drop_flights(NodeId node) {
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    const Flight& f = net_.flights[id];
    if (f.live && (f.from_node == node || f.to_node == node)) lose_flight(id, f.to_node != node);
  }
}

size_t Vm::held_messages() const {
  size_t held = 0;
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    const Flight& f = net_.flights[id];
    if (f.live && cut(f.from_node, f.to_node) == Cut::kDefer) ++held;
  }
  return held;
}


}  // namespace lockstep::vm

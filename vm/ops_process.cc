// Process lifecycle, links, monitors and exits (SPEC 5.2, 5.9): start,
// spawn (plain, linked, monitored), exit, exit signals, link, unlink,
// monitor, demonitor, trap_exit, is_alive.
#include <algorithm>
#include <cassert>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Process operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform).
void Vm::add_process_ops(OpTable& table) {
  auto row = [&table](StepKind k, auto perform) {
    table[static_cast<size_t>(k)] = {&Vm::access_process, perform};
  };
  row(StepKind::kStart, &Vm::perform_start);
  row(StepKind::kSpawn, &Vm::perform_spawn);
  row(StepKind::kExit, &Vm::perform_exit);
  row(StepKind::kLink, &Vm::perform_link);
  row(StepKind::kUnlink, &Vm::perform_unlink);
  row(StepKind::kMonitor, &Vm::perform_monitor);
  row(StepKind::kDemonitor, &Vm::perform_demonitor);
  row(StepKind::kTrapExit, &Vm::perform_trap_exit);
  row(StepKind::kSignal, &Vm::perform_signal);
  row(StepKind::kIsAlive, &Vm::perform_is_alive);
}

void Vm::access_process(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kExit:
    case StepKind::kTrapExit:
      out.object = object::process(pid);
      out.writes = true;
      break;
    case StepKind::kLink:
    case StepKind::kUnlink:
    case StepKind::kMonitor:
      // Commutes with other links and monitors on the target; races with
      // its exit (which writes its control state).
      out.object = object::process(op.as<TargetArgs>().pid);
      break;
    case StepKind::kSignal:
      out.object = object::process(op.as<SignalArgs>().pid);
      out.writes = true;
      break;
    case StepKind::kIsAlive:
      out.object = object::process(op.as<TargetArgs>().pid);
      break;
    case StepKind::kSpawn:  // with a name: registers it on the child's node
      if (const SpawnArgs& a = op.as<SpawnArgs>(); a.name) {
        out.object = name_object(a.node == kLocalNode ? procs_[pid].node : a.node, a.name);
        out.writes = true;
      }
      break;
    default:
      break;
  }
}

bool Vm::perform_start(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  Process& p = procs_[pid];
  reply.kind = Reply::Kind::kStart;
  reply.value = std::exchange(op.as<StartArgs>().body, 0);
  facts_->cause = p.exit_cause;
  if (sink_) emit(StepKind::kStart, pid, -1, "");
  p.exit_cause = 0;
  return true;
}

bool Vm::perform_spawn(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  SpawnArgs& args = op.as<SpawnArgs>();
  const SpawnMode mode = args.mode;
  const NameId name = args.name;  // copied: new_process may move the process table, and `args` with it
  const ValueRef body = std::exchange(args.body, 0);
  const NodeId here = procs_[pid].node;
  const NodeId there = args.node == kLocalNode ? here : args.node;
  touch_reach(here, there);
  if (name && owner(there, name) != kNoPid) {  // nothing is started
    guest_.release(body);
    reply.kind = Reply::Kind::kError;
    reply.error = "spawn: the name \"" + names_[name] + "\" is already registered to " +
                  pid_str(owner(there, name)) + " on node " + node_name(there);
    return true;
  }
  const Pid child = new_process(body, step_no_);
  procs_[child].node = there;
  if (there != kMainNode && log_sink_) log_sink_->on_process_node(child, node_name(there));
  reply.kind = Reply::Kind::kPid;
  reply.u = child;
  if (there != here && !connected(here, there)) {
    spawn_unreachable(pid, child, mode, reply);
    return true;
  }
  created_.push_back(EventKey::process(child));
  if (name) {  // in the same step: no message can find the name unset
    set_owner(there, name, child);
    procs_[child].name = name;
    name_process(child, names_[name]);
  }
  Process& self = procs_[pid];  // new_process may have moved procs_
  if (mode == SpawnMode::kLink) {
    self.links.push_back(child);
    procs_[child].links.push_back(pid);
  } else if (mode == SpawnMode::kMonitor) {
    const RefId ref = make_ref();
    monitors_.emplace(ref, Monitor{pid, child});
    self.watching.push_back(ref);
    procs_[child].watchers.push_back(ref);
    reply.kind = Reply::Kind::kPidRef;
    reply.i = static_cast<int64_t>(ref);
  }
  if (sink_) {
    std::string detail = mode == SpawnMode::kLink      ? "linked"
                         : mode == SpawnMode::kMonitor ? "monitored #Ref<" + std::to_string(reply.i) + ">"
                                                       : "";
    if (name) detail += (detail.empty() ? "" : ", ") + std::string("registered \"") + names_[name] + "\"";
    emit(StepKind::kSpawn, pid, child, std::move(detail));
  }
  return true;
}

// As in Erlang, a spawn on a node that cannot be reached gives a pid that
// is already dead; a link or monitor reports noconnection.
void Vm::spawn_unreachable(Pid pid, Pid child, SpawnMode mode, Reply& reply) {
  Process& c = procs_[child];
  c.op.release(guest_);
  c.state = Process::State::kDead;
  disable(EventKey::process(child));
  if (sink_) emit(StepKind::kSpawn, pid, child, "on " + node_name(c.node) + " (unreachable: dead at once)");
  if (mode == SpawnMode::kLink) {
    exit_signal(pid, child, Reason{ReasonKind::kNoconnection, 0}, true, step_no_);
  } else if (mode == SpawnMode::kMonitor) {
    const RefId ref = make_ref();
    reply.kind = Reply::Kind::kPidRef;
    reply.i = static_cast<int64_t>(ref);
    send_down(pid, child, ref, Reason{ReasonKind::kNoconnection, 0});
  }
}

void Vm::send_down(Pid watcher, Pid target, RefId ref, Reason reason) {
  Message m;
  m.kind = Message::Kind::kDown;
  m.from = target;
  m.ref = ref;
  m.reason = reason;
  m.origin_step = step_no_;
  touch(object::mailbox(watcher), true);
  enqueue(watcher, m);
}

bool Vm::perform_exit(Pid pid, PendingOp&, Reply&, StepResult& result) {
  do_exit(pid, result);
  return false;
}

bool Vm::perform_link(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  Process& p = procs_[pid];
  const Pid t = op.as<TargetArgs>().pid;
  if (sink_) emit(StepKind::kLink, pid, t, "");
  if (t == pid) return true;
  touch(object::process(pid), true);
  if (node_of(t) != p.node) {
    touch_reach(p.node, node_of(t));
    if (!connected(p.node, node_of(t))) {  // as Erlang: an exit signal, noconnection
      exit_signal(pid, t, Reason{ReasonKind::kNoconnection, 0}, true, step_no_);
      return true;
    }
  }
  if (!is_alive(t)) {
    // As in Erlang: a process trapping exits gets {"EXIT", t, "noproc"};
    // any other gets a noproc error it can catch.
    if (p.trap_exit) {
      exit_signal(pid, t, Reason{ReasonKind::kNoproc, 0}, true, step_no_);
    } else {
      reply.kind = Reply::Kind::kError;
      reply.error = "noproc";
    }
    return true;
  }
  if (std::find(p.links.begin(), p.links.end(), t) == p.links.end()) {
    p.links.push_back(t);
    procs_[t].links.push_back(pid);
  }
  return true;
}

bool Vm::perform_unlink(Pid pid, PendingOp& op, Reply&, StepResult&) {
  Process& p = procs_[pid];
  const Pid t = op.as<TargetArgs>().pid;
  if (sink_) emit(StepKind::kUnlink, pid, t, "");
  touch(object::process(pid), true);
  touch(object::links(pid), true);  // had t ended first (teardown())
  if (t < procs_.size() && procs_[t].node != p.node) {
    touch(object::links(t), false);
    touch_reach(p.node, procs_[t].node);
  }
  std::erase(p.links, t);
  if (t < procs_.size()) std::erase(procs_[t].links, pid);
  return true;
}

bool Vm::perform_monitor(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const Pid t = op.as<TargetArgs>().pid;
  const RefId ref = make_ref();
  if (sink_) emit(StepKind::kMonitor, pid, t, "#Ref<" + std::to_string(ref) + ">");
  bool reachable = true;
  if (node_of(t) != procs_[pid].node) {
    touch_reach(procs_[pid].node, node_of(t));
    reachable = connected(procs_[pid].node, node_of(t));
  }
  if (!reachable || !is_alive(t)) {
    send_down(pid, t, ref, Reason{reachable ? ReasonKind::kNoproc : ReasonKind::kNoconnection, 0});
  } else {
    monitors_.emplace(ref, Monitor{pid, t});
    procs_[pid].watching.push_back(ref);
    procs_[t].watchers.push_back(ref);
  }
  reply.kind = Reply::Kind::kRef;
  reply.u = ref;
  return true;
}

bool Vm::perform_demonitor(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  Process& p = procs_[pid];
  const auto [ref, flush] = op.as<DemonitorArgs>();
  touch(object::links(pid), true);  // had its target ended first (teardown())
  auto it = monitors_.find(ref);
  if (it != monitors_.end() && it->second.watcher == pid) {
    touch(object::process(it->second.target), false);
    touch_reach(p.node, procs_[it->second.target].node);
    std::erase(procs_[it->second.target].watchers, ref);
    std::erase(p.watching, ref);
    monitors_.erase(it);
  }
  if (flush) {
    touch(object::mailbox(pid), true);
    // The DOWN may have been shown to a match function already, which made
    // it a Lua table (a user message); it keeps its monitor reference, which
    // only a DOWN carries.
    for (size_t i = p.head; i < p.mailbox.size(); ++i) {
      const Message& q = p.mailbox[i];
      if (q.ref == ref && (q.kind == Message::Kind::kDown || q.kind == Message::Kind::kUser)) {
        Message m = take_message(p, i);
        if (m.kind == Message::Kind::kUser) guest_.release(m.value);
        release_reason(m.reason);
        break;
      }
    }
  }
  if (sink_) emit(StepKind::kDemonitor, pid, -1, "#Ref<" + std::to_string(ref) + ">" + (flush ? " flush" : ""));
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

bool Vm::perform_trap_exit(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  Process& p = procs_[pid];
  const bool on = op.as<TrapExitArgs>().on;
  reply.kind = Reply::Kind::kBool;
  reply.b = p.trap_exit;
  p.trap_exit = on;
  if (sink_) emit(StepKind::kTrapExit, pid, -1, on ? "true" : "false");
  return true;
}

bool Vm::perform_signal(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  SignalArgs& args = op.as<SignalArgs>();
  const Pid t = args.pid;
  Reason r = std::exchange(args.reason, Reason{});
  const NodeId here = procs_[pid].node;
  const bool lost = node_of(t) != here && !connected(here, node_of(t));
  touch_reach(here, node_of(t));
  if (sink_) emit(StepKind::kSignal, pid, t, "reason=" + render_reason(r) + (lost ? " (lost: unreachable)" : ""));
  if (node_of(t) != here && !lost && is_alive(t)) {
    signal_in_flight(Flight::What::kSignal, pid, t, r, 0);  // takes `r`
    r = {};
  } else if (!lost) {
    exit_signal(t, pid, r, false, step_no_);
  }
  release_reason(r);
  if (procs_[pid].op.kind == StepKind::kExit && t == pid) return false;  // signalled itself
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

bool Vm::perform_is_alive(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const Pid t = op.as<TargetArgs>().pid;
  reply.kind = Reply::Kind::kBool;
  reply.b = is_alive(t);
  if (sink_) emit(StepKind::kIsAlive, pid, t, reply.b ? "true" : "false");
  return true;
}

void Vm::post_spawn(ValueRef body, SpawnMode mode, NodeId node, NameId name) {
  post<SpawnArgs>(StepKind::kSpawn) = {body, mode, node, name};
}

void Vm::post_link(Pid pid) { post<TargetArgs>(StepKind::kLink).pid = pid; }

void Vm::post_unlink(Pid pid) { post<TargetArgs>(StepKind::kUnlink).pid = pid; }

void Vm::post_monitor(Pid pid) { post<TargetArgs>(StepKind::kMonitor).pid = pid; }

void Vm::post_demonitor(RefId ref, bool flush) { post<DemonitorArgs>(StepKind::kDemonitor) = {ref, flush}; }

void Vm::post_trap_exit(bool on) { post<TrapExitArgs>(StepKind::kTrapExit).on = on; }

void Vm::post_exit(Reason reason) { post<ExitArgs>(StepKind::kExit).reason = reason; }

void Vm::post_signal(Pid pid, Reason reason) { post<SignalArgs>(StepKind::kSignal) = {pid, reason}; }

void Vm::post_is_alive(Pid pid) { post<TargetArgs>(StepKind::kIsAlive).pid = pid; }

Pid Vm::new_process(ValueRef body, uint32_t cause) {
  const Pid pid = static_cast<Pid>(procs_.size());
  const Origin origin = origin_by(performing_);
  const uint64_t path = origin.creator == kNoPid ? outside_name(origin.seq) : derived_name(procs_[origin.creator].path, origin.seq);
  if (spare_.empty()) {
    procs_.emplace_back();
  } else {
    procs_.push_back(std::move(spare_.back()));
    spare_.pop_back();
  }
  Process& p = procs_.back();
  p.path = path;
  p.origin = origin;
  p.op.set<StartArgs>(StepKind::kStart).body = body;
  p.exit_cause = cause;
  refresh(pid);
  return pid;
}

void Vm::start_root(ValueRef body) {
  assert(procs_.empty());
  new_process(body, 0);
  name_process(kRootPid, "root");
}

bool Vm::is_alive(Pid pid) const {
  return pid < procs_.size() && procs_[pid].state != Process::State::kDead && procs_[pid].op.kind != StepKind::kExit;
}

bool Vm::protected_crash(Pid pid) const {
  if (options_.allow_crashes) return true;
  for (Pid l : procs_[pid].links) {
    if (is_alive(l) && procs_[l].trap_exit) return true;
  }
  return false;
}

Reason Vm::copy_reason(const Reason& r) {
  if (r.kind == ReasonKind::kValue && r.value) guest_.retain(r.value);
  return r;
}

void Vm::release_reason(Reason& r) {
  if (r.kind == ReasonKind::kValue && r.value) guest_.release(r.value);
  r = {};
}

void Vm::kill(Pid pid, Reason reason, uint32_t cause) {
  Process& p = procs_[pid];
  p.op.release(guest_);
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  p.matched = -1;
  p.op.set<ExitArgs>(StepKind::kExit).reason = copy_reason(reason);
  p.state = Process::State::kReady;
  p.exit_cause = cause;
  p.fatal = false;
  refresh(pid);
}

// Every exit signal reads its target's control state (whether it is still
// alive, whether it traps exits); one that changes it writes it. A signal
// that finds its target ending, or that it ignores (a normal exit from a
// link, not trapped), reads it only: had the target's steps come in the
// other order, the signal would have done otherwise, and the race between
// them must show in either order.
void Vm::exit_signal(Pid to, Pid from, Reason reason, bool from_link, uint32_t cause) {
  if (to >= procs_.size()) return;
  if (!is_alive(to)) {
    touch(object::process(to), false);
    return;
  }
  Process& t = procs_[to];
  const bool ignored = reason.kind == ReasonKind::kNormal && !t.trap_exit && (from_link || to != from);
  touch(object::process(to), !ignored);
  if (reason.kind == ReasonKind::kKill && !from_link) {
    kill(to, Reason{ReasonKind::kKilled, 0}, cause);
    return;
  }
  if (t.trap_exit) {
    touch(object::mailbox(to), true);
    Message m;
    m.kind = Message::Kind::kExit;
    m.from = from;
    m.reason = copy_reason(reason);
    m.origin_step = cause;
    enqueue(to, m);
    return;
  }
  if (reason.kind == ReasonKind::kNormal) {
    if (!from_link && to == from) kill(to, reason, cause);  // exit(self(), "normal")
    return;
  }
  kill(to, reason, cause);
}

void Vm::do_exit(Pid pid, StepResult& result) {
  Process& p = procs_[pid];
  Reason reason = std::exchange(p.op.as<ExitArgs>().reason, Reason{});
  const bool fatal = p.fatal;
  const bool crashed = p.crashed;
  if (sink_) {
    std::string detail = "reason=";
    if (p.crashed) {
      detail += "\"" + p.crash_message + "\"";
      if (!p.crash_location.empty()) detail += " (at " + p.crash_location + ")";
    } else {
      detail += render_reason(reason);
    }
    emit(StepKind::kExit, pid, -1, std::move(detail));
  }
  facts_->cause = p.exit_cause;
  teardown(pid, reason);

  Process& q = procs_[pid];
  if (pid == kRootPid) {
    result.finished = true;
    if (crashed || reason.kind != ReasonKind::kNormal) {  // crashed: raised, or yielded outside a coroutine
      result.failure.kind = FailureKind::kAssertion;
      result.failure.step = step_no_;
      result.failure.pid = pid;
      result.failure.message = crashed ? q.crash_message : reason_text(reason);
      result.failure.location = q.crash_location;
    }
  } else if (fatal && crashed) {
    result.failure.kind = FailureKind::kCrash;
    result.failure.step = step_no_;
    result.failure.pid = pid;
    result.failure.message = q.crash_message;
    result.failure.location = q.crash_location;
  }
  release_reason(reason);
}

void Vm::teardown(Pid pid, const Reason& reason, bool node_down) {
  Process& p = procs_[pid];
  // Two processes on different nodes that link or monitor each other:
  // whichever ends first sends the other an exit signal or a DOWN, in
  // flight (an event of its own), and takes itself off the other's links
  // and monitors, so the other's end sends nothing. The two ends race: every
  // end writes its own links object, and reads those of the processes on
  // other nodes it is still linked to or monitoring or monitored by. An
  // unlink or a demonitor races with the other's end the same way, and each
  // of these reads whether the two nodes reach each other: a partition or a
  // crash that breaks the link or monitor first (vm/ops_cluster.cc
  // disconnect()) would have had it end differently, and had the end come
  // first the partition would have found nothing to break. On one node
  // the two ends of a monitor read each other's links objects too: the
  // watcher's end takes its monitor away, so whether the target's end
  // queues a DOWN (which a receive of the watcher's could have taken, had
  // the target ended sooner) depends on which end comes first, in either
  // order (a DOWN to a mailbox is judged as a message, by the receives
  // that would take it). A local link needs no more: either end sends the
  // other an exit signal, which writes its process.
  touch(object::links(pid), true);
  touch(object::mailbox(pid), true);  // its queued messages are gone
  p.state = Process::State::kDead;
  p.fatal = false;
  if (forced_ == pid) forced_ = kNoPid;
  disable(EventKey::process(pid));
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  release_holdings(pid);
  std::vector<Pid> links = std::move(p.links);
  std::vector<RefId> watchers = std::move(p.watchers);
  std::vector<RefId> watching = std::move(p.watching);
  p.links.clear();
  p.watchers.clear();
  p.watching.clear();
  for (RefId ref : watching) drop_watching(pid, ref);
  for (Pid l : links) end_link(pid, l, reason, node_down);
  for (RefId ref : watchers) end_watcher(pid, ref, reason, node_down);
  guest_.discard(pid);
}

// What an ending process owns goes with it: its name, its cluster-wide
// names, the tables it owns, its queued messages.
void Vm::release_holdings(Pid pid) {
  Process& p = procs_[pid];
  if (p.name) {
    touch(name_object(p.node, p.name), true);
    set_owner(p.node, p.name, kNoPid);
    p.name = 0;
  }
  forget_global(pid);
  ets_.for_each_owned(pid, [&](uint32_t table) {
    touch(object::table(table), true);
    const std::string& name = ets_.options(table).name;
    if (!name.empty()) touch(object::name(fnv1a("ets:" + name)), true);
  });
  // A table dies with its owner; but the root's end is the iteration's, and
  // its tables stay readable for the liveness monitors' last look (nothing
  // else runs after it; reset() forgets them).
  if (pid != kRootPid) {
    ets_.drop_owned(pid, released_);
    release_all(released_);
  }
  for (size_t i = p.head; i < p.mailbox.size(); ++i) {
    Message& m = p.mailbox[i];
    if (m.kind == Message::Kind::kRemoved) continue;
    if (m.kind == Message::Kind::kUser) guest_.release(m.value);
    release_reason(m.reason);
  }
  p.mailbox.clear();
  p.mailbox.shrink_to_fit();
  p.head = p.removed = 0;
}

// Ending process `pid` no longer watches through monitor `ref`.
void Vm::drop_watching(Pid pid, RefId ref) {
  auto it = monitors_.find(ref);
  if (it == monitors_.end()) return;
  touch(object::links(it->second.target), false);
  touch_reach(procs_[pid].node, procs_[it->second.target].node);
  std::erase(procs_[it->second.target].watchers, ref);
  monitors_.erase(it);
}

// Linked process `l` learns that `pid` ended: an exit signal, in flight
// when they are on different nodes that are both up.
void Vm::end_link(Pid pid, Pid l, const Reason& reason, bool node_down) {
  const NodeId node = procs_[pid].node;
  std::erase(procs_[l].links, pid);
  if (procs_[l].node != node) touch(object::links(l), false);
  touch_reach(node, procs_[l].node);
  if (procs_[l].node != node && !node_down) {
    signal_in_flight(Flight::What::kLinkExit, pid, l, copy_reason(reason), 0);
  } else {
    exit_signal(l, pid, reason, true, step_no_);
  }
}

// The watcher of monitor `ref` on ending process `pid` gets its DOWN: in
// flight across nodes that are both up, else in its mailbox now.
void Vm::end_watcher(Pid pid, RefId ref, const Reason& reason, bool node_down) {
  auto it = monitors_.find(ref);
  if (it == monitors_.end()) return;
  const Pid w = it->second.watcher;
  monitors_.erase(it);
  std::erase(procs_[w].watching, ref);
  touch(object::links(w), false);
  touch_reach(procs_[w].node, procs_[pid].node);
  if (procs_[w].node != procs_[pid].node && !node_down) {
    signal_in_flight(Flight::What::kDown, pid, w, copy_reason(reason), ref);
    return;
  }
  Message m;
  m.kind = Message::Kind::kDown;
  m.from = pid;
  m.ref = ref;
  m.reason = copy_reason(reason);
  m.origin_step = step_no_;
  touch(object::mailbox(w), true);
  enqueue(w, m);
}


}  // namespace lockstep::vm

// Cluster-wide names (ls.global, docs/cluster.md), with the behaviour of
// Erlang's :global: each node keeps a view; a registration reaches every
// node connected to the caller's; views merge when nodes reconnect, and a
// name with two owners keeps one (a controlled choice), killing the other.
#include <algorithm>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

namespace {

uint64_t global_object(const std::string& name) { return object::name(fnv1a("global:" + name)); }

}  // namespace

void Vm::add_global_ops(OpTable& table) {
  for (StepKind k : {StepKind::kGlobalRegister, StepKind::kGlobalUnregister, StepKind::kGlobalWhereis,
                     StepKind::kGlobalSend}) {
    table[static_cast<size_t>(k)] = {&Vm::access_global, &Vm::perform_global};
  }
}

// The name a cluster-wide name operation is about.
static NameId global_name(const PendingOp& op) {
  return op.kind == StepKind::kGlobalSend ? op.as<GlobalSendArgs>().name : op.as<NameArgs>().name;
}

void Vm::access_global(Pid pid, const PendingOp& op, Op& out) const {
  const NameId name = global_name(op);
  switch (op.kind) {
    case StepKind::kGlobalRegister:
    case StepKind::kGlobalUnregister:
      out.object = global_object(names_[name]);
      out.writes = true;
      break;
    case StepKind::kGlobalWhereis:
    case StepKind::kGlobalSend:
      out.object = global_object(names_[name]);
      break;
    default:
      break;
  }
}

bool Vm::perform_global(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  const NodeId here = procs_[pid].node;
  const NameId name = global_name(op);
  switch (op.kind) {
    case StepKind::kGlobalRegister: {
      auto& view = net_.nodes[here].global;
      const Pid t = op.as<NameArgs>().pid;
      touch(object::process(t), false);
      // As Erlang's global (which locks the name on every node it is
      // connected to): taken if any node this one reaches has it.
      bool ok = view.find(name) == view.end() && is_alive(t);
      for (NodeId m = 0; m < net_.nodes.size(); ++m) {
        touch_reach(here, m);  // what it reaches decides where the name goes
        touch(object::node(m), false);
        if (connected(here, m) && net_.nodes[m].global.count(name)) ok = false;
      }
      if (sink_) emit(StepKind::kGlobalRegister, pid, t, "\"" + names_[name] + "\"" + (ok ? "" : " -> false"));
      if (ok) {
        for (NodeId m = 0; m < net_.nodes.size(); ++m) {
          if (connected(here, m)) net_.nodes[m].global[name] = t;
        }
        procs_[t].global_named = true;
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = ok;
      break;
    }
    case StepKind::kGlobalUnregister: {
      auto& view = net_.nodes[here].global;
      auto it = view.find(name);
      if (sink_) emit(StepKind::kGlobalUnregister, pid, -1, "\"" + names_[name] + "\"");
      if (it != view.end()) {
        const Pid was = it->second;
        for (NodeId m = 0; m < net_.nodes.size(); ++m) {
          touch_reach(here, m);
          touch(object::node(m), false);
          if (!connected(here, m)) continue;
          auto at = net_.nodes[m].global.find(name);
          if (at != net_.nodes[m].global.end() && at->second == was) net_.nodes[m].global.erase(at);
        }
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kGlobalWhereis:
    case StepKind::kGlobalSend: {
      const auto& view = net_.nodes[here].global;
      auto it = view.find(name);
      const Pid found = it == view.end() ? kNoPid : it->second;
      if (op.kind == StepKind::kGlobalWhereis) {
        if (sink_) {
          emit(StepKind::kGlobalWhereis, pid, found == kNoPid ? -1 : static_cast<int64_t>(found),
               "\"" + names_[name] + "\"" + (found == kNoPid ? " -> nil" : ""));
        }
        reply.kind = found == kNoPid ? Reply::Kind::kNil : Reply::Kind::kPid;
        reply.u = found;
        break;
      }
      if (sink_) {
        emit(StepKind::kGlobalSend, pid, found == kNoPid ? -1 : static_cast<int64_t>(found),
             "(" + names_[name] + ") " + guest_.render(op.as<GlobalSendArgs>().msg) + (found == kNoPid ? " -> not registered" : ""));
      }
      const ValueRef msg = std::exchange(op.as<GlobalSendArgs>().msg, 0);
      if (found == kNoPid) {
        guest_.release(msg);
        reply.kind = Reply::Kind::kError;
        reply.error = "global.send: no process is registered globally as \"" + names_[name] + "\"";
        break;
      }
      if (node_of(found) == here) touch(object::mailbox(found), true);
      route(pid, here, Dest{found, 0, kLocalNode}, msg);
      reply.kind = Reply::Kind::kPid;
      reply.u = found;
      break;
    }
    default:
      break;
  }
  return true;
}

void Vm::merge_global(NodeId a, NodeId b, Pid by) {
  auto& va = net_.nodes[a].global;
  auto& vb = net_.nodes[b].global;
  for (auto& [name, pa] : va) {
    auto it = vb.find(name);
    if (it == vb.end()) {
      touch(global_object(names_[name]), true);
      vb.emplace(name, pa);
      continue;
    }
    const Pid pb = it->second;
    if (pb == pa) continue;
    // Registered on both sides of a partition: as Erlang's global (its
    // default resolver), one of the two keeps the name, chosen at random (a
    // controlled choice), and the other is killed.
    touch(global_object(names_[name]), true);
    const bool keep_b = choose(2) == 1;
    const Pid winner = keep_b ? pb : pa, loser = keep_b ? pa : pb;
    for (Node& node : net_.nodes) {  // every view that named the loser now names the winner
      auto at = node.global.find(name);
      if (at != node.global.end() && at->second == loser) at->second = winner;
    }
    if (sink_) {
      emit(StepKind::kHeal, by == kNoPid ? -1 : static_cast<int64_t>(by), loser,
           "global name \"" + names_[name] + "\" on both sides: kept " + pid_str(winner) + ", killed " +
               pid_str(loser));
    }
    exit_signal(loser, loser, Reason{ReasonKind::kKill, 0}, false, step_no_);
  }
  for (const auto& [name, pb] : vb) {
    if (va.try_emplace(name, pb).second) touch(global_object(names_[name]), true);
  }
}

void Vm::forget_global(Pid pid) {
  if (!procs_[pid].global_named) return;
  procs_[pid].global_named = false;
  for (Node& node : net_.nodes) {
    std::erase_if(node.global, [&](const auto& entry) {
      if (entry.second != pid) return false;
      touch(global_object(names_[entry.first]), true);
      return true;
    });
  }
}

void Vm::post_global_register(NameId name, Pid pid) {
  post<NameArgs>(StepKind::kGlobalRegister) = {name, pid};
}

void Vm::post_global_unregister(NameId name) { post<NameArgs>(StepKind::kGlobalUnregister).name = name; }

void Vm::post_global_whereis(NameId name) { post<NameArgs>(StepKind::kGlobalWhereis).name = name; }

void Vm::post_global_send(NameId name, ValueRef msg) {
  post<GlobalSendArgs>(StepKind::kGlobalSend) = {name, msg};
}

}  // namespace lockstep::vm

// The local name registry: register, unregister, whereis, registered,
// with Erlang's errors. Each node has a registry of its own.
#include <algorithm>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Registry operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform).
void Vm::add_registry_ops(OpTable& table) {
  for (StepKind k : {StepKind::kRegister, StepKind::kUnregister, StepKind::kWhereis, StepKind::kRegistered}) {
    table[static_cast<size_t>(k)] = {&Vm::access_registry, &Vm::perform_registry};
  }
}

void Vm::access_registry(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kRegister:
    case StepKind::kUnregister:
      out.object = name_object(procs_[pid].node, op.as<NameArgs>().name);
      out.writes = true;
      break;
    case StepKind::kWhereis:
      out.object = name_object(procs_[pid].node, op.as<NameArgs>().name);
      break;
    default:
      break;
  }
}

bool Vm::perform_registry(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  const NodeId node = procs_[pid].node;
  switch (op.kind) {
    case StepKind::kRegister: {
      const NameId n = op.as<NameArgs>().name;
      const Pid t = op.as<NameArgs>().pid;
      if (sink_) emit(StepKind::kRegister, pid, t, "\"" + names_[n] + "\"");
      touch(object::process(t), false);  // whether it is alive and already named
      if (owner(node, n) != kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: the name \"" + names_[n] + "\" is already registered to " + pid_str(owner(node, n));
      } else if (t < procs_.size() && procs_[t].node != node) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " runs on node " + node_name(procs_[t].node) +
                      "; names are registered on the process's own node (ls.global names the cluster)";
      } else if (!is_alive(t)) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is not alive";
      } else if (procs_[t].name) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is already registered as \"" + names_[procs_[t].name] + "\"";
      } else {
        set_owner(node, n, t);
        procs_[t].name = n;
        name_process(t, names_[n]);
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      // The errors name a process by its number, which a pcall can read.
      if (reply.kind == Reply::Kind::kError) read_ids();
      break;
    }
    case StepKind::kUnregister: {
      const NameId n = op.as<NameArgs>().name;
      if (sink_) emit(StepKind::kUnregister, pid, -1, "\"" + names_[n] + "\"");
      if (owner(node, n) == kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "unregister: no process is registered as \"" + names_[n] + "\"";
      } else {
        procs_[owner(node, n)].name = 0;
        set_owner(node, n, kNoPid);
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      break;
    }
    case StepKind::kWhereis: {
      const Pid found = owner(node, op.as<NameArgs>().name);
      if (sink_) {
        emit(StepKind::kWhereis, pid, found == kNoPid ? -1 : static_cast<int64_t>(found),
             "\"" + names_[op.as<NameArgs>().name] + "\"" + (found == kNoPid ? " -> nil" : ""));
      }
      if (found == kNoPid) {
        reply.kind = Reply::Kind::kNil;
      } else {
        reply.kind = Reply::Kind::kPid;
        reply.u = found;
      }
      break;
    }
    case StepKind::kRegistered:
      if (sink_) emit(StepKind::kRegistered, pid, -1, "");
      reply.kind = Reply::Kind::kNames;
      break;
    default:
      break;
  }
  return true;
}

void Vm::post_register(NameId name, Pid pid) {
  post<NameArgs>(StepKind::kRegister) = {name, pid};
}

void Vm::post_unregister(NameId name) { post<NameArgs>(StepKind::kUnregister).name = name; }

void Vm::post_whereis(NameId name) { post<NameArgs>(StepKind::kWhereis).name = name; }

void Vm::post_registered() { post<NoArgs>(StepKind::kRegistered); }

Pid Vm::whereis(NameId name) const { return owner(running_ == kNoPid ? kMainNode : procs_[running_].node, name); }

std::vector<NameId> Vm::registered_names() const {
  return registry_.registered(running_ == kNoPid ? kMainNode : procs_[running_].node, names_);
}

NameId Vm::intern(std::string_view name) { return names_.intern(name); }

// A name on node 0 keeps the object it had before nodes existed (traces'
// facts stay comparable); on another node it is a different object.
uint64_t Vm::name_object(NodeId node, NameId name) const {
  const uint64_t h = fnv1a(names_[name]);
  return object::name(node == kMainNode ? h : h ^ (0x9e3779b97f4a7c15ull * node));
}

}  // namespace lockstep::vm

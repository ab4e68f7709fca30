// The local name registry: register, unregister, whereis, registered,
// with Erlang's errors.
#include <algorithm>

#include "engine/hash.h"
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
      out.object = object::name(fnv1a(names_[op.name]));
      out.writes = true;
      break;
    case StepKind::kWhereis:
      out.object = object::name(fnv1a(names_[op.name]));
      break;
    default:
      break;
  }
}

bool Vm::perform_registry(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  switch (op.kind) {
    case StepKind::kRegister: {
      const NameId n = op.name;
      const Pid t = op.pid;
      if (sink_) emit(StepKind::kRegister, pid, t, "\"" + names_[n] + "\"");
      touch(object::process(t), false);  // whether it is alive and already named
      if (name_owner_[n] != kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: the name \"" + names_[n] + "\" is already registered to " + pid_str(name_owner_[n]);
      } else if (!is_alive(t)) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is not alive";
      } else if (procs_[t].name) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is already registered as \"" + names_[procs_[t].name] + "\"";
      } else {
        name_owner_[n] = t;
        procs_[t].name = n;
        name_process(t, names_[n]);
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      break;
    }
    case StepKind::kUnregister: {
      const NameId n = op.name;
      if (sink_) emit(StepKind::kUnregister, pid, -1, "\"" + names_[n] + "\"");
      if (name_owner_[n] == kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "unregister: no process is registered as \"" + names_[n] + "\"";
      } else {
        procs_[name_owner_[n]].name = 0;
        name_owner_[n] = kNoPid;
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      break;
    }
    case StepKind::kWhereis: {
      const Pid owner = name_owner_[op.name];
      if (sink_) {
        emit(StepKind::kWhereis, pid, owner == kNoPid ? -1 : static_cast<int64_t>(owner),
             "\"" + names_[op.name] + "\"" + (owner == kNoPid ? " -> nil" : ""));
      }
      if (owner == kNoPid) {
        reply.kind = Reply::Kind::kNil;
      } else {
        reply.kind = Reply::Kind::kPid;
        reply.u = owner;
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
  auto& op = post(StepKind::kRegister);
  op.name = name;
  op.pid = pid;
}

void Vm::post_unregister(NameId name) { post(StepKind::kUnregister).name = name; }

void Vm::post_whereis(NameId name) { post(StepKind::kWhereis).name = name; }

void Vm::post_registered() { post(StepKind::kRegistered); }

Pid Vm::whereis(NameId name) const { return name < name_owner_.size() ? name_owner_[name] : kNoPid; }

std::vector<NameId> Vm::registered_names() const {
  std::vector<NameId> out;
  for (NameId id = 1; id < name_owner_.size(); ++id) {
    if (name_owner_[id] != kNoPid) out.push_back(id);
  }
  std::sort(out.begin(), out.end(), [&](NameId a, NameId b) { return names_[a] < names_[b]; });
  return out;
}

NameId Vm::intern(std::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  const auto id = static_cast<NameId>(names_.size());
  names_.emplace_back(name);
  name_owner_.push_back(kNoPid);
  name_ids_.emplace(names_.back(), id);
  return id;
}

}  // namespace lockstep::vm

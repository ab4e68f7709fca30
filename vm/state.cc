// The iteration's state as data: canonical names, the fingerprint every
// concern contributes to, and a description for readers.
//
// Names. A process is named by its creation path: the name of the process
// that spawned it and how many named things (processes, references,
// timers, tables, atomics arrays) that process had created before. A
// process's own steps run in program order, so the path is the same in
// every interleaving that reaches the state, whatever pid the process got.
// References, timers, tables and arrays are named the same way. Named
// this way, two orders of independent spawns reach one fingerprint.
//
// What is left out: the step number, the absolute virtual time (timers are
// hashed by the time left), ids of anything, and the guest's own record of
// what it printed. Canonical key bytes (ETS keys, persistent term keys)
// that hold a handle keep its id, so states that differ only there hash
// differently: a missed merge, never a false one.
#include <algorithm>

#include "vm/vm.h"

namespace lockstep::vm {

namespace {

constexpr uint64_t kOutside = 0x6f75747369646521ull;  // what the top level and the VM create
constexpr uint64_t kUnknown = 0x756e6b6e6f776e21ull;  // an id that names nothing

}  // namespace

uint64_t Vm::name_by(Pid creator) {
  if (creator == kNoPid || creator >= procs_.size()) return StateHasher::mix(kOutside + ++outside_made_, kOutside);
  Process& p = procs_[creator];
  return StateHasher::mix(StateHasher::mix(p.path, ++p.made), 0x70617468ull);
}

class Vm::CanonicalNames final : public Naming {
 public:
  explicit CanonicalNames(const Vm& vm) : vm_(vm) {}
  uint64_t pid(uint64_t pid) const override {
    return pid < vm_.procs_.size() ? vm_.procs_[pid].path : kUnknown ^ pid;
  }
  uint64_t ref(uint64_t ref) const override { return at(vm_.ref_names_, ref); }
  uint64_t timer(uint64_t id) const override {
    return id >= 1 && id < vm_.timers_.end() ? vm_.timers_[static_cast<TimerId>(id)].name : kUnknown;
  }
  uint64_t table(uint64_t id) const override { return at(vm_.table_names_, id); }
  uint64_t atomics(uint64_t id) const override { return at(vm_.atomics_names_, id); }

 private:
  static uint64_t at(const std::vector<uint64_t>& names, uint64_t id) {
    return id >= 1 && id <= names.size() ? names[id - 1] : kUnknown ^ id;
  }
  const Vm& vm_;
};

void Vm::hash_reason(const Reason& r, StateHasher& h) {
  h.u64(static_cast<uint64_t>(r.kind));
  if (r.kind == ReasonKind::kValue) guest_.hash_value(r.value, h);
}

void Vm::hash_process(const Process& p, StateHasher& h) {
  h.u64(static_cast<uint64_t>(p.state));
  if (p.state == Process::State::kDead) return;  // what is left of it is never read
  h.u64(p.node).boolean(p.trap_exit).boolean(p.global_named).bytes(names_[p.name]);
  h.boolean(p.own_timers).u64(static_cast<uint64_t>(p.timers));
  h.boolean(p.fatal).boolean(p.crashed).boolean(p.timed_out).bytes(p.match_error);
  h.timer(p.timer);
  p.op.hash(OpHashing{h, guest_, names_});
  h.u64(p.mailbox.size() - p.head - p.removed);
  for (size_t i = p.head; i < p.mailbox.size(); ++i) {
    const Message& m = p.mailbox[i];
    if (m.kind == Message::Kind::kRemoved) continue;
    h.u64(static_cast<uint64_t>(m.kind)).pid(m.from);
    if (m.kind == Message::Kind::kUser) {
      guest_.hash_value(m.value, h);
    } else {
      h.ref(m.ref);
      hash_reason(m.reason, h);
    }
  }
  StateHasher::Unordered links, watchers, watching, abandoned;
  for (Pid l : p.links) links.add(h.element().pid(l).finish());
  for (RefId r : p.watchers) watchers.add(h.element().ref(r).finish());
  for (RefId r : p.watching) watching.add(h.element().ref(r).finish());
  for (RefId r : p.abandoned) abandoned.add(h.element().ref(r).finish());
  h.unordered(links).unordered(watchers).unordered(watching).unordered(abandoned);
}

Fingerprint Vm::fingerprint(const StateOptions& options) {
  const CanonicalNames naming(*this);
  StateHasher h(&naming);
  StateHasher::Unordered processes;
  for (Pid pid = 0; pid < procs_.size(); ++pid) {
    StateHasher e = h.element();
    e.pid(pid);
    hash_process(procs_[pid], e);
    if (procs_[pid].state != Process::State::kDead) guest_.hash_process(pid, e);
    processes.add(e.finish());
  }
  h.tag(0x9c5).unordered(processes);
  StateHasher::Unordered monitors;
  for (const auto& [ref, m] : monitors_) monitors.add(h.element().ref(ref).pid(m.watcher).pid(m.target).finish());
  h.tag(0x3a0).unordered(monitors);
  registry_.hash(h, names_);
  timers_.hash(h, guest_, [this](NameId n) -> const std::string& { return names_[n]; });
  atomics_.hash(h);
  terms_.hash(h, guest_);
  ets_.hash(h, guest_);
  net_.hash(h, guest_, names_);
  guest_.hash_shared(h);
  h.tag(0xfa17).u64(faults_left_.drop).u64(faults_left_.duplicate).u64(faults_left_.crash);
  h.u64(faults_left_.partition).boolean(faults_paused_);
  if (options.absolute_time) h.tag(0x7173).i64(timers_.now);
  return h.finish();
}

void Vm::event_names(std::span<const Op> enabled, std::vector<uint64_t>& out) {
  out.clear();
  const CanonicalNames naming(*this);
  for (const Op& op : enabled) {
    StateHasher h(&naming);
    h.tag(static_cast<uint64_t>(op.key.kind));
    switch (op.key.kind) {
      case EventKind::kProcess:
        h.pid(op.key.id);
        break;
      case EventKind::kTimer:
        h.timer(op.key.id);
        break;
      case EventKind::kDelivery:
        name_flight(op.key.id, h);
        break;
      case EventKind::kFault: {
        const uint32_t target = op.key.id >> 3;
        h.u64(op.key.id & 7);
        if (op.step == StepKind::kFaultDrop || op.step == StepKind::kFaultDuplicate) {
          name_flight(target, h);
        } else {
          h.bytes(target < net_.nodes.size() ? names_[net_.nodes[target].name] : std::string_view{});
        }
        break;
      }
    }
    out.push_back(h.finish().lo);
  }
}

// A message in flight by its channel's ends and how many are ahead of it.
void Vm::name_flight(uint32_t id, StateHasher& h) const {
  if (id == 0 || id >= net_.flights.size()) {
    h.tag(kUnknown).u64(id);
    return;
  }
  const Flight& f = net_.flights[id];
  h.pid(f.from).u64(f.from_node).u64(f.to_node);
  if (f.dest.name) {
    h.tag(1).bytes(names_[f.dest.name]);
  } else {
    h.tag(2).pid(f.dest.pid);
  }
  uint64_t ahead = 0;
  for (uint32_t p = f.prev; p != 0; p = net_.flights[p].prev) ++ahead;
  h.u64(ahead);
}

std::string Vm::describe_state() const {
  static constexpr const char* kStates[] = {"ready", "blocked", "dead"};
  std::string out;
  for (Pid pid = 0; pid < procs_.size(); ++pid) {
    const Process& p = procs_[pid];
    out += pid_str(pid) + (p.display_name.empty() ? "" : "(" + p.display_name + ")") + " " +
           kStates[static_cast<int>(p.state)];
    if (p.state != Process::State::kDead) {
      out += ", next " + std::string(step_kind_name(p.op.kind)) + ", " +
             std::to_string(p.mailbox.size() - p.head - p.removed) + " queued";
    }
    out += "\n";
  }
  out += registry_.describe(names_) + timers_.describe() + atomics_.describe() + terms_.describe() + ets_.describe() +
         net_.describe(names_);
  return out;
}

}  // namespace lockstep::vm

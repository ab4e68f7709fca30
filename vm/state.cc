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

Origin Vm::origin_by(Pid creator) {
  if (creator == kNoPid || creator >= procs_.size()) return {kNoPid, static_cast<uint32_t>(++outside_made_)};
  if (numbering_races_) touch(object::numbering(), true);
  return {creator, ++procs_[creator].made};
}

uint64_t Vm::outside_name(uint64_t seq) { return StateHasher::mix(kOutside + seq, kOutside); }

uint64_t Vm::derived_name(uint64_t creator_path, uint32_t seq) {
  return StateHasher::mix(StateHasher::mix(creator_path, seq), 0x70617468ull);
}

// Names through each process's path: its own (no symmetry declared) or
// the canonical one symmetric_paths computed for this state.
class Vm::CanonicalNames final : public Naming {
 public:
  CanonicalNames(const Vm& vm, const std::vector<uint64_t>& paths, bool ids) : vm_(vm), paths_(paths), ids_(ids) {}
  bool ids() const override { return ids_; }
  uint64_t pid(uint64_t pid) const override { return path(pid); }
  uint64_t ref(uint64_t ref) const override { return at(vm_.ref_origins_, ref); }
  uint64_t timer(uint64_t id) const override {
    return id >= 1 && id < vm_.timers_.end() ? name(vm_.timers_[static_cast<TimerId>(id)].origin) : kUnknown;
  }
  uint64_t table(uint64_t id) const override { return at(vm_.table_origins_, id); }
  uint64_t atomics(uint64_t id) const override { return at(vm_.atomics_origins_, id); }

 private:
  uint64_t path(uint64_t pid) const {
    if (pid >= vm_.procs_.size()) return kUnknown ^ pid;
    return paths_.empty() ? vm_.procs_[pid].path : paths_[pid];
  }
  uint64_t name(const Origin& o) const {
    return o.creator == kNoPid ? outside_name(o.seq) : derived_name(path(o.creator), o.seq);
  }
  uint64_t at(const std::vector<Origin>& origins, uint64_t id) const {
    return id >= 1 && id <= origins.size() ? name(origins[id - 1]) : kUnknown ^ id;
  }
  const Vm& vm_;
  const std::vector<uint64_t>& paths_;
  const bool ids_;
};

// --- Symmetry (ls.symmetric). ---
//
// A group's members are renamed, in every fingerprint, by their rank in
// the group when ordered by their own state (hash_process and their
// continuation, with every member named alike), and whatever they created
// (processes, references, timers, tables, arrays) by a path derived from
// that. The renaming is one permutation applied to the whole state, so two
// states hash equal only if one is a permutation of the other: members in
// the same state may be ranked either way (pid order breaks the tie),
// which can miss a merge but never makes one. Which member is which can
// change what a run does only through how they are numbered, and a read
// of that drops symmetry (Vm::read_ids), so no declaration makes a search
// wrong: a group whose members differ just never merges
// (docs/strategies.md, "Symmetry").

bool Vm::declare_symmetric(std::span<const Pid> pids, std::string& error) {
  if (!try_declare_symmetric(pids, error)) {
    read_ids();  // the error names a process by its number, which a pcall can read
    return false;
  }
  return true;
}

bool Vm::try_declare_symmetric(std::span<const Pid> pids, std::string& error) {
  if (pids.size() < 2) {
    error = "symmetric: give at least two pids";
    return false;
  }
  for (size_t i = 0; i < pids.size(); ++i) {
    const Pid p = pids[i];
    if (p >= procs_.size()) {
      error = "symmetric: " + std::to_string(p) + " is not a process";
      return false;
    }
    if (std::find(pids.begin(), pids.begin() + static_cast<std::ptrdiff_t>(i), p) != pids.begin() + static_cast<std::ptrdiff_t>(i)) {
      error = "symmetric: " + pid_str(p) + " is given twice";
      return false;
    }
    for (const auto& group : symmetric_) {
      if (std::find(group.begin(), group.end(), p) != group.end()) {
        error = "symmetric: " + pid_str(p) + " is already in a group";
        return false;
      }
    }
  }
  symmetric_.emplace_back(pids.begin(), pids.end());
  return true;
}

void Vm::derive_paths(const std::vector<uint64_t>& own, std::vector<uint64_t>& paths) const {
  paths.resize(procs_.size());
  for (Pid pid = 0; pid < procs_.size(); ++pid) {  // a creator always has a smaller pid
    const Origin& o = procs_[pid].origin;
    if (own[pid] != 0) {
      paths[pid] = own[pid];
    } else if (o.creator == kNoPid || o.creator >= pid) {
      paths[pid] = procs_[pid].path;
    } else {
      paths[pid] = derived_name(paths[o.creator], o.seq);
    }
  }
}

void Vm::symmetric_paths(std::vector<uint64_t>& paths) {
  paths.clear();
  if (symmetric_.empty()) return;
  std::vector<uint64_t> own(procs_.size(), 0);
  auto group_name = [](size_t g) { return StateHasher::mix(0x73796d6d65747279ull + g, 0x67726f7570ull); };
  for (size_t g = 0; g < symmetric_.size(); ++g) {
    for (Pid m : symmetric_[g]) own[m] = group_name(g);  // every member alike
  }
  derive_paths(own, paths);
  std::vector<std::pair<Fingerprint, Pid>> ranked;
  for (size_t g = 0; g < symmetric_.size(); ++g) {
    ranked.clear();
    for (Pid m : symmetric_[g]) {
      const CanonicalNames alike(*this, paths, false);
      StateHasher e(&alike);
      hash_process(procs_[m], e);
      if (procs_[m].state != Process::State::kDead) guest_.hash_process(m, e);
      ranked.emplace_back(e.finish(), m);
    }
    std::sort(ranked.begin(), ranked.end());
    for (size_t r = 0; r < ranked.size(); ++r) own[ranked[r].second] = StateHasher::mix(group_name(g), r + 1);
  }
  derive_paths(own, paths);
}

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
  std::vector<uint64_t> paths;
  if (!options.ids) symmetric_paths(paths);
  const CanonicalNames naming(*this, paths, options.ids);
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
  h.tag(0x5e7).u64(symmetric_.size());
  for (const auto& group : symmetric_) h.u64(group.size());
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

void Vm::event_names(std::span<const Op> enabled, const StateOptions& options, std::vector<uint64_t>& out) {
  out.clear();
  std::vector<uint64_t> paths;
  if (!options.ids) symmetric_paths(paths);
  const CanonicalNames naming(*this, paths, false);
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

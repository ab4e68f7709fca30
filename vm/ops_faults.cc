// Faults the strategy injects (docs/cluster.md, "Faults the strategy
// chooses"). With a `faults` budget, the VM offers faults as events of their
// own (EventKind::kFault) next to everything else that can run, so a
// strategy picks them as it picks any step, the trace records them as
// decisions, replay follows them and shrink can take them out:
//
// - drop / duplicate: a message between nodes that could be delivered now
//   is lost, or delivered while a copy stays in flight (user messages only:
//   a DOWN or an exit signal is never lost or doubled);
// - crash: a node other than the root's stops (as ls.cluster.stop_node:
//   its processes die, its disk keeps its synced writes and a prefix of
//   the rest); a restart brings it back empty, at no cost;
// - partition: a node is cut off from every other (held messages, as
//   mode "defer"); a heal restores exactly the directions it cut, at no cost.
//
// Each budget unit is spent when its fault runs. Restarts and heals are
// also offered when nothing else can run and no timer is armed, so a fault
// alone never turns a run into a deadlock.
#include <algorithm>

#include "vm/vm.h"

namespace lockstep::vm {

void Vm::add_fault_ops(OpTable& table) {
  // Faults are never a process's pending operation (they are events of
  // their own); claimed here so the table covers every kind.
  for (StepKind k : {StepKind::kFaultDrop, StepKind::kFaultDuplicate, StepKind::kFaultCrash, StepKind::kFaultRestart,
                     StepKind::kFaultPartition, StepKind::kFaultHeal}) {
    table[static_cast<size_t>(k)] = {&Vm::access_none, &Vm::perform_none};
  }
}

namespace {

constexpr StepKind kFaultSteps[] = {StepKind::kFaultDrop,    StepKind::kFaultDuplicate, StepKind::kFaultCrash,
                                    StepKind::kFaultRestart, StepKind::kFaultPartition, StepKind::kFaultHeal};

}  // namespace

Op Vm::fault_op(FaultType type, uint32_t target) const {
  Op op;
  op.key = EventKey{EventKind::kFault, fault_id(type, target)};
  op.step = kFaultSteps[static_cast<size_t>(type)];
  op.writes = true;
  switch (type) {
    case FaultType::kDrop:
    case FaultType::kDuplicate:  // what its delivery would touch
      op.object = delivery_op(target).object;
      break;
    default:
      op.object = object::node(target);
      break;
  }
  return op;
}

void Vm::set_fault(FaultType type, uint32_t target, bool on) {
  if (on) {
    if (enabled_pos_.get(EventKey{EventKind::kFault, fault_id(type, target)}) < 0) enable(fault_op(type, target));
  } else {
    disable(EventKey{EventKind::kFault, fault_id(type, target)});
  }
}

// ls.cluster.faults(on) offers or withdraws every fault at once: a step
// that makes a fault possible or impossible otherwise (a send, a delivery,
// a cut, a node's stop: whether a message can be dropped, a node crashed)
// depends on it. The other order offers the fault between the two steps
// (a drop of a message sent before the gate closed) or never (a crash of
// a node stopped before the gate opened). Such a step reads the gate
// whenever the test has a budget, spent or not: what a step touches must
// not depend on steps it commutes with (a fault that spends the budget).
void Vm::read_fault_gate() {
  if (gate_step_ == step_no_) return;
  gate_step_ = step_no_;
  touch(object::fault_gate(), false);
}

void Vm::flight_faults(uint32_t id, bool deliverable) {
  read_fault_gate();
  set_fault(FaultType::kDrop, id, deliverable && !faults_paused_ && faults_left_.drop > 0);
  set_fault(FaultType::kDuplicate, id, deliverable && !faults_paused_ && faults_left_.duplicate > 0);
}

void Vm::set_faults_enabled(bool on) {
  if (!faults_on_ || faults_paused_ == !on) return;
  faults_paused_ = !on;
  touch(object::fault_gate(), true);
  gate_step_ = step_no_;
  node_faults();
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    if (net_.flights[id].live) update_flight(id);
  }
}

void Vm::node_faults() {
  const NodeId root_node = procs_.empty() ? kMainNode : procs_[kRootPid].node;
  read_fault_gate();
  const bool cluster = net_.nodes.size() >= 2 && !faults_paused_;
  for (NodeId n = 0; n < net_.nodes.size(); ++n) {
    const Node& node = net_.nodes[n];
    set_fault(FaultType::kCrash, n, cluster && node.up && n != root_node && faults_left_.crash > 0);
    set_fault(FaultType::kRestart, n, !node.up && node.crashed_by_fault);
    set_fault(FaultType::kPartition, n, cluster && node.up && node.fault_cuts.empty() && faults_left_.partition > 0);
    set_fault(FaultType::kHeal, n, !node.fault_cuts.empty());
  }
}

void Vm::spend(FaultType type) {
  uint32_t* left = nullptr;
  switch (type) {
    case FaultType::kDrop: left = &faults_left_.drop; break;
    case FaultType::kDuplicate: left = &faults_left_.duplicate; break;
    case FaultType::kCrash: left = &faults_left_.crash; break;
    case FaultType::kPartition: left = &faults_left_.partition; break;
    default: return;  // restarts and heals are free
  }
  if (*left > 0) --*left;
  if (*left > 0) return;
  // The budget is spent: withdraw every fault of this type.
  std::vector<EventKey> gone;
  for (const Op& op : fault_ops_) {
    if ((op.key.id & 7) == static_cast<uint32_t>(type)) gone.push_back(op.key);
  }
  for (EventKey key : gone) disable(key);
}

bool Vm::recovery_pending() const {
  for (const Op& op : fault_ops_) {
    if (op.step == StepKind::kFaultRestart || op.step == StepKind::kFaultHeal) return true;
  }
  return false;
}

void Vm::inject(uint32_t id, StepResult& result) {
  const auto type = static_cast<FaultType>(id & 7);
  const uint32_t target = id >> 3;
  disable(EventKey{EventKind::kFault, id});
  if (type != FaultType::kRestart && type != FaultType::kHeal) read_fault_gate();
  spend(type);
  switch (type) {
    case FaultType::kDrop: {
      const Flight& f = net_.flights[target];
      facts_->cause = f.send_step;
      facts_->after = turn_of(f);
      facts_->released = f.release_step;
      touch_path(f.from_node, f.to_node);
      if (sink_) {
        const int64_t peer = f.dest.name ? -1 : static_cast<int64_t>(f.dest.pid);
        std::string detail = guest_.render(f.value);
        if (f.dest.name) detail = "(" + names_[f.dest.name] + ") " + detail;
        emit(StepKind::kFaultDrop, f.from, peer, std::move(detail));
      }
      lose_flight(target, false);
      break;
    }
    case FaultType::kDuplicate: {
      // A copy arrives now; the message itself stays in flight.
      Flight copy = net_.flights[target];
      facts_->after = turn_of(copy);
      facts_->released = copy.release_step;
      copy.value = guest_.copy(copy.value);
      copy.prev = copy.next = 0;
      arrive(copy, StepKind::kFaultDuplicate);
      break;
    }
    case FaultType::kCrash:
      net_.nodes[target].crashed_by_fault = true;
      net_.nodes[target].fault_step = step_no_;
      stop_node(target, kNoPid, StepKind::kFaultCrash);
      break;
    case FaultType::kRestart:
      facts_->cause = net_.nodes[target].fault_step;  // it follows its crash: the two never race
      touch(object::node(target), true);
      start_node(target, kNoPid, StepKind::kFaultRestart);
      break;
    case FaultType::kPartition: {
      std::vector<CutChange> changes;
      for (NodeId m = 0; m < net_.nodes.size(); ++m) {
        if (m == target) continue;
        for (auto [from, to] : {std::pair{target, m}, std::pair{m, target}}) {
          touch(object::reach(from, to), false);
          if (cut(from, to) != Cut::kNone) continue;
          changes.push_back({from, to, Cut::kDefer});
          net_.nodes[target].fault_cuts.emplace_back(from, to);
        }
      }
      net_.nodes[target].fault_step = step_no_;
      if (sink_) emit(StepKind::kFaultPartition, -1, -1, names_[net_.nodes[target].name] + " cut off from every node");
      touch(object::node(target), true);
      apply_cuts(changes, kNoPid);
      break;
    }
    case FaultType::kHeal: {
      std::vector<CutChange> changes;
      for (auto [from, to] : net_.nodes[target].fault_cuts) {
        touch(object::reach(from, to), false);
        if (cut(from, to) == Cut::kDefer) changes.push_back({from, to, Cut::kNone});
      }
      net_.nodes[target].fault_cuts.clear();
      facts_->cause = net_.nodes[target].fault_step;  // it follows its partition
      if (sink_) emit(StepKind::kFaultHeal, -1, -1, names_[net_.nodes[target].name] + " reconnected");
      touch(object::node(target), true);
      apply_cuts(changes, kNoPid);
      break;
    }
  }
  if (faults_on_) node_faults();
  (void)result;
}

}  // namespace lockstep::vm

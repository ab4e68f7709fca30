// Nodes (SPEC 5.7, 5.9; docs/cluster.md): starting and stopping nodes and
// partitions of any shape. A partition cuts a direction between two nodes:
// a "defer" cut holds its messages (not deliverable until healed), a
// "drop" cut loses a message delivered across it. Links and monitors
// between two nodes that stop being connected report noconnection, as
// Erlang's distribution does when a connection drops. Messages in flight
// are in vm/ops_network.cc, cluster-wide names in vm/ops_global.cc, the
// durable store in vm/ops_disk.cc.
#include <algorithm>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

namespace {

constexpr size_t kMaxNodes = 1024;

}  // namespace

void Vm::add_cluster_ops(OpTable& table) {
  // kDeliver is never a process's pending operation (deliveries are events
  // of their own); it is claimed here so the table covers every kind.
  table[static_cast<size_t>(StepKind::kDeliver)] = {&Vm::access_none, &Vm::perform_none};
  table[static_cast<size_t>(StepKind::kStartNodes)] = {&Vm::access_cluster, &Vm::perform_start_nodes};
  table[static_cast<size_t>(StepKind::kStopNode)] = {&Vm::access_cluster, &Vm::perform_stop_node};
  table[static_cast<size_t>(StepKind::kStartNode)] = {&Vm::access_cluster, &Vm::perform_start_node};
  table[static_cast<size_t>(StepKind::kPartition)] = {&Vm::access_cluster, &Vm::perform_cut};
  table[static_cast<size_t>(StepKind::kHeal)] = {&Vm::access_cluster, &Vm::perform_cut};
}

NodeId Vm::find_node(std::string_view name) const {
  const NameId id = names_.find(name);
  if (id == 0) return kLocalNode;
  for (NodeId n = 0; n < net_.nodes.size(); ++n) {
    if (net_.nodes[n].name == id) return n;
  }
  return kLocalNode;
}

bool Vm::connected(NodeId a, NodeId b) const {
  if (!net_.nodes[a].up || !net_.nodes[b].up) return false;
  return a == b || (cut(a, b) == Cut::kNone && cut(b, a) == Cut::kNone);
}

// The first node an operation names (a partition's: its first group's
// first, else the second's), kMainNode if none, kLocalNode if unknown.
NodeId Vm::first_node(const PendingOp& op) const {
  const std::vector<NameId>* first = nullptr;
  if (op.kind == StepKind::kPartition || op.kind == StepKind::kHeal) {
    const CutArgs& cut = op.as<CutArgs>();
    first = cut.a.empty() ? &cut.b : &cut.a;
  } else {
    first = &op.as<NodesArgs>().nodes;
  }
  return first->empty() ? kMainNode : find_node(names_[first->front()]);
}

void Vm::access_cluster(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kPartition:
    case StepKind::kHeal: {
      // One direction it cuts or heals stands for all it writes: the
      // first it changes; if it changes none, the first it names, from
      // the first node of its first group to the first of the second (or
      // to the first node outside the group, for an isolation or a heal
      // of everything).
      NodeId from = kLocalNode, to = kLocalNode;
      if (cut_changes(op, from, to)) {
        out.object = object::reach(from, to);
        out.writes = true;
        break;
      }
      // One that changes nothing reads the first direction it names.
      const CutArgs& cut = op.as<CutArgs>();
      const NodeId a = cut.a.empty() ? kMainNode : find_node(names_[cut.a.front()]);
      NodeId b = cut.b.empty() ? kLocalNode : find_node(names_[cut.b.front()]);
      if (cut.b.empty()) {
        for (NodeId n = 0; n < net_.nodes.size() && b == kLocalNode; ++n) {
          if (n != a && std::find_if(cut.a.begin(), cut.a.end(), [&](NameId x) { return find_node(names_[x]) == n; }) ==
                            cut.a.end())
            b = n;
        }
      }
      if (a != kLocalNode && b != kLocalNode && a != b) {
        out.object = object::reach(a, b);
        out.writes = false;
        break;
      }
      [[fallthrough]];
    }
    case StepKind::kStopNode:
    case StepKind::kStartNode:
      // What it writes is every node it names (the facts list them all);
      // the first stands for them among enabled operations.
      if (const NodeId n = first_node(op); n != kLocalNode) {
        out.object = object::node(n);
        out.writes = true;
      }
      break;
    default:
      break;
  }
}

// The node named `name`, or kLocalNode with an error reply.
NodeId Vm::check_node(NameId name, Reply& reply, const char* what) {
  const NodeId n = find_node(names_[name]);
  if (n == kLocalNode && reply.kind != Reply::Kind::kError) {
    reply.kind = Reply::Kind::kError;
    reply.error = std::string(what) + ": no node is named \"" + names_[name] + "\" (start it with ls.cluster.start_nodes)";
  }
  return n;
}

bool Vm::perform_start_nodes(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const std::vector<NameId>& nodes = op.as<NodesArgs>().nodes;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string& name = names_[nodes[i]];
    const auto before = nodes.begin() + static_cast<ptrdiff_t>(i);
    if (find_node(name) != kLocalNode || std::find(nodes.begin(), before, nodes[i]) != before) {
      reply.kind = Reply::Kind::kError;
      reply.error = "start_nodes: a node named \"" + name + "\" already exists";
      break;
    }
  }
  if (reply.kind == Reply::Kind::kNone && net_.nodes.size() + nodes.size() > kMaxNodes) {
    reply.kind = Reply::Kind::kError;
    reply.error = "start_nodes: at most " + std::to_string(kMaxNodes) + " nodes";
  }
  if (reply.kind == Reply::Kind::kError) {
    op.release(guest_);  // the boot functions of nodes never started
    if (sink_) emit(StepKind::kStartNodes, pid, -1, "failed");
    return true;
  }
  std::string detail;
  const size_t old_n = net_.nodes.size();
  std::vector<ValueRef>& boots = op.as<NodesArgs>().boots;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NameId name = nodes[i];
    Node& node = net_.nodes.emplace_back();
    node.name = name;
    node.boot = std::exchange(boots[i], 0);
    detail += (detail.empty() ? "" : ", ") + names_[name];
    touch(object::node(static_cast<uint32_t>(net_.nodes.size() - 1)), true);
  }
  if (!net_.cuts.empty()) {  // the matrix grows: new nodes are connected to all
    std::vector<Cut> grown(net_.nodes.size() * net_.nodes.size(), Cut::kNone);
    for (size_t a = 0; a < old_n; ++a) {
      for (size_t b = 0; b < old_n; ++b) grown[a * net_.nodes.size() + b] = net_.cuts[a * old_n + b];
    }
    net_.cuts = std::move(grown);
  }
  // A new node learns the cluster-wide names from the nodes it reaches.
  for (NodeId n = static_cast<NodeId>(old_n); n < net_.nodes.size(); ++n) {
    for (NodeId m = 0; m < old_n; ++m) {
      if (connected(n, m)) merge_global(n, m, pid);
    }
  }
  if (faults_on_) node_faults();
  if (sink_) emit(StepKind::kStartNodes, pid, -1, detail);
  for (NodeId n = static_cast<NodeId>(old_n); n < net_.nodes.size(); ++n) boot_node(n);
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

bool Vm::perform_stop_node(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const NodeId n = check_node(op.as<NodesArgs>().nodes[0], reply, "stop_node");
  if (n == kLocalNode) return true;
  touch(object::node(n), true);
  if (n == procs_[kRootPid].node) {
    reply.kind = Reply::Kind::kError;
    reply.error = "stop_node: the test's root runs on node " + names_[net_.nodes[n].name] + ", which cannot stop";
    return true;
  }
  reply.kind = Reply::Kind::kBool;
  reply.b = net_.nodes[n].up;
  if (!net_.nodes[n].up) {
    if (sink_) emit(StepKind::kStopNode, pid, -1, names_[net_.nodes[n].name] + " (already down)");
    return true;
  }
  const NodeId here = procs_[pid].node;
  stop_node(n, pid);
  return n != here;  // else the caller went down with its node
}

bool Vm::perform_start_node(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const NodeId n = check_node(op.as<NodesArgs>().nodes[0], reply, "start_node");
  if (n == kLocalNode) return true;
  touch(object::node(n), true);
  reply.kind = Reply::Kind::kBool;
  reply.b = !net_.nodes[n].up;
  if (net_.nodes[n].up) {
    if (sink_) emit(StepKind::kStartNode, pid, -1, names_[net_.nodes[n].name] + " (already up)");
    return true;
  }
  start_node(n, pid);
  return true;
}

// partition and heal: the two groups it names (checked: known nodes, none
// on both sides), or false with an error reply.
bool Vm::cut_groups(const CutArgs& args, const char* what, std::vector<NodeId>& a, std::vector<NodeId>& b,
                    Reply& reply) {
  for (NameId name : args.a) a.push_back(check_node(name, reply, what));
  for (NameId name : args.b) b.push_back(check_node(name, reply, what));
  if (reply.kind == Reply::Kind::kError) return false;
  for (NodeId x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) {
      reply.kind = Reply::Kind::kError;
      reply.error = std::string(what) + ": node " + names_[net_.nodes[x].name] + " is on both sides";
      return false;
    }
  }
  return true;
}

bool Vm::perform_cut(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  // Copied out: merging cluster-wide names may kill the caller, whose
  // pending operation then becomes its exit.
  const StepKind kind = op.kind;
  const bool heal = kind == StepKind::kHeal;
  const bool oneway = op.as<CutArgs>().oneway;
  const Cut cut_mode = op.as<CutArgs>().mode;
  std::vector<NodeId> a, b;
  if (!cut_groups(op.as<CutArgs>(), heal ? "heal" : "partition", a, b, reply)) return true;
  const bool all = heal && a.empty() && b.empty();
  bool fault_cuts_cleared = false;
  if (all) {
    for (NodeId n = 0; n < net_.nodes.size(); ++n) {  // a partition fault's cut is healed too
      if (net_.nodes[n].fault_cuts.empty()) continue;
      net_.nodes[n].fault_cuts.clear();
      touch(object::node(n), true);
      fault_cuts_cleared = true;
    }
  }
  complete_groups(heal, a, b);
  const Cut mode = heal ? Cut::kNone : cut_mode;
  std::vector<CutChange> changes;
  // Only the directions it changes are written: a heal of what is not
  // cut (or a cut of what is cut so already) reads them, and commutes
  // with the messages that cross them.
  auto change = [&](NodeId from, NodeId to) {
    if (cut(from, to) == mode) {
      touch(object::reach(from, to), false);
      return;
    }
    changes.push_back({from, to, mode});
  };
  for (NodeId x : a) {
    for (NodeId y : b) {
      if (x == y) continue;
      change(x, y);
      if (!oneway) change(y, x);
    }
  }
  if (!changes.empty() || fault_cuts_cleared) apply_cuts(changes, pid);  // (which offers the faults anew)
  if (sink_) {
    auto group = [&](const std::vector<NodeId>& g) {
      std::string s = "{";
      for (size_t i = 0; i < g.size(); ++i) s += (i ? ", " : "") + names_[net_.nodes[g[i]].name];
      return s + "}";
    };
    std::string detail = "all";
    if (!all) {
      detail = group(a) + (oneway ? " -> " : " | ") + group(b);
      if (!heal) detail += mode == Cut::kDrop ? " (drop)" : " (defer)";
      if (oneway) detail += " one-way";
    }
    emit(kind, pid, -1, std::move(detail));
  }
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

// A heal of everything names no group: every node on both sides. A
// group alone (an isolation, or a heal of one group with the rest) is
// cut from or healed with every node outside it.
void Vm::complete_groups(bool heal, std::vector<NodeId>& a, std::vector<NodeId>& b) const {
  if (heal && a.empty() && b.empty()) {
    for (NodeId n = 0; n < net_.nodes.size(); ++n) a.push_back(n);
    b = a;
  } else if (b.empty()) {
    for (NodeId n = 0; n < net_.nodes.size(); ++n) {
      if (std::find(a.begin(), a.end(), n) == a.end()) b.push_back(n);
    }
  }
}

// Whether a pending partition or heal would change a direction, and the
// first it would change (from, to): one that would change none only
// reads what it names, and commutes with the messages crossing it.
bool Vm::cut_changes(const PendingOp& op, NodeId& from, NodeId& to) const {
  const CutArgs& args = op.as<CutArgs>();
  const bool heal = op.kind == StepKind::kHeal;
  std::vector<NodeId> a, b;
  for (NameId name : args.a) a.push_back(find_node(names_[name]));
  for (NameId name : args.b) b.push_back(find_node(names_[name]));
  if (std::find(a.begin(), a.end(), kLocalNode) != a.end() || std::find(b.begin(), b.end(), kLocalNode) != b.end())
    return false;  // an error the step reports
  complete_groups(heal, a, b);
  const Cut mode = heal ? Cut::kNone : args.mode;
  for (NodeId x : a) {
    for (NodeId y : b) {
      if (x == y) continue;
      for (auto [f, t] : {std::pair{x, y}, std::pair{y, x}}) {
        if (cut(f, t) != mode) {
          from = f;
          to = t;
          return true;
        }
        if (args.oneway) break;
      }
    }
  }
  return false;
}

void Vm::apply_cuts(const std::vector<CutChange>& changes, Pid by) {
  const size_t n = net_.nodes.size();
  std::vector<uint8_t> before(n * n, 0);
  for (NodeId x = 0; x < n; ++x) {
    for (NodeId y = 0; y < n; ++y) before[x * n + y] = connected(x, y);
  }
  // It writes what it cuts or heals, and reads what decides whether a
  // pair it changes was connected before and is after: both nodes' state
  // and the other direction.
  for (const CutChange& c : changes) {
    set_cut(c.from, c.to, c.mode);
    touch(object::reach(c.from, c.to), true);
    touch(object::reach(c.to, c.from), false);
    touch(object::node(c.from), false);
    touch(object::node(c.to), false);
  }
  // Pairs that became connected merge their cluster-wide names; pairs that
  // stopped being connected break their links and monitors.
  for (NodeId x = 0; x < n; ++x) {
    for (NodeId y = x + 1; y < n; ++y) {
      if (!before[x * n + y] && connected(x, y)) merge_global(x, y, by);
    }
  }
  for (NodeId x = 0; x < n; ++x) {
    for (NodeId y = 0; y < n; ++y) {
      if (before[x * n + y] && !connected(x, y)) disconnect(x, y);
    }
  }
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    if (net_.flights[id].live) update_flight(id);
  }
  if (faults_on_) node_faults();
}

void Vm::start_node(NodeId n, Pid by, StepKind kind) {
  if (sink_) emit(kind, by == kNoPid ? -1 : static_cast<int64_t>(by), -1, names_[net_.nodes[n].name]);
  net_.nodes[n].up = true;
  net_.nodes[n].crashed_by_fault = false;
  for (NodeId m = 0; m < net_.nodes.size(); ++m) {
    if (m != n && connected(n, m)) merge_global(n, m, by);
  }
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    if (net_.flights[id].live) update_flight(id);
  }
  if (faults_on_) node_faults();
  boot_node(n);
}

void Vm::boot_node(NodeId n) {
  const ValueRef body = net_.nodes[n].boot;
  if (!body) return;
  guest_.retain(body);  // the node keeps it for its next start
  const Pid child = new_process(body, step_no_);
  procs_[child].node = n;
  created_.push_back(EventKey::process(child));
  if (log_sink_) log_sink_->on_process_node(child, node_name(n));
}

void Vm::set_cut(NodeId from, NodeId to, Cut mode) {
  if (net_.cuts.empty()) {
    if (mode == Cut::kNone) return;
    net_.cuts.assign(net_.nodes.size() * net_.nodes.size(), Cut::kNone);
  }
  net_.cuts[from * net_.nodes.size() + to] = mode;
}

// Links and monitors between processes on `a` and `b` break: each side
// learns noconnection (an exit signal for links, DOWN for monitors).
void Vm::disconnect(NodeId a, NodeId b) {
  for (uint32_t id = 1; id < net_.flights.size(); ++id) {
    const Flight& f = net_.flights[id];
    if (f.live && f.what != Flight::What::kMessage &&
        ((f.from_node == a && f.to_node == b) || (f.from_node == b && f.to_node == a))) {
      lose_flight(id, true);
    }
  }
  std::vector<std::pair<Pid, Pid>> links;
  for (Pid p = 0; p < procs_.size(); ++p) {
    if (procs_[p].node != a || procs_[p].state == Process::State::kDead) continue;
    for (Pid l : procs_[p].links) {
      if (l < procs_.size() && procs_[l].node == b) links.emplace_back(p, l);
    }
  }
  for (auto [p, l] : links) {
    std::erase(procs_[p].links, l);
    std::erase(procs_[l].links, p);
    touch(object::process(p), true);
    touch(object::process(l), true);
    exit_signal(p, l, Reason{ReasonKind::kNoconnection, 0}, true, step_no_);
    exit_signal(l, p, Reason{ReasonKind::kNoconnection, 0}, true, step_no_);
  }
  std::vector<RefId> refs;
  for (const auto& [ref, m] : monitors_) {
    const NodeId w = node_of(m.watcher), t = node_of(m.target);
    if ((w == a && t == b) || (w == b && t == a)) refs.push_back(ref);
  }
  std::sort(refs.begin(), refs.end());
  std::vector<Pid> told;
  for (auto [p, l] : links) {
    told.push_back(p);
    told.push_back(l);
  }
  for (RefId ref : refs) told.push_back(monitors_.find(ref)->second.watcher);
  note_told_in_order(told);
  for (RefId ref : refs) {
    auto it = monitors_.find(ref);
    const Monitor mon = it->second;
    monitors_.erase(it);
    std::erase(procs_[mon.watcher].watching, ref);
    std::erase(procs_[mon.target].watchers, ref);
    // What either end finds: the target's end (as the watcher's end reads
    // it when it takes the monitor away: drop_watching()) and the
    // watcher's, which takes the monitor away or, once the partition has,
    // finds nothing to take (every end writes its links object). Not the
    // processes, which their own steps write (a monitor of the target's
    // own would race with the partition in one order of the watcher's end
    // and not in the other). Reading only the target's, the partition
    // raced with the watcher's end when the end came first and not when it
    // came second.
    touch(object::links(mon.target), false);
    touch(object::links(mon.watcher), false);
    Message m;
    m.kind = Message::Kind::kDown;
    m.from = mon.target;
    m.ref = ref;
    m.reason = Reason{ReasonKind::kNoconnection, 0};
    m.origin_step = step_no_;
    touch(object::mailbox(mon.watcher), true);
    enqueue(mon.watcher, m);
  }
}

// One step tells these processes of ends (exit signals, DOWNs) in the
// order of pids and references: a process told twice gets them in an order
// that follows how things are numbered (Vm::read_ids).
void Vm::note_told_in_order(std::vector<Pid>& told) const {
  std::sort(told.begin(), told.end());
  if (std::adjacent_find(told.begin(), told.end()) != told.end()) read_ids();
}

void Vm::stop_node(NodeId n, Pid by, StepKind kind) {
  net_.nodes[n].up = false;
  std::vector<Pid> dying;
  for (Pid p = 0; p < procs_.size(); ++p) {
    if (procs_[p].node != n) continue;
    if (procs_[p].state != Process::State::kDead) {
      dying.push_back(p);
    } else {
      // Had it not ended yet, the stop would have ended it instead.
      touch(object::process(p), false);
    }
  }
  // All at once: none of them sees another's end.
  for (Pid p : dying) {
    touch(object::process(p), true);
    procs_[p].op.release(guest_);
    procs_[p].op.set<ExitArgs>(StepKind::kExit);
    procs_[p].state = Process::State::kDead;
  }
  std::vector<Pid> told;
  for (Pid p : dying) {
    for (Pid l : procs_[p].links) told.push_back(l);
    for (RefId ref : procs_[p].watchers) {
      if (auto it = monitors_.find(ref); it != monitors_.end()) told.push_back(it->second.watcher);
    }
  }
  note_told_in_order(told);
  for (Pid p : dying) teardown(p, Reason{ReasonKind::kNoconnection, 0}, true);
  // Timers armed on it are gone with it.
  for (TimerId id = 1; id < timers_.end(); ++id) {
    Timer& t = timers_[id];
    if (!t.armed || t.owner >= procs_.size() || procs_[t.owner].node != n) continue;
    if (t.msg) guest_.release(t.msg);
    t.msg = 0;
    disarm_timer(id);
  }
  drop_flights(n);
  net_.nodes[n].global.clear();
  // The disk keeps what was synced and a prefix of what was not (a crash
  // can come while the writes are on their way): a controlled choice.
  std::string disk_note;
  if (auto& unsynced = net_.nodes[n].unsynced; !unsynced.empty()) {
    const size_t kept = static_cast<size_t>(choose(unsynced.size() + 1));
    for (size_t i = 0; i < unsynced.size(); ++i) {
      touch(disk_object(n, unsynced[i].first), true);
      if (i < kept) {
        apply_disk_write(net_.nodes[n], unsynced[i]);
      } else if (unsynced[i].second) {
        guest_.release(unsynced[i].second);
      }
    }
    disk_note = ", " + std::to_string(kept) + " of " + std::to_string(unsynced.size()) + " unsynced writes kept";
    unsynced.clear();
  }
  // Links and monitors from the rest of the cluster were told by teardown.
  if (faults_on_) node_faults();
  if (sink_) {
    emit(kind, by == kNoPid ? -1 : static_cast<int64_t>(by), -1,
         names_[net_.nodes[n].name] + " (" + std::to_string(dying.size()) + " process" + (dying.size() == 1 ? "" : "es") +
             " lost" + disk_note + ")");
  }
}

void Vm::post_start_nodes(std::vector<NameId> names, std::vector<ValueRef> boots) {
  NodesArgs& args = post<NodesArgs>(StepKind::kStartNodes);
  args.nodes = std::move(names);
  args.boots = std::move(boots);
  args.boots.resize(args.nodes.size(), 0);
}

void Vm::post_stop_node(NameId node) { post<NodesArgs>(StepKind::kStopNode).nodes.assign(1, node); }

void Vm::post_start_node(NameId node) { post<NodesArgs>(StepKind::kStartNode).nodes.assign(1, node); }

void Vm::post_partition(std::vector<NameId> a, std::vector<NameId> b, Cut mode, bool oneway) {
  post<CutArgs>(StepKind::kPartition) = {std::move(a), std::move(b), mode, oneway};
}

void Vm::post_heal(std::vector<NameId> a, std::vector<NameId> b) {
  post<CutArgs>(StepKind::kHeal) = {std::move(a), std::move(b), Cut::kNone, false};
}

}  // namespace lockstep::vm

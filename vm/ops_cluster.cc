// Nodes and the network (SPEC 5.7, 5.9; docs/cluster.md): starting and
// stopping nodes, partitions of any shape, messages in flight between
// nodes, and cluster-wide names (ls.global).
//
// A message between two nodes is in flight from its send until the
// scheduler delivers it: each is an event of its own (EventKind::kDelivery).
// Messages from one sender to one receiver form a channel and arrive in the
// order sent (only a channel's head can be delivered), unless the test lets
// the network reorder. A partition cuts a direction between two nodes: a
// "defer" cut holds its messages (not deliverable until healed), a "drop"
// cut loses a message delivered across it. Links and monitors between two
// nodes that stop being connected report noconnection, as Erlang's
// distribution does when a connection drops.
#include <algorithm>

#include "engine/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

namespace {

constexpr size_t kMaxNodes = 1024;

uint64_t global_object(const std::string& name) { return object::name(fnv1a("global:" + name)); }

}  // namespace

void Vm::add_cluster_ops(OpTable& table) {
  for (StepKind k : {StepKind::kDeliver, StepKind::kStartNodes, StepKind::kStopNode, StepKind::kStartNode,
                     StepKind::kPartition, StepKind::kHeal, StepKind::kGlobalRegister, StepKind::kGlobalUnregister,
                     StepKind::kGlobalWhereis, StepKind::kGlobalSend, StepKind::kDiskPut, StepKind::kDiskGet,
                     StepKind::kDiskDelete, StepKind::kDiskSync}) {
    table[static_cast<size_t>(k)] = {&Vm::access_cluster, &Vm::perform_cluster};
  }
}

NodeId Vm::find_node(std::string_view name) const {
  auto it = name_ids_.find(name);
  if (it == name_ids_.end()) return kLocalNode;
  for (NodeId n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].name == it->second) return n;
  }
  return kLocalNode;
}

bool Vm::connected(NodeId a, NodeId b) const {
  if (!nodes_[a].up || !nodes_[b].up) return false;
  return a == b || (cut(a, b) == Cut::kNone && cut(b, a) == Cut::kNone);
}

void Vm::access_cluster(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kStopNode:
    case StepKind::kStartNode:
    case StepKind::kPartition:
    case StepKind::kHeal:
      // What it writes is every node it names (the facts list them all);
      // the first stands for them among enabled operations.
      if (const NodeId n = op.nodes.empty() ? kMainNode : find_node(names_[op.nodes[0]]); n != kLocalNode) {
        out.object = object::node(n);
        out.writes = true;
      }
      break;
    case StepKind::kGlobalRegister:
    case StepKind::kGlobalUnregister:
      out.object = global_object(names_[op.name]);
      out.writes = true;
      break;
    case StepKind::kGlobalWhereis:
    case StepKind::kGlobalSend:
      out.object = global_object(names_[op.name]);
      break;
    case StepKind::kDiskPut:
    case StepKind::kDiskDelete:
      out.object = disk_object(procs_[pid].node, op.key);
      out.writes = true;
      break;
    case StepKind::kDiskGet:
      out.object = disk_object(procs_[pid].node, op.key);
      break;
    case StepKind::kDiskSync:
      out.object = object::node(procs_[pid].node);  // what a crash keeps
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

bool Vm::perform_cluster(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  const NodeId here = procs_[pid].node;
  switch (op.kind) {
    case StepKind::kStartNodes: {
      std::string detail;
      for (size_t i = 0; i < op.nodes.size(); ++i) {
        const std::string& name = names_[op.nodes[i]];
        const bool twice = std::find(op.nodes.begin(), op.nodes.begin() + static_cast<ptrdiff_t>(i), op.nodes[i]) !=
                           op.nodes.begin() + static_cast<ptrdiff_t>(i);
        if (find_node(name) != kLocalNode || twice) {
          reply.kind = Reply::Kind::kError;
          reply.error = "start_nodes: a node named \"" + name + "\" already exists";
          break;
        }
      }
      if (reply.kind == Reply::Kind::kNone && nodes_.size() + op.nodes.size() > kMaxNodes) {
        reply.kind = Reply::Kind::kError;
        reply.error = "start_nodes: at most " + std::to_string(kMaxNodes) + " nodes";
      }
      if (reply.kind == Reply::Kind::kError) {
        if (sink_) emit(StepKind::kStartNodes, pid, -1, "failed");
        break;
      }
      const size_t old_n = nodes_.size();
      for (NameId name : op.nodes) {
        nodes_.emplace_back().name = name;
        detail += (detail.empty() ? "" : ", ") + names_[name];
        touch(object::node(static_cast<uint32_t>(nodes_.size() - 1)), true);
      }
      if (!cuts_.empty()) {  // the matrix grows: new nodes are connected to all
        std::vector<Cut> grown(nodes_.size() * nodes_.size(), Cut::kNone);
        for (size_t a = 0; a < old_n; ++a) {
          for (size_t b = 0; b < old_n; ++b) grown[a * nodes_.size() + b] = cuts_[a * old_n + b];
        }
        cuts_ = std::move(grown);
      }
      // A new node learns the cluster-wide names from the nodes it reaches.
      for (NodeId n = static_cast<NodeId>(old_n); n < nodes_.size(); ++n) {
        for (NodeId m = 0; m < old_n; ++m) {
          if (connected(n, m)) merge_global(n, m, pid);
        }
      }
      if (sink_) emit(StepKind::kStartNodes, pid, -1, detail);
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kStopNode: {
      const NodeId n = check_node(op.nodes[0], reply, "stop_node");
      if (n == kLocalNode) break;
      touch(object::node(n), true);
      if (n == procs_[kRootPid].node) {
        reply.kind = Reply::Kind::kError;
        reply.error = "stop_node: the test's root runs on node " + names_[nodes_[n].name] + ", which cannot stop";
        break;
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = nodes_[n].up;
      if (!nodes_[n].up) {
        if (sink_) emit(StepKind::kStopNode, pid, -1, names_[nodes_[n].name] + " (already down)");
        break;
      }
      stop_node(n, pid);
      if (n == here) return false;  // the caller went down with its node
      break;
    }
    case StepKind::kStartNode: {
      const NodeId n = check_node(op.nodes[0], reply, "start_node");
      if (n == kLocalNode) break;
      touch(object::node(n), true);
      reply.kind = Reply::Kind::kBool;
      reply.b = !nodes_[n].up;
      if (sink_) emit(StepKind::kStartNode, pid, -1, names_[nodes_[n].name] + (nodes_[n].up ? " (already up)" : ""));
      if (nodes_[n].up) break;
      nodes_[n].up = true;
      for (NodeId m = 0; m < nodes_.size(); ++m) {
        if (m != n && connected(n, m)) merge_global(n, m, pid);
      }
      for (uint32_t id = 1; id < flights_.size(); ++id) {
        if (flights_[id].live) update_flight(id);
      }
      break;
    }
    case StepKind::kPartition:
    case StepKind::kHeal: {
      const bool heal = op.kind == StepKind::kHeal;
      const char* what = heal ? "heal" : "partition";
      const size_t split = static_cast<size_t>(op.a);
      std::vector<NodeId> a, b;
      for (size_t i = 0; i < op.nodes.size(); ++i) {
        const NodeId n = check_node(op.nodes[i], reply, what);
        (i < split ? a : b).push_back(n);
      }
      if (reply.kind == Reply::Kind::kError) break;
      for (NodeId x : a) {
        if (std::find(b.begin(), b.end(), x) != b.end()) {
          reply.kind = Reply::Kind::kError;
          reply.error = std::string(what) + ": node " + names_[nodes_[x].name] + " is on both sides";
          break;
        }
      }
      if (reply.kind == Reply::Kind::kError) break;
      const bool all = heal && a.empty() && b.empty();
      if (all) {
        for (NodeId n = 0; n < nodes_.size(); ++n) a.push_back(n);
        b = a;
      } else if (b.empty()) {  // isolate, or heal one group with every other node
        for (NodeId n = 0; n < nodes_.size(); ++n) {
          if (std::find(a.begin(), a.end(), n) == a.end()) b.push_back(n);
        }
      }
      const size_t n = nodes_.size();
      std::vector<uint8_t> before(n * n, 0);
      for (NodeId x = 0; x < n; ++x) {
        for (NodeId y = 0; y < n; ++y) before[x * n + y] = connected(x, y);
      }
      const Cut mode = heal ? Cut::kNone : static_cast<Cut>(op.b);
      for (NodeId x : a) {
        for (NodeId y : b) {
          if (x == y) continue;
          set_cut(x, y, mode);
          if (!op.flag) set_cut(y, x, mode);
        }
      }
      for (NodeId x : a) touch(object::node(x), true);
      for (NodeId y : b) touch(object::node(y), true);
      std::string conflicts;
      if (heal) {
        for (NodeId x = 0; x < n; ++x) {
          for (NodeId y = x + 1; y < n; ++y) {
            if (!before[x * n + y] && connected(x, y)) merge_global(x, y, pid);
          }
        }
      } else {
        std::vector<uint8_t> broken(n * n, 0);
        bool any = false;
        for (NodeId x = 0; x < n; ++x) {
          for (NodeId y = 0; y < n; ++y) {
            broken[x * n + y] = before[x * n + y] && !connected(x, y);
            any = any || broken[x * n + y];
          }
        }
        if (any) {
          for (NodeId x = 0; x < n; ++x) {
            for (NodeId y = 0; y < n; ++y) {
              if (broken[x * n + y]) disconnect(x, y);
            }
          }
        }
      }
      for (uint32_t id = 1; id < flights_.size(); ++id) {
        if (flights_[id].live) update_flight(id);
      }
      if (sink_) {
        auto group = [&](const std::vector<NodeId>& g) {
          std::string s = "{";
          for (size_t i = 0; i < g.size(); ++i) s += (i ? ", " : "") + names_[nodes_[g[i]].name];
          return s + "}";
        };
        std::string detail;
        if (all) {
          detail = "all";
        } else {
          detail = group(a) + (op.flag ? " -> " : " | ") + group(b);
          if (!heal) detail += mode == Cut::kDrop ? " (drop)" : " (defer)";
          if (op.flag) detail += " one-way";
        }
        emit(op.kind, pid, -1, std::move(detail));
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kGlobalRegister: {
      auto& view = nodes_[here].global;
      const Pid t = op.pid;
      touch(object::process(t), false);
      // As Erlang's global (which locks the name on every node it is
      // connected to): taken if any node this one reaches has it.
      bool ok = view.find(op.name) == view.end() && is_alive(t);
      for (NodeId m = 0; m < nodes_.size(); ++m) {
        touch(object::node(m), false);  // what it reaches decides where the name goes
        if (connected(here, m) && nodes_[m].global.count(op.name)) ok = false;
      }
      if (sink_) emit(StepKind::kGlobalRegister, pid, t, "\"" + names_[op.name] + "\"" + (ok ? "" : " -> false"));
      if (ok) {
        for (NodeId m = 0; m < nodes_.size(); ++m) {
          if (connected(here, m)) nodes_[m].global[op.name] = t;
        }
        procs_[t].global_named = true;
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = ok;
      break;
    }
    case StepKind::kGlobalUnregister: {
      auto& view = nodes_[here].global;
      auto it = view.find(op.name);
      if (sink_) emit(StepKind::kGlobalUnregister, pid, -1, "\"" + names_[op.name] + "\"");
      if (it != view.end()) {
        const Pid was = it->second;
        for (NodeId m = 0; m < nodes_.size(); ++m) {
          touch(object::node(m), false);
          if (!connected(here, m)) continue;
          auto at = nodes_[m].global.find(op.name);
          if (at != nodes_[m].global.end() && at->second == was) nodes_[m].global.erase(at);
        }
      }
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kGlobalWhereis:
    case StepKind::kGlobalSend: {
      const auto& view = nodes_[here].global;
      auto it = view.find(op.name);
      const Pid found = it == view.end() ? kNoPid : it->second;
      if (op.kind == StepKind::kGlobalWhereis) {
        if (sink_) {
          emit(StepKind::kGlobalWhereis, pid, found == kNoPid ? -1 : static_cast<int64_t>(found),
               "\"" + names_[op.name] + "\"" + (found == kNoPid ? " -> nil" : ""));
        }
        reply.kind = found == kNoPid ? Reply::Kind::kNil : Reply::Kind::kPid;
        reply.u = found;
        break;
      }
      if (sink_) {
        emit(StepKind::kGlobalSend, pid, found == kNoPid ? -1 : static_cast<int64_t>(found),
             "(" + names_[op.name] + ") " + guest_.render(op.value) + (found == kNoPid ? " -> not registered" : ""));
      }
      if (found == kNoPid) {
        guest_.release(op.value);
        op.value = 0;
        reply.kind = Reply::Kind::kError;
        reply.error = "global.send: no process is registered globally as \"" + names_[op.name] + "\"";
        break;
      }
      if (node_of(found) == here) touch(object::mailbox(found), true);
      route(pid, here, Dest{found, 0, kLocalNode}, op.value);
      op.value = 0;
      reply.kind = Reply::Kind::kPid;
      reply.u = found;
      break;
    }
    case StepKind::kDiskPut:
    case StepKind::kDiskDelete: {
      Node& node = nodes_[here];
      touch(object::node(here), false);  // what a crash of the node keeps
      const bool put = op.kind == StepKind::kDiskPut;
      if (sink_) emit(op.kind, pid, -1, op.text + (put ? " = " + guest_.render(op.value) : ""));
      node.unsynced.emplace_back(op.key, put ? op.value : 0);
      op.value = 0;
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kDiskGet: {
      const Node& node = nodes_[here];
      ValueRef found = 0;
      bool known = false;
      for (auto it = node.unsynced.rbegin(); it != node.unsynced.rend() && !known; ++it) {
        if (it->first == op.key) {
          known = true;
          found = it->second;
        }
      }
      if (!known) {
        auto it = node.disk.find(op.key);
        if (it != node.disk.end()) found = it->second;
      }
      if (sink_) emit(StepKind::kDiskGet, pid, -1, op.text + (found ? "" : " -> nil"));
      if (found) {
        reply.kind = Reply::Kind::kCopyOf;
        reply.value = found;
        if (op.value) guest_.release(op.value);
      } else if (op.flag) {
        reply.kind = Reply::Kind::kValue;
        reply.value = op.value;
      } else {
        reply.kind = Reply::Kind::kNil;
      }
      op.value = 0;
      break;
    }
    case StepKind::kDiskSync: {
      Node& node = nodes_[here];
      if (sink_) emit(StepKind::kDiskSync, pid, -1, std::to_string(node.unsynced.size()) + " writes");
      for (auto& write : node.unsynced) {
        touch(disk_object(here, write.first), true);
        apply_disk_write(node, write);
      }
      node.unsynced.clear();
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    default:
      break;
  }
  return true;
}

uint64_t Vm::disk_object(NodeId node, const std::string& key) const {
  return object::disk(fnv1a(key) ^ (0x9e3779b97f4a7c15ull * (node + 1)));
}

void Vm::apply_disk_write(Node& node, std::pair<std::string, ValueRef>& write) {
  auto it = node.disk.find(write.first);
  if (it != node.disk.end()) {
    guest_.release(it->second);
    if (write.second) {
      it->second = write.second;
    } else {
      node.disk.erase(it);
    }
  } else if (write.second) {
    node.disk.emplace(write.first, write.second);
  }
  write.second = 0;
}

void Vm::set_cut(NodeId from, NodeId to, Cut mode) {
  if (cuts_.empty()) {
    if (mode == Cut::kNone) return;
    cuts_.assign(nodes_.size() * nodes_.size(), Cut::kNone);
  }
  cuts_[from * nodes_.size() + to] = mode;
}

// Links and monitors between processes on `a` and `b` break: each side
// learns noconnection (an exit signal for links, DOWN for monitors).
void Vm::disconnect(NodeId a, NodeId b) {
  for (uint32_t id = 1; id < flights_.size(); ++id) {
    const Flight& f = flights_[id];
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
  for (RefId ref : refs) {
    auto it = monitors_.find(ref);
    const Monitor mon = it->second;
    monitors_.erase(it);
    std::erase(procs_[mon.watcher].watching, ref);
    std::erase(procs_[mon.target].watchers, ref);
    touch(object::process(mon.target), false);
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

void Vm::stop_node(NodeId n, Pid by) {
  nodes_[n].up = false;
  std::vector<Pid> dying;
  for (Pid p = 0; p < procs_.size(); ++p) {
    if (procs_[p].node == n && procs_[p].state != Process::State::kDead) dying.push_back(p);
  }
  // All at once: none of them sees another's end.
  for (Pid p : dying) {
    touch(object::process(p), true);
    release_op(procs_[p].op);
    procs_[p].op.reset(StepKind::kExit);
    procs_[p].state = Process::State::kDead;
  }
  for (Pid p : dying) teardown(p, Reason{ReasonKind::kNoconnection, 0}, true);
  // Timers armed on it are gone with it.
  for (TimerId id = 1; id < timers_.size(); ++id) {
    Timer& t = timers_[id];
    if (!t.armed || t.owner >= procs_.size() || procs_[t.owner].node != n) continue;
    if (t.msg) guest_.release(t.msg);
    t.msg = 0;
    disarm_timer(id);
  }
  drop_flights(n);
  nodes_[n].global.clear();
  // The disk keeps what was synced and a prefix of what was not (a crash
  // can come while the writes are on their way): a controlled choice.
  std::string disk_note;
  if (auto& unsynced = nodes_[n].unsynced; !unsynced.empty()) {
    const size_t kept = static_cast<size_t>(choose(unsynced.size() + 1));
    for (size_t i = 0; i < unsynced.size(); ++i) {
      touch(disk_object(n, unsynced[i].first), true);
      if (i < kept) {
        apply_disk_write(nodes_[n], unsynced[i]);
      } else if (unsynced[i].second) {
        guest_.release(unsynced[i].second);
      }
    }
    disk_note = ", " + std::to_string(kept) + " of " + std::to_string(unsynced.size()) + " unsynced writes kept";
    unsynced.clear();
  }
  // Links and monitors from the rest of the cluster were told by teardown.
  if (sink_) {
    emit(StepKind::kStopNode, by, -1,
         names_[nodes_[n].name] + " (" + std::to_string(dying.size()) + " process" + (dying.size() == 1 ? "" : "es") +
             " lost" + disk_note + ")");
  }
}

void Vm::merge_global(NodeId a, NodeId b, Pid by) {
  auto& va = nodes_[a].global;
  auto& vb = nodes_[b].global;
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
    for (Node& node : nodes_) {  // every view that named the loser now names the winner
      auto at = node.global.find(name);
      if (at != node.global.end() && at->second == loser) at->second = winner;
    }
    if (sink_) {
      emit(StepKind::kHeal, by, loser,
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
  for (Node& node : nodes_) {
    std::erase_if(node.global, [&](const auto& entry) {
      if (entry.second != pid) return false;
      touch(global_object(names_[entry.first]), true);
      return true;
    });
  }
}

// --- Messages in flight -----------------------------------------------------

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
  const auto id = static_cast<uint32_t>(flights_.size());
  uint32_t& channel = f.dest.name ? name_channel_ids_[{f.from, f.to_node, f.dest.name}]
                                  : channel_ids_[(static_cast<uint64_t>(f.from) << 32) | f.dest.pid];
  if (channel == 0) {
    channel = static_cast<uint32_t>(channels_.size());
    channels_.emplace_back();
  }
  f.send_step = step_no_;
  f.channel = channel;
  f.live = true;
  Channel& ch = channels_[channel];
  f.prev = ch.tail;
  f.next = 0;
  if (ch.tail) {
    flights_[ch.tail].next = id;
  } else {
    ch.head = id;
  }
  ch.tail = id;
  flights_.push_back(f);
  created_.push_back(EventKey{EventKind::kDelivery, id});
  update_flight(id);
}

void Vm::lose_flight(uint32_t id, bool notify) {
  Flight& f = flights_[id];
  if (!f.live) return;
  f.live = false;
  disable(EventKey{EventKind::kDelivery, id});
  unlink_flight(id);
  Flight fl = flights_[id];
  flights_[id].value = 0;
  flights_[id].reason = {};
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
  const Flight& f = flights_[id];
  Op op;
  op.key = EventKey{EventKind::kDelivery, id};
  op.step = StepKind::kDeliver;
  op.writes = true;
  op.object = f.dest.name ? name_object(f.to_node, f.dest.name) : object::mailbox(f.dest.pid);
  return op;
}

void Vm::update_flight(uint32_t id) {
  const Flight& f = flights_[id];
  // Reordering lets messages overtake each other, never a signal (a DOWN
  // always follows what its sender sent before it ended).
  const bool in_turn = channels_[f.channel].head == id || (options_.reorder && f.what == Flight::What::kMessage);
  const bool deliverable = f.live && in_turn && cut(f.from_node, f.to_node) != Cut::kDefer;
  if (deliverable) {
    enable(delivery_op(id));
  } else {
    disable(EventKey{EventKind::kDelivery, id});
  }
}

// Takes flight `id` out of its channel; the next one may become deliverable.
void Vm::unlink_flight(uint32_t id) {
  Flight& f = flights_[id];
  Channel& ch = channels_[f.channel];
  if (f.prev) {
    flights_[f.prev].next = f.next;
  } else {
    ch.head = f.next;
  }
  if (f.next) {
    flights_[f.next].prev = f.prev;
  } else {
    ch.tail = f.prev;
  }
  const uint32_t next = f.next;
  f.prev = f.next = 0;
  if (next && ch.head == next) update_flight(next);
}

void Vm::deliver(uint32_t id, StepResult& result) {
  Flight& f = flights_[id];
  f.live = false;
  disable(EventKey{EventKind::kDelivery, id});
  unlink_flight(id);
  Flight fl = flights_[id];
  flights_[id].value = 0;
  flights_[id].reason = {};
  facts_.cause = fl.send_step;
  touch(object::node(fl.from_node), false);
  touch(object::node(fl.to_node), false);
  const char* dropped = nullptr;
  Pid to = kNoPid;
  if (!nodes_[fl.to_node].up) {
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
  if (!dropped && !is_alive(to)) {
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
    if (dropped) detail += std::string("  (dropped: ") + dropped + ")";
    const int64_t peer = to != kNoPid ? static_cast<int64_t>(to) : fl.dest.name ? -1 : static_cast<int64_t>(fl.dest.pid);
    emit(StepKind::kDeliver, fl.from, peer, std::move(detail));
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
  (void)result;
}

// Messages in flight from or to a node that stops are lost; a signal from
// it becomes noconnection for its receiver.
void Vm::drop_flights(NodeId node) {
  for (uint32_t id = 1; id < flights_.size(); ++id) {
    const Flight& f = flights_[id];
    if (f.live && (f.from_node == node || f.to_node == node)) lose_flight(id, f.to_node != node);
  }
}

size_t Vm::held_messages() const {
  size_t held = 0;
  for (uint32_t id = 1; id < flights_.size(); ++id) {
    const Flight& f = flights_[id];
    if (f.live && cut(f.from_node, f.to_node) == Cut::kDefer) ++held;
  }
  return held;
}

// --- Posting --------------------------------------------------------------

void Vm::post_start_nodes(std::vector<NameId> names) { post(StepKind::kStartNodes).nodes = std::move(names); }

void Vm::post_stop_node(NameId node) { post(StepKind::kStopNode).nodes.assign(1, node); }

void Vm::post_start_node(NameId node) { post(StepKind::kStartNode).nodes.assign(1, node); }

void Vm::post_partition(std::vector<NameId> a, std::vector<NameId> b, Cut mode, bool oneway) {
  auto& op = post(StepKind::kPartition);
  op.a = static_cast<int64_t>(a.size());
  op.b = static_cast<int64_t>(mode);
  op.flag = oneway;
  op.nodes = std::move(a);
  op.nodes.insert(op.nodes.end(), b.begin(), b.end());
}

void Vm::post_heal(std::vector<NameId> a, std::vector<NameId> b) {
  auto& op = post(StepKind::kHeal);
  op.a = static_cast<int64_t>(a.size());
  op.nodes = std::move(a);
  op.nodes.insert(op.nodes.end(), b.begin(), b.end());
}

void Vm::post_global_register(NameId name, Pid pid) {
  auto& op = post(StepKind::kGlobalRegister);
  op.name = name;
  op.pid = pid;
}

void Vm::post_global_unregister(NameId name) { post(StepKind::kGlobalUnregister).name = name; }

void Vm::post_global_whereis(NameId name) { post(StepKind::kGlobalWhereis).name = name; }

void Vm::post_global_send(NameId name, ValueRef msg) {
  auto& op = post(StepKind::kGlobalSend);
  op.name = name;
  op.value = msg;
}

}  // namespace lockstep::vm

namespace lockstep::vm {

void Vm::post_disk_put(std::string key, std::string text, ValueRef value) {
  auto& op = post(StepKind::kDiskPut);
  op.key = std::move(key);
  op.text = std::move(text);
  op.value = value;
}

void Vm::post_disk_get(std::string key, std::string text, ValueRef fallback, bool has_fallback) {
  auto& op = post(StepKind::kDiskGet);
  op.key = std::move(key);
  op.text = std::move(text);
  op.value = fallback;
  op.flag = has_fallback;
}

void Vm::post_disk_delete(std::string key, std::string text) {
  auto& op = post(StepKind::kDiskDelete);
  op.key = std::move(key);
  op.text = std::move(text);
}

void Vm::post_disk_sync() { post(StepKind::kDiskSync); }

}  // namespace lockstep::vm

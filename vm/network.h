// Nodes and the network between them: which nodes exist and are up, each
// node's view of the cluster-wide names and its durable store, the cuts
// partitions made, and the messages in flight on per-sender-and-receiver
// channels. The state of the cluster concerns; their operations are in
// vm/ops_cluster.cc (nodes, partitions), vm/ops_network.cc (flights),
// vm/ops_global.cc (ls.global), vm/ops_disk.cc (ls.disk) and
// vm/ops_faults.cc (faults on nodes and messages).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vm/registry.h"
#include "vm/state_hash.h"
#include "vm/timers.h"

namespace lockstep::vm {

using RefId = uint64_t;

enum class ReasonKind : uint8_t { kNormal, kKill, kKilled, kNoproc, kNoconnection, kValue };
struct Reason {
  ReasonKind kind = ReasonKind::kNormal;
  ValueRef value = 0;  // for kValue
};

// How a partition treats a message between the nodes it separates.
enum class Cut : uint8_t { kNone = 0, kDefer = 1, kDrop = 2 };

struct Node {
  NameId name = 0;
  bool up = true;
  std::map<NameId, Pid> global;  // its view of the cluster-wide names
  std::map<std::string, ValueRef> disk;  // its durable store (synced)
  std::vector<std::pair<std::string, ValueRef>> unsynced;  // writes since the last sync (0: delete)
  bool crashed_by_fault = false;  // down by a fault: a restart fault may bring it back
  ValueRef boot = 0;  // the spawn body run on it whenever it starts (0: none)
  std::vector<std::pair<NodeId, NodeId>> fault_cuts;  // directions a partition fault cut (a heal fault restores them)
  // The step of the crash or partition fault a restart or heal would undo
  // (the step that caused it; not part of the state, as no step number is).
  uint32_t fault_step = 0;
};

// A message between nodes, in flight until delivered (EventKind::kDelivery):
// a user message, or a signal that must not overtake the messages its
// sender sent before it (a DOWN, a linked process's exit, ls.exit(pid, r)).
struct Flight {
  enum class What : uint8_t { kMessage, kDown, kLinkExit, kSignal };
  What what = What::kMessage;
  Pid from = kNoPid;
  NodeId from_node = 0, to_node = 0;
  Dest dest;
  ValueRef value = 0;  // kMessage
  Reason reason;       // signals
  RefId ref = 0;       // kDown: the monitor
  uint32_t send_step = 0;
  uint32_t turn_step = 0;        // the step that took the message before it off its channel (0: none)
  uint32_t release_step = 0;     // the step that lifted a cut holding it back in its turn (0: none)
  uint32_t channel = 0;          // its sender -> receiver channel
  uint32_t prev = 0, next = 0;   // neighbours in the channel (0: none)
  bool live = false;
  bool held = false;  // in its turn, held back by a cut
};

struct Channel {
  uint32_t head = 0, tail = 0;
  uint32_t last_out = 0;  // the step that took its last message off (delivered or lost; 0: none)
};

struct Network {
  Network() { reset(); }
  // One node named `main` is up; nothing is cut or in flight.
  void reset(NameId main_name = 0);

  Cut cut(NodeId from, NodeId to) const { return cuts.empty() ? Cut::kNone : cuts[from * nodes.size() + to]; }

  // Nodes (up, name, cluster-wide names, disk: synced and buffered writes,
  // which faults left them down or cut), the cut matrix, and every live
  // flight with its place in its channel.
  void hash(StateHasher& h, ValueHasher& values, const Names& names) const;
  std::string describe(const Names& names) const;

  std::vector<Node> nodes;        // index = NodeId; 0 is "main"
  std::vector<Cut> cuts;          // [from * nodes + to]; empty: no partition ever
  std::vector<Flight> flights;    // index = delivery id (0 unused)
  std::vector<Channel> channels;  // index = channel id (0 unused)
  std::unordered_map<uint64_t, uint32_t> channel_ids;  // (from << 32 | to pid) -> channel id
  std::map<std::tuple<Pid, NodeId, NameId>, uint32_t> name_channel_ids;  // to a name on a node
};

}  // namespace lockstep::vm

// What a process asks the VM to do at its next sync point: a step kind and
// that kind's own arguments. Each group of kinds that take the same
// arguments has one struct (never a field whose meaning changes by kind);
// the concern that performs the kind owns the struct's meaning, noted
// beside it. Every struct releases the guest values it still holds (a
// process killed before its step ran) and hashes itself for a state
// fingerprint (vm/pending_op.cc).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/types.h"
#include "vm/ets.h"
#include "vm/network.h"
#include "vm/registry.h"
#include "vm/state_hash.h"
#include "vm/timers.h"

namespace lockstep::vm {

class Guest;
using RefId = uint64_t;

// What an argument struct needs to hash itself: guest values by content,
// interned names by their text.
struct OpHashing {
  StateHasher& h;
  ValueHasher& values;
  const Names& names;
  void reason(const Reason& r) const;
  void value(ValueRef v) const;  // 0 (none) hashes apart from any value
  void key(std::string_view k) const { values.hash_key(k, h); }
};

// kRegistered, kDiskSync: nothing to say.
struct NoArgs {
  void release(Guest&) {}
  void hash(const OpHashing&) const {}
};

// --- Processes (vm/ops_process.cc). ---
enum class SpawnMode : uint8_t { kPlain, kLink, kMonitor };

struct StartArgs {  // kStart: the body a new process runs
  ValueRef body = 0;
  void release(Guest& g);
  void hash(const OpHashing& o) const { o.value(body); }
};

struct SpawnArgs {  // kSpawn
  ValueRef body = 0;
  SpawnMode mode = SpawnMode::kPlain;
  NodeId node = kLocalNode;  // kLocalNode: the caller's
  NameId name = 0;           // registered to the child on its node in the same step (0: none)
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

struct TargetArgs {  // kLink, kUnlink, kMonitor, kIsAlive: the other process
  Pid pid = kNoPid;
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.pid(pid); }
};

struct DemonitorArgs {  // kDemonitor
  RefId ref = 0;
  bool flush = false;
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.ref(ref).boolean(flush); }
};

struct TrapExitArgs {  // kTrapExit
  bool on = false;
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.boolean(on); }
};

struct ExitArgs {  // kExit: the process ends with `reason`
  Reason reason;
  void release(Guest& g);
  void hash(const OpHashing& o) const { o.reason(reason); }
};

struct SignalArgs {  // kSignal: ls.exit(pid, reason)
  Pid pid = kNoPid;
  Reason reason;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

// --- Mailboxes (vm/ops_mailbox.cc). ---
struct SendArgs {  // kSend
  Dest dest;
  ValueRef msg = 0;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

struct ReceiveArgs {  // kReceive
  ValueRef matcher = 0;    // 0: any message
  int64_t timeout_ms = -1; // < 0: wait forever
  bool library = false;    // posted by lockstep's own library (genserver.call...), not the scenario
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

// --- Names: local (vm/ops_registry.cc) and cluster-wide (vm/ops_global.cc). ---
struct NameArgs {  // kRegister, kUnregister, kWhereis, kGlobal{Register,Unregister,Whereis}
  NameId name = 0;
  Pid pid = kNoPid;  // register: who
  void release(Guest&) {}
  void hash(const OpHashing& o) const;
};

struct GlobalSendArgs {  // kGlobalSend
  NameId name = 0;
  ValueRef msg = 0;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

// --- Timers (vm/ops_timers.cc). ---
struct SleepArgs {  // kSleep
  int64_t ms = 0;  // < 0: forever
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.i64(ms); }
};

struct SendAfterArgs {  // kSendAfter
  Dest dest;
  ValueRef msg = 0;
  int64_t ms = 0;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

struct CancelTimerArgs {  // kCancelTimer
  TimerId timer = 0;
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.timer(timer); }
};

// --- Shared state (vm/ops_shared.cc, vm/ops_ets.cc). ---
struct AtomicsArgs {  // kAtomics*: cell `index` (1-based) of array `array`
  uint64_t array = 0;
  int64_t index = 0;
  int64_t a = 0, b = 0;  // the value (put, add, exchange); expected, desired (compare_exchange)
  bool get_new = false;  // add: reply with the new value
  void release(Guest&) {}
  void hash(const OpHashing& o) const;
};

struct TermArgs {  // kTerm{Put,Get,Erase}, keyed by canonical key bytes
  std::string key;
  ValueRef value = 0;  // put: the term; get: the fallback
  bool has_fallback = false;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

// How a history event is ordered against the history's other events.
enum class HistoryOrder : uint8_t {
  kTotal = 0,       // before or after every other event (ls.history.new{total_order = true})
  kInvocation = 1,  // real time: commutes with the other invocations
  kCompletion = 2,  // real time: commutes with the other completions
};

struct HistoryArgs {  // kHistory: an event recorded in history `history`
  uint64_t history = 0;
  std::string detail;
  HistoryOrder order = HistoryOrder::kTotal;
  void release(Guest&) {}
  void hash(const OpHashing& o) const { o.h.u64(history).bytes(detail).u64(static_cast<uint64_t>(order)); }
};

struct EtsNewArgs {  // kEtsNew
  Ets::Options options;
  void release(Guest&) {}
  void hash(const OpHashing& o) const;
};

// One element an update_element writes: position `pos` (1-based) := value.
struct ElementWrite {
  int64_t pos = 0;
  ValueRef value = 0;
};

struct EtsArgs {  // every other kEts* kind: one table, a key or rows
  uint32_t table = 0;
  std::string key;                  // canonical key bytes
  std::vector<EtsRow> rows;         // insert, insert_new
  std::vector<ElementWrite> elements;  // update_element
  int64_t pos = 0;                  // lookup_element, update_counter: the element
  int64_t incr = 0;                 // update_counter
  ValueRef value = 0;               // update_counter: the default row
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

// --- Nodes and the network (vm/ops_cluster.cc). ---
struct NodesArgs {  // kStartNodes, kStopNode, kStartNode
  std::vector<NameId> nodes;
  // kStartNodes: per node, the spawn body of its boot function (0: none),
  // run on the node whenever it starts.
  std::vector<ValueRef> boots;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

struct CutArgs {  // kPartition (cuts a from b), kHeal (both empty: everything)
  std::vector<NameId> a, b;
  Cut mode = Cut::kDefer;
  bool oneway = false;  // only a -> b
  void release(Guest&) {}
  void hash(const OpHashing& o) const;
};

// --- A node's durable store (vm/ops_disk.cc). ---
struct DiskArgs {  // kDisk{Put,Get,Delete}
  std::string key;     // canonical key bytes
  std::string text;    // the key as the scenario wrote it, for reports
  ValueRef value = 0;  // put: the value; get: the fallback
  bool has_fallback = false;
  void release(Guest& g);
  void hash(const OpHashing& o) const;
};

using OpArgs = std::variant<NoArgs, StartArgs, SpawnArgs, TargetArgs, DemonitorArgs, TrapExitArgs, ExitArgs,
                            SignalArgs, SendArgs, ReceiveArgs, NameArgs, GlobalSendArgs, SleepArgs, SendAfterArgs,
                            CancelTimerArgs, AtomicsArgs, TermArgs, HistoryArgs, EtsNewArgs, EtsArgs, NodesArgs,
                            CutArgs, DiskArgs>;

struct PendingOp {
  StepKind kind = StepKind::kStart;
  OpArgs args;

  // The arguments of this kind (a kind read as another's is a bug: throws).
  template <class A>
  A& as() {
    return std::get<A>(args);
  }
  template <class A>
  const A& as() const {
    return std::get<A>(args);
  }
  // A new operation of `k` with blank arguments of type A.
  template <class A>
  A& set(StepKind k) {
    kind = k;
    return args.emplace<A>();
  }
  // Releases the guest values the arguments hold, and forgets them.
  void release(Guest& g) {
    std::visit([&g](auto& a) { a.release(g); }, args);
  }
  void hash(const OpHashing& o) const {
    o.h.tag(static_cast<uint64_t>(kind) + 1).u64(args.index());
    std::visit([&o](const auto& a) { a.hash(o); }, args);
  }
};

}  // namespace lockstep::vm

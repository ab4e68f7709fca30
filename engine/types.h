// The engine's vocabulary: what a step is, what a decision is, how a run ends.
//
// These types are shared by the scheduler, the strategies, the trace format
// and the guest runtime. Enum values are written to trace files: never
// renumber them, only append (docs/trace-format.md lists them).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep {

// What a step is to the engine, whatever the guest operation: strategies
// (dfs, rff, the fault injector), causality and coverage branch on roles,
// never on the guest's step kinds, which they get only through step facts
// (StepFacts::role) and enabled operations (Op::role()).
enum class StepRole : uint8_t {
  kOther,
  kSend,      // a message into a mailbox: a send on the sender's node, a delivery from another
  kReceive,   // a receive completes (a message, or its timeout)
  kExit,      // a process ends
  kTimer,     // an armed timer fires
  kFault,     // a fault the strategy injected once: a message dropped or duplicated
  kOutage,    // a fault that lasts until a recovery: a node crashed, a node cut off
  kRecovery,  // a fault that ends an outage: a restart, a heal
};

// The sync-point kind of a step: what the scheduled operation does, as
// (enumerator, number written to traces, name in reports, role). The list
// is the trace format's vocabulary: never renumber; append.
// docs/trace-format.md lists them (and a test checks that it does).
#define LOCKSTEP_STEP_KINDS(X) \
  X(kStart, 0, "start", kOther) \
  X(kSpawn, 1, "spawn", kOther) \
  X(kSend, 2, "send", kSend) \
  X(kReceive, 3, "receive", kReceive) \
  X(kExit, 4, "exit", kExit) \
  X(kLink, 5, "link", kOther) \
  X(kUnlink, 6, "unlink", kOther) \
  X(kMonitor, 7, "monitor", kOther) \
  X(kDemonitor, 8, "demonitor", kOther) \
  X(kTrapExit, 9, "trap_exit", kOther) \
  X(kSignal, 10, "signal", kOther) \
  X(kIsAlive, 11, "is_alive", kOther) \
  X(kRegister, 12, "register", kOther) \
  X(kUnregister, 13, "unregister", kOther) \
  X(kWhereis, 14, "whereis", kOther) \
  X(kRegistered, 15, "registered", kOther) \
  X(kSleep, 16, "sleep", kOther) \
  X(kSendAfter, 17, "send_after", kOther) \
  X(kCancelTimer, 18, "cancel_timer", kOther) \
  X(kTimer, 19, "timer", kTimer) \
  X(kEtsNew, 20, "ets.new", kOther) \
  X(kEtsInsert, 21, "ets.insert", kOther) \
  X(kEtsInsertNew, 22, "ets.insert_new", kOther) \
  X(kEtsLookup, 23, "ets.lookup", kOther) \
  X(kEtsLookupElement, 24, "ets.lookup_element", kOther) \
  X(kEtsMember, 25, "ets.member", kOther) \
  X(kEtsDelete, 26, "ets.delete", kOther) \
  X(kEtsDeleteTable, 27, "ets.delete_table", kOther) \
  X(kEtsTake, 28, "ets.take", kOther) \
  X(kEtsUpdateCounter, 29, "ets.update_counter", kOther) \
  X(kEtsTab2List, 30, "ets.tab2list", kOther) \
  X(kEtsInfo, 31, "ets.info", kOther) \
  X(kAtomicsGet, 32, "atomics.get", kOther) \
  X(kAtomicsPut, 33, "atomics.put", kOther) \
  X(kAtomicsAdd, 34, "atomics.add", kOther) \
  X(kAtomicsExchange, 35, "atomics.exchange", kOther) \
  X(kAtomicsCompareExchange, 36, "atomics.compare_exchange", kOther) \
  X(kTermPut, 37, "persistent_term.put", kOther) \
  X(kTermGet, 38, "persistent_term.get", kOther) \
  X(kTermErase, 39, "persistent_term.erase", kOther) \
  X(kHistory, 40, "history", kOther) \
  X(kDeliver, 41, "deliver", kSend) \
  X(kStartNodes, 42, "start_nodes", kOther) \
  X(kStopNode, 43, "stop_node", kOther) \
  X(kStartNode, 44, "start_node", kOther) \
  X(kPartition, 45, "partition", kOther) \
  X(kHeal, 46, "heal", kOther) \
  X(kGlobalRegister, 47, "global.register_name", kOther) \
  X(kGlobalUnregister, 48, "global.unregister_name", kOther) \
  X(kGlobalWhereis, 49, "global.whereis_name", kOther) \
  X(kGlobalSend, 50, "global.send", kOther) \
  X(kDiskPut, 51, "disk.put", kOther) \
  X(kDiskGet, 52, "disk.get", kOther) \
  X(kDiskDelete, 53, "disk.delete", kOther) \
  X(kDiskSync, 54, "disk.sync", kOther) \
  X(kFaultDrop, 55, "fault.drop", kFault) \
  X(kFaultDuplicate, 56, "fault.duplicate", kFault) \
  X(kFaultCrash, 57, "fault.crash", kOutage) \
  X(kFaultRestart, 58, "fault.restart", kRecovery) \
  X(kFaultPartition, 59, "fault.partition", kOutage) \
  X(kFaultHeal, 60, "fault.heal", kRecovery) \
  X(kEtsUpdateElement, 61, "ets.update_element", kOther) \
  X(kEtsFirst, 62, "ets.first", kOther) \
  X(kEtsNext, 63, "ets.next", kOther)

// kStart: a new process runs for the first time; kSpawn: spawn, spawn_link,
// spawn_monitor; kReceive: a receive completes (message or timeout); kExit:
// a process ends; kSignal: ls.exit(pid, reason); kSleep: a sleep ends;
// kSendAfter: a timer is armed; kTimer: a timer fires; kAtomicsAdd: add,
// add_get, sub, sub_get; kHistory: an event is recorded in an ls.history;
// kDeliver: a message between nodes reaches the receiver's node (an event
// of its own, EventKind::kDelivery); kStartNodes .. kHeal: cluster changes
// (docs/cluster.md); kGlobal*: cluster-wide names; kDisk*: a node's
// durable store; kFault*: a fault the strategy injected (EventKind::kFault):
// a message lost or delivered twice, a node crashed or restarted, a node
// cut off from the others or healed.
enum class StepKind : uint8_t {
#define LOCKSTEP_STEP_KIND_ENUM(kind, number, name, role) kind = number,
  LOCKSTEP_STEP_KINDS(LOCKSTEP_STEP_KIND_ENUM)
#undef LOCKSTEP_STEP_KIND_ENUM
  kCount_,
};

std::string_view step_kind_name(StepKind kind);

constexpr StepRole step_role(StepKind kind) {
  switch (kind) {
#define LOCKSTEP_STEP_KIND_ROLE(kind, number, name, role) \
  case StepKind::kind:                                  \
    return StepRole::role;
    LOCKSTEP_STEP_KINDS(LOCKSTEP_STEP_KIND_ROLE)
#undef LOCKSTEP_STEP_KIND_ROLE
    case StepKind::kCount_:
      break;
  }
  return StepRole::kOther;
}

// Whether a step is a fault the strategy injected (fault.drop ... fault.heal).
inline bool is_fault(StepKind kind) { return kind >= StepKind::kFaultDrop && kind <= StepKind::kFaultHeal; }
inline bool is_fault(StepRole role) { return role >= StepRole::kFault; }

// What the scheduler decided at one point of the run.
enum class DecisionKind : uint8_t {
  kSchedule = 0,   // run process `value`
  kFireTimer = 1,  // fire timer `value`
  kChoice = 2,     // a controlled random choice took `value`
  kDeliver = 3,    // deliver in-flight network message `value`
  kFault = 4,      // inject fault `value`
};

std::string_view decision_kind_name(DecisionKind kind);

// What a schedulable event is. Each kind has its own dense id space (pids,
// timer ids, in-flight message ids, fault ids). Strategies and the enabled
// set key everything by EventKey, so a new kind needs no strategy edits.
enum class EventKind : uint8_t {
  kProcess = 0,   // a process performs its pending operation
  kTimer = 1,     // an armed timer fires
  kDelivery = 2,  // an in-flight message reaches its node
  kFault = 3,     // a fault the strategy may inject
};
inline constexpr size_t kEventKinds = 4;

struct EventKey {
  EventKind kind = EventKind::kProcess;
  uint32_t id = 0;

  bool operator==(const EventKey&) const = default;
  auto operator<=>(const EventKey&) const = default;
  static constexpr EventKey process(uint32_t pid) { return {EventKind::kProcess, pid}; }
  static constexpr EventKey timer(uint32_t id) { return {EventKind::kTimer, id}; }
  // A fault's id is its target << 3 | its kind (vm/ops_faults.cc); the
  // target of a drop or duplicate (StepKind::kFaultDrop, kFaultDuplicate)
  // is a message in flight: the delivery it takes the place of.
  static constexpr uint32_t fault_id(uint32_t target, uint32_t type) { return target << 3 | type; }
  EventKey fault_delivery() const { return {EventKind::kDelivery, id >> 3}; }
};

// "P3", "T2", "D5", "F1": how reports and divergence messages name an event.
std::string event_key_name(EventKey key);
// The decision that runs an event of `kind` (kSchedule, kFireTimer, ...).
constexpr DecisionKind decision_kind(EventKind kind) {
  switch (kind) {
    case EventKind::kProcess: return DecisionKind::kSchedule;
    case EventKind::kTimer: return DecisionKind::kFireTimer;
    case EventKind::kDelivery: return DecisionKind::kDeliver;
    case EventKind::kFault: return DecisionKind::kFault;
  }
  return DecisionKind::kSchedule;
}
// The event kind a decision runs; false for kChoice (not an event).
bool event_kind(DecisionKind kind, EventKind& out);

// A dense table per event kind, indexed by id: what strategies keep per
// event (priorities) and the VM keeps per enabled event (positions). Grows
// on demand; reset() refills without giving memory back.
template <class T>
class EventTable {
 public:
  explicit EventTable(T fill = T{}) : fill_(fill) {}

  T& operator[](EventKey key) {
    std::vector<T>& v = tables_[static_cast<size_t>(key.kind)];
    if (key.id >= v.size()) v.resize(std::max<size_t>(key.id + 1, v.size() * 2), fill_);
    return v[key.id];
  }
  // The stored value, or the fill value for an id never touched.
  T get(EventKey key) const {
    const std::vector<T>& v = tables_[static_cast<size_t>(key.kind)];
    return key.id < v.size() ? v[key.id] : fill_;
  }
  // Every entry back to the fill value, keeping capacity.
  void reset() {
    for (auto& v : tables_) std::fill(v.begin(), v.end(), fill_);
  }

 private:
  std::array<std::vector<T>, kEventKinds> tables_;
  T fill_;
};

// One enabled operation, as the guest offers it to the scheduler.
// `object` names what the operation touches (a mailbox, a name, later a
// table key); two operations race when they touch the same object and at
// least one writes. Zero means "touches nothing shared".
struct Op {
  EventKey key;
  StepKind step = StepKind::kStart;
  bool writes = false;
  bool early = false;  // a timer that may fire before it is due (timers = "any")
  uint64_t object = 0;
  uint64_t value = 0;  // a write that stores exactly this (a hash of it; 0:
                       // unknown): two writes storing the same commute

  bool races_with(const Op& other) const;
  StepRole role() const { return step_role(step); }
};

// Conflict-object name spaces, so distinct kinds of object never collide.
// A whole-table object conflicts with every key of that table. Tags are
// written to traces: never renumber them, only append.
namespace object {
constexpr uint64_t kProcess = 1ull << 56;     // a process's control state: links, monitors, trap flag, liveness
constexpr uint64_t kName = 2ull << 56;        // a registered name (id = name hash)
constexpr uint64_t kTableKey = 3ull << 56;    // table id (bits 32-55) and key hash (bits 0-31)
constexpr uint64_t kTable = 4ull << 56;       // a whole table (id)
constexpr uint64_t kAtomic = 5ull << 56;      // atomics ref (bits 20-55) and index (bits 0-19)
constexpr uint64_t kTerm = 6ull << 56;        // a persistent term (key hash)
constexpr uint64_t kHistory = 7ull << 56;     // an ls.history (id)
constexpr uint64_t kMailbox = 8ull << 56;     // a process's mailbox (pid)
constexpr uint64_t kTimer = 9ull << 56;       // an armed timer (id)
constexpr uint64_t kNode = 10ull << 56;       // a node: whether it is up (id)
constexpr uint64_t kDisk = 11ull << 56;       // a key of a node's durable store (hash of node and key)
constexpr uint64_t kLinks = 12ull << 56;      // a process's links and monitors across nodes, as an end finds them (pid)
constexpr uint64_t kNumbering = 13ull << 56;  // the numbers the next pid, reference, timer, table or array gets
                                              // (written by every creation once a search asks: System::set_numbering_races)
constexpr uint64_t kFaultGate = 14ull << 56;  // whether the strategy may inject faults now (ls.cluster.faults)
constexpr uint64_t kReach = 15ull << 56;      // whether messages from one node get through to another (a cut
                                              // between them: from node bits 24-47, to node bits 0-23)
constexpr uint64_t kClock = 16ull << 56;      // virtual time within a time epoch: a timer that fires before
                                              // it is due (timers = "any") moves it on; arming a timer and
                                              // reading the time read it
constexpr uint64_t kTagMask = 0xffull << 56;
constexpr uint64_t kIdMask = (1ull << 56) - 1;
inline uint64_t process(uint32_t pid) { return kProcess | pid; }
inline uint64_t mailbox(uint32_t pid) { return kMailbox | pid; }
inline uint64_t timer(uint32_t id) { return kTimer | id; }
inline uint64_t node(uint32_t id) { return kNode | id; }
inline uint64_t reach(uint32_t from, uint32_t to) {
  return kReach | (static_cast<uint64_t>(from & 0xffffff) << 24) | (to & 0xffffff);
}
inline uint64_t links(uint32_t pid) { return kLinks | pid; }
inline uint64_t numbering() { return kNumbering; }
inline uint64_t fault_gate() { return kFaultGate; }
inline uint64_t clock() { return kClock; }
inline uint64_t disk(uint64_t hash) { return kDisk | (hash & kIdMask); }
inline uint64_t history(uint64_t id) { return kHistory | (id & kIdMask); }
inline bool is_mailbox(uint64_t o) { return (o & kTagMask) == kMailbox; }
inline bool is_clock(uint64_t o) { return (o & kTagMask) == kClock; }
inline uint64_t name(uint64_t hash) { return kName | (hash & kIdMask); }
inline uint64_t table_key(uint32_t table, uint64_t key_hash) {
  return kTableKey | (static_cast<uint64_t>(table & 0xffffff) << 32) | (key_hash & 0xffffffffull);
}
inline uint64_t table(uint32_t table) { return kTable | (table & 0xffffff); }
inline uint64_t atomic(uint64_t ref, uint64_t index) {
  return kAtomic | ((ref & 0xfffffffffull) << 20) | (index & 0xfffff);
}
inline uint64_t term(uint64_t hash) { return kTerm | (hash & kIdMask); }
// The table a table or table-key object belongs to (0 for other objects).
inline uint32_t table_of(uint64_t o) {
  const uint64_t tag = o & kTagMask;
  if (tag == kTable) return static_cast<uint32_t>(o & 0xffffff);
  if (tag == kTableKey) return static_cast<uint32_t>((o >> 32) & 0xffffff);
  return 0;
}
// Whether two accesses touch overlapping state.
inline bool overlap(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return false;
  if (a == b) return true;
  const bool whole = (a & kTagMask) == kTable || (b & kTagMask) == kTable;
  return whole && table_of(a) != 0 && table_of(a) == table_of(b);
}
}  // namespace object

inline bool Op::races_with(const Op& other) const {
  if (writes && other.writes && value != 0 && value == other.value) return false;
  return (writes || other.writes) && object::overlap(object, other.object);
}

struct Decision {
  DecisionKind kind = DecisionKind::kSchedule;
  StepKind step = StepKind::kStart;  // for events: the op's sync-point kind
  uint64_t value = 0;                // the event's id, or the chosen value

  bool operator==(const Decision&) const = default;
  // The decision that runs `op`.
  static Decision of(const Op& op) { return {decision_kind(op.key.kind), op.step, op.key.id}; }
  // Whether this decision runs the event `key`.
  bool runs(EventKey key) const { return kind == decision_kind(key.kind) && value == key.id; }
};

enum class FailureKind : uint8_t {
  kNone = 0,
  kAssertion = 1,  // the root ended abnormally
  kCrash = 2,      // an unprotected process raised
  kDeadlock = 3,
  kInvariant = 4,
  kMaxSteps = 5,   // only with fail_on_max_steps
  kTimeout = 6,    // the iteration ran past iter_timeout
  kMemory = 7,     // the guest's memory passed max_memory
  kLiveness = 8,   // a liveness monitor stayed hot (engine/scheduler.h)
  kUnreachable = 9,  // ls.unreachable ran
};

std::string_view failure_kind_name(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::kNone;
  uint32_t step = 0;     // 1-based step at which it was detected (0: before any step)
  int64_t pid = -1;      // process it is attributed to, -1 for none
  std::string message;   // e.g. the error message, without its source position
  std::string location;  // "file.lua:12" where known
  std::string details;   // extra lines (blocked processes of a deadlock)

  explicit operator bool() const { return kind != FailureKind::kNone; }
};

// One printed line of the schedule: what a step did. Pids are stored raw and
// named at print time from the trace's process table.
// What the step depended on lives in the step's facts (engine/facts.h).
struct Event {
  uint32_t step = 0;   // 1-based
  StepKind kind = StepKind::kStart;
  int64_t pid = -1;    // acting process; -1 for a timer firing with no owner
  int64_t peer = -1;   // the other process involved, if any
  std::string detail;  // rendered message, reason, name ...
  // Where the process called the operation: 1 + an index into the
  // record's table of "file.lua:12" strings (Trace::locations); 0 if unknown.
  uint32_t location = 0;
};

// Guest output (ls.log / print), tagged with where it happened.
struct LogLine {
  uint32_t step = 0;
  int64_t pid = -1;
  std::string text;
};

// How one iteration ended.
enum class Outcome : uint8_t {
  kPassed = 0,    // the root returned normally
  kFailed = 1,    // see Failure
  kMaxSteps = 2,  // cut off at max_steps (not a bug unless fail_on_max_steps)
  kAbandoned = 3, // the strategy gave the execution up (a replay that no longer fits)
};

}  // namespace lockstep

// The guest actor runtime: processes, mailboxes, links, monitors, exit
// signals, the name registry and virtual-time timers, with Erlang semantics
// (SPEC 5.2, 5.4, 5.9). Implements the engine's System interface.
//
// The VM does not run guest code itself. A Guest (the Lua layer) runs a
// process until it reaches its next sync point, where the process posts the
// operation it wants (post_send, post_receive, ...) and suspends. The
// operation takes effect when the scheduler picks that process: a step is
// "perform the pending operation, then run the process to its next sync
// point". A process's end is a step of its own (kExit).
//
// Guest values (messages, reasons, spawn bodies) are opaque ValueRefs owned
// by the Guest's value store; the VM moves them around and releases them.
//
// Invariants kept for speed: the enabled set is maintained incrementally
// (never rebuilt by scanning processes); a blocked receive tests each
// message once, when it arrives; nothing allocates per step once warm,
// except where a guest operation creates something (a process, a timer).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/system.h"
#include "engine/options.h"
#include "vm/ets.h"
#include "vm/network.h"
#include "vm/pending_op.h"
#include "vm/registry.h"
#include "vm/shared_state.h"
#include "vm/state_hash.h"
#include "vm/timers.h"

namespace lockstep::vm {

inline constexpr Pid kRootPid = 0;
inline constexpr NodeId kMainNode = 0;

std::string_view reason_atom(ReasonKind kind);  // "normal", "kill", ... ("" for kValue)
std::string pid_str(Pid pid);                   // "P3"

struct Message {
  enum class Kind : uint8_t { kUser, kDown, kExit, kRemoved };
  Kind kind = Kind::kUser;
  Pid from = kNoPid;
  ValueRef value = 0;       // kUser payload
  RefId ref = 0;            // kDown: the monitor reference (kept when a match function
                            // made the DOWN a table: demonitor flush finds it)
  Reason reason;            // kDown / kExit
  uint32_t origin_step = 0; // the step that sent it (for the causal slice)
};

// What a completed operation hands back to the process.
struct Reply {
  enum class Kind : uint8_t {
    kNone, kStart, kPid, kNil, kBool, kInt, kRef, kTimer, kMessage, kNames, kError,
    kPidRef,   // spawn_monitor: pid `u` and monitor ref `i`
    kValue,    // `value`, whose ownership passes to the guest
    kCopyOf,   // a fresh copy of stored `value` (the store keeps it)
    kCas,      // compare_exchange: `b`, and the current value `i` when false
    kTable,    // an ETS table handle (`u`)
    kList,     // a list of `values`: copies, or the values themselves when `owned`
    kElement,  // element `i` of each of `values` (copies): one, or a list for bags
  };
  Kind kind = Kind::kNone;
  uint64_t u = 0;    // pid, ref, timer id
  int64_t i = 0;     // kInt
  bool as_unsigned = false;  // kInt/kCas: `i` holds an unsigned 64-bit value
  bool b = false;    // kBool
  ValueRef value = 0;  // kStart: the spawn body
  std::vector<ValueRef> values;  // kList / kElement
  bool owned = false;            // kList: ownership of `values` passes to the guest
  bool as_list = false;          // kElement: a list (bag tables)
  Message message;   // kMessage (ownership of its values passes to the guest)
  std::string error; // kError: raised in the process
};

struct ResumeResult {
  enum class How : uint8_t { kYielded, kReturned, kRaised, kTimedOut };
  How how = How::kYielded;
  ValueRef error = 0;    // kRaised: the error value (owned by the VM from here)
  std::string message;   // kRaised: printable message, without position
  std::string location;  // kRaised: "file.lua:12", if known
};

// Thrown by a guest whose memory ran out where it could not raise an
// error in guest code (while the VM copies, matches or renders a value
// outside any process): the step in progress ends the iteration as a
// `memory` bug. The guest's state is not used again before the next reset.
struct GuestMemoryExhausted final : std::exception {
  const char* what() const noexcept override { return "the guest's memory is exhausted"; }
};

// Runs guest code for the VM. Implemented by the Lua layer; tests use fakes.
class Guest : public ValueHasher {
 public:
  virtual ~Guest() = default;
  // ValueHasher: a stored value by content, handles through the hasher's
  // naming (a guest that cannot, by its id: equal states may then differ).
  void hash_value(ValueRef v, StateHasher& h) override { h.u64(v); }
  // What the guest holds for process `pid` that the VM does not see (its
  // continuation: frames, locals, upvalues), by content.
  virtual void hash_process(Pid pid, StateHasher& h) {}
  // What the guest holds outside processes that a run's future can
  // depend on (invariants and liveness monitors, with their upvalues).
  virtual void hash_shared(StateHasher& h) {}
  // Runs process `pid` with `reply` as the result of its pending operation
  // until it posts its next operation (kYielded) or ends.
  virtual ResumeResult resume(Pid pid, Reply& reply) = 0;
  // Does receive matcher `matcher` accept `msg`? May rewrite `msg` (it may
  // materialise a system message into a user value). On error, sets `error`.
  virtual bool match(ValueRef matcher, Message& msg, std::string& error) = 0;
  virtual void retain(ValueRef v) = 0;
  virtual void release(ValueRef v) = 0;
  // A fresh copy of stored value `v` (a message the network duplicates:
  // each copy is received as its own value).
  virtual ValueRef copy(ValueRef v) {
    retain(v);
    return v;
  }
  // A short Lua-literal rendering, for events.
  virtual std::string render(ValueRef v) = 0;
  // Runs the registered invariants; a non-empty result names the broken one.
  virtual bool check_invariants(std::string& message) { return true; }
  virtual bool has_invariants() const { return false; }
  // Liveness monitors (ls.liveness): how many are registered, and which
  // are hot now (bit i: monitor i's function returned true). False, with
  // `message`, when one raised.
  virtual uint32_t monitor_count() const { return 0; }
  virtual bool check_monitors(uint64_t& hot, std::string& message) { return true; }
  virtual std::string monitor_name(uint32_t i) const { return {}; }
  // The process is gone: drop whatever the guest holds for it.
  virtual void discard(Pid pid) {}
  // Called at the start of every step, recorded or not.
  virtual void begin_step() {}
  // The iteration's steps are over: no guest code of it runs again.
  virtual void end_steps() {}
  // ETS update_counter: read / write integer element `pos` of a stored tuple.
  virtual bool tuple_integer(ValueRef tuple, int64_t pos, int64_t& out) { return false; }
  virtual void set_tuple_integer(ValueRef tuple, int64_t pos, int64_t v) {}
  // ETS update_element: how many elements stored tuple `tuple` has; and
  // element `pos` := stored value `value`, which the tuple takes over.
  virtual int64_t tuple_size(ValueRef tuple) { return 0; }
  virtual void set_tuple_element(ValueRef tuple, int64_t pos, ValueRef value) { release(value); }
  // The reference a message is tagged with: the ref at its first position
  // (as in {ref, reply}), or 0.
  virtual RefId message_tag(ValueRef v) { return 0; }
  // A stable hash of a message's shape: its type and, for a table, the
  // type and value of its first element ("get" in {"get", from}).
  virtual uint64_t message_shape(ValueRef v) { return 0; }
  // The iteration's wall-clock budget ran out inside guest code.
  virtual bool timed_out() const { return false; }
  // "file.lua:12": the scenario line where process `pid` posted its pending
  // operation, or "" (only asked for when a run's events are recorded).
  virtual std::string location(Pid pid) { return {}; }
  // The guest's memory passed the iteration's limit (max_memory).
  virtual bool memory_exhausted() const { return false; }
  // Whether anything is left to check after a step: invariants or monitors
  // registered, the time or memory limit hit. False lets a step skip them.
  virtual bool needs_step_checks() const { return true; }
};


struct VmOptions {
  TimerMode timers = TimerMode::kQuiescent;
  bool allow_crashes = false;
  bool reorder = false;  // messages between nodes may overtake each other
  FaultBudget faults;    // faults the strategy may inject (vm/ops_faults.cc)
  // The root's return does not end the iteration at once: its end is a
  // step like any other (a search runs it once nothing else can run).
  bool root_waits = false;
  // Bytes of log text (ls.log, print) one iteration keeps; past them its
  // further lines are dropped, with one line saying so.
  size_t max_log_bytes = SIZE_MAX;
};

class Vm final : public System {
 public:
  Vm(Guest& guest, VmOptions options);
  ~Vm() override;

  // Back to the state just after construction, keeping the buffers (so a
  // worker's iterations do not allocate the VM afresh). The guest must be
  // reset with it: values held from the last iteration are forgotten, not
  // released.
  void reset(VmOptions options);

  // Creates the root process (pid 0) with spawn body `body`.
  void start_root(ValueRef body);

  // --- System ---
  std::span<const Op> enabled() override;
  bool advance_time() override;
  StepResult step(const Op& op, ChoiceSource& choices) override;
  Failure deadlock() override;
  void set_event_sink(EventSink* sink) override;
  void set_observing(bool on) override { observing_ = on; }
  void set_numbering_races(bool on) override { numbering_races_ = on; }
  void set_shapes(bool on) override { shapes_ = on; }
  std::string monitor_name(uint32_t i) const override { return guest_.monitor_name(i); }
  bool observing() const { return observing_; }

  // A fingerprint of the iteration's state (vm/state.cc): every process
  // (its pending operation, mailbox in order, links, monitors, flags, and
  // what the guest holds for it: Guest::hash_process), names, timers
  // relative to now, shared state, nodes, the network and the fault budget
  // left. Everything is named canonically (state_hash.h), so two orders of
  // independent steps that reach one state give one fingerprint.
  // With options.absolute_time, the virtual time itself too.
  Fingerprint fingerprint(const StateOptions& options = {});
  std::optional<StateId> state_id(const StateOptions& options) override {
    const Fingerprint f = fingerprint(options);
    return StateId{f.hi, f.lo};
  }
  // Each enabled event named as the fingerprint names what it acts on: a
  // process by its creation path, a timer by its name, a message in flight
  // by its channel's ends and its place there, a fault by its kind and
  // target (vm/state.cc).
  void event_names(std::span<const Op> enabled, const StateOptions& options, std::vector<uint64_t>& out) override;
  bool clock_read() const override { return clock_read_; }
  bool ids_read() const override { return ids_read_; }
  bool root_waits_for_time() const override;
  std::optional<EventKey> roots_due_timer() const override;
  bool timer_footprint(const Op& timer, std::vector<Access>& out) const override;
  // Guest code read how things are numbered (StateOptions::ids): a pid or
  // table printed, pids compared, pairs or an ETS table ordered by them.
  void read_ids() const { ids_read_ = true; }
  void note_told_in_order(std::vector<Pid>& told) const;
  Exercised exercised() const override { return exercised_; }
  void end_steps() override { guest_.end_steps(); }

  // Goals (ls.sometimes, ls.reachable, ls.unreachable; vm/vm.cc): one call
  // of goal `name` at `location` ran with `met` as its condition. An
  // unreachable goal met is this step's failure (kUnreachable), reported
  // once the step ends.
  void count_goal(std::string_view name, std::string_view location, bool unreachable, bool met);
  // The same state for a reader, one concern after another.
  std::string describe_state() const;

  // --- Sync points: called by the running process, which then suspends. ---
  // A new process; with kLink linked to the caller, with kMonitor
  // monitored by it, in the same step (reply: pid, or pid and ref).
  using SpawnMode = vm::SpawnMode;
  // On `node` (kLocalNode: the caller's); a down or unreachable node gives
  // a pid that is already dead (noconnection to a link or monitor).
  // With `name`, the child is registered under it on its node in the same
  // step (an error, and no process, if the name is taken there).
  void post_spawn(ValueRef body, SpawnMode mode, NodeId node = kLocalNode, NameId name = 0);
  void post_send(Dest dest, ValueRef msg);
  // timeout_ms < 0: wait forever. matcher 0: any message.
  // `library`: posted by lockstep's own Lua library, not the scenario.
  void post_receive(ValueRef matcher, int64_t timeout_ms, bool library = false);
  void post_link(Pid pid);
  void post_unlink(Pid pid);
  void post_monitor(Pid pid);
  void post_demonitor(RefId ref, bool flush);
  void post_trap_exit(bool on);
  void post_exit(Reason reason);              // end self
  void post_signal(Pid pid, Reason reason);   // exit signal to another
  void post_is_alive(Pid pid);
  void post_register(NameId name, Pid pid);
  void post_unregister(NameId name);
  void post_whereis(NameId name);
  void post_registered();
  void post_sleep(int64_t ms);
  void post_send_after(Dest dest, ValueRef msg, int64_t ms);
  void post_cancel_timer(TimerId timer);
  // Atomics: kAtomicsGet/Put/Add/Exchange/CompareExchange on cell `index`
  // (1-based, already checked). Add returns the new value when `get_new`.
  void post_atomics(StepKind kind, uint64_t id, int64_t index, int64_t a, int64_t b, bool get_new);
  // persistent_term, keyed by canonical key bytes.
  void post_term_put(std::string key, ValueRef value);
  void post_term_get(std::string key, ValueRef fallback, bool has_fallback);
  void post_term_erase(std::string key);
  // A sync point that orders a history event: the process records it right
  // after the step is scheduled, so event order is the schedule's order
  // (`order`: which other events of the history it races with).
  void post_history(uint64_t history, std::string detail, HistoryOrder order);
  // ETS (vm/ops_ets.cc). `table` is a live table id (checked by the
  // caller); rows carry keys. The first post_ets hands back the blank
  // arguments for the caller to fill in.
  void post_ets_new(Ets::Options options);
  EtsArgs& post_ets(StepKind kind, uint32_t table);
  void post_ets(StepKind kind, uint32_t table, std::string key, std::vector<EtsRow> rows, int64_t pos = 0,
                int64_t incr = 0, ValueRef value = 0);
  // Nodes and the network (vm/ops_cluster.cc, docs/cluster.md). Node names
  // are interned names, checked when the step runs.
  // `boots`: per node, the spawn body of its boot function, run in a new
  // process on the node when it starts and whenever it restarts (empty or
  // 0: none).
  void post_start_nodes(std::vector<NameId> names, std::vector<ValueRef> boots = {});
  void post_stop_node(NameId node);
  void post_start_node(NameId node);
  // Cuts `a` from `b` (and `b` from `a` unless `oneway`).
  void post_partition(std::vector<NameId> a, std::vector<NameId> b, Cut mode, bool oneway);
  // Heals between `a` and `b`, or everything when both are empty.
  void post_heal(std::vector<NameId> a, std::vector<NameId> b);
  // Cluster-wide names (ls.global).
  void post_global_register(NameId name, Pid pid);
  void post_global_unregister(NameId name);
  void post_global_whereis(NameId name);
  void post_global_send(NameId name, ValueRef msg);
  // The caller's node's durable store, keyed by canonical key bytes. A put
  // or delete is buffered until sync; a node that stops keeps a prefix of
  // its buffered writes (how many: a controlled choice).
  void post_disk_put(std::string key, std::string text, ValueRef value);
  void post_disk_get(std::string key, std::string text, ValueRef fallback, bool has_fallback);
  void post_disk_delete(std::string key, std::string text);
  void post_disk_sync();

  // --- Immediate operations (no sync point). ---
  bool in_process() const { return running_ != kNoPid; }
  // Whether the running process has posted its next operation (a guest
  // that returns to the VM without posting has yielded outside a sync point).
  bool posted() const { return posted_; }
  Pid self() const { return running_; }
  int64_t now() const override { return timers_.now; }
  // The virtual time, read by guest code (ls.now, os.time, os.clock): a
  // fingerprint that leaves the time out is then not enough (clock_read).
  int64_t read_clock() {
    clock_read_ = true;
    touch(object::clock(), false);
    return timers_.now;
  }
  RefId make_ref() {
    ref_origins_.push_back(origin_by(running_ != kNoPid ? running_ : performing_));
    return ++last_ref_;
  }
  void set_label(std::string_view label);
  // The running process's own timers (its receive timeouts, sleeps and
  // send_afters) from now on: `mode` instead of the test's `timers`.
  void set_timer_mode(TimerMode mode);
  // Whether new faults are offered from the next step on (ls.cluster.faults);
  // restarts and heals of earlier faults always are.
  void set_faults_enabled(bool on);
  // From now on, messages to the caller tagged with `ref` ({ref, ...}) are
  // dropped on arrival, and any already queued is removed: late replies to a
  // call that timed out never reach the mailbox (what OTP uses aliases for).
  void abandon_ref(RefId ref);
  void log(std::string_view text);
  uint64_t choose(uint64_t n);  // a controlled choice, recorded in the trace
  bool can_choose() const { return choices_ != nullptr; }
  // Read-only views (invariants may use these).
  bool is_alive(Pid pid) const;
  Pid whereis(NameId name) const;
  std::vector<NameId> registered_names() const;  // sorted by name
  NameId intern(std::string_view name);
  uint64_t atomics_new(size_t n, bool is_signed) {
    atomics_origins_.push_back(origin_by(running_));
    return atomics_.create(n, is_signed);
  }
  const Atomics& atomics() const { return atomics_; }
  const PersistentTerms& terms() const { return terms_; }
  const Ets& ets() const { return ets_; }
  // A table read (lookup, lookup_element, member, tab2list, info) done now,
  // as the step of that kind does it: for invariants, which read directly.
  void read_ets(StepKind kind, uint32_t table, const std::string& key, int64_t pos, Reply& reply) const;
  // Declares `pids` interchangeable (ls.symmetric): from now on states
  // that differ only by a permutation of them have one fingerprint. False,
  // with `error` set, for fewer than two, a repeated pid, a pid that names
  // no process, or one already in a group.
  bool declare_symmetric(std::span<const Pid> pids, std::string& error);
  bool try_declare_symmetric(std::span<const Pid> pids, std::string& error);
  const std::string& name_of(NameId id) const { return names_[id]; }
  // Nodes: found by name (kLocalNode if none such), named, and where a
  // process runs (a pid's node never changes).
  NodeId find_node(std::string_view name) const;
  const std::string& node_name(NodeId node) const { return names_[net_.nodes[node].name]; }
  NodeId node_of(Pid pid) const { return pid < procs_.size() ? procs_[pid].node : kMainNode; }
  size_t node_count() const { return net_.nodes.size(); }
  uint32_t current_step() const { return step_no_; }
  size_t process_count() const { return procs_.size(); }

 private:
  struct Process {
    enum class State : uint8_t { kReady, kBlocked, kDead };
    State state = State::kReady;
    NodeId node = kMainNode;
    PendingOp op;
    std::vector<Message> mailbox;
    size_t head = 0;         // mailbox[0, head) are all removed
    size_t removed = 0;      // tombstones at or after head
    size_t scan = 0;         // receive: messages before this were tested
    int64_t matched = -1;    // receive: index of the first match
    bool timed_out = false;  // receive: its timer fired
    bool waited = false;     // receive: it found nothing it takes when it began
    std::string match_error; // receive: the matcher raised
    TimerId timer = 0;       // receive timeout or sleep timer
    std::vector<Pid> links;
    std::vector<RefId> watchers;  // monitors on this process
    std::vector<RefId> watching;  // monitors this process holds
    std::vector<RefId> abandoned; // refs whose tagged messages are dropped
    bool trap_exit = false;
    bool own_timers = false;    // ls.timers: its own timers follow `timers`, not the test's mode
    TimerMode timers = TimerMode::kQuiescent;
    bool global_named = false;  // holds a cluster-wide name (ls.global)
    NameId name = 0;
    bool fatal = false;       // its pending exit is a bug: runs next
    bool crashed = false;
    uint32_t exit_cause = 0;  // step that killed it, for the causal slice
    uint64_t path = 0;        // its creation path: its canonical name (vm/state.cc)
    Origin origin;            // who created it (the path is derived from it)
    uint32_t made = 0;        // how many named things it has created
    uint32_t wake_cause = 0;  // the timer step that ended its sleep or receive: its next step follows it
    std::string crash_message, crash_location;
    std::string display_name;  // first label or registered name
    // With observing on: the patterns of the receives it has completed
    // (receive step, matcher; 0 matches anything), kept for the iteration.
    std::vector<std::pair<uint32_t, ValueRef>> patterns;

    // Back to a blank process, keeping this one's buffers.
    void recycle();
  };

  struct Monitor {
    Pid watcher;
    Pid target;
  };

  // --- Operation kinds. One row per StepKind: what its pending operation
  // touches (access: the object and whether it writes, for the enabled set
  // and the race relation) and what it does when scheduled (perform: fills
  // the reply; false when the process ended and must not be resumed). Each
  // concern fills its rows and keeps its code in vm/ops_<concern>.cc.
  struct OpKind {
    void (Vm::*access)(Pid pid, const PendingOp& op, Op& out) const = nullptr;
    bool (Vm::*perform)(Pid pid, PendingOp& op, Reply& reply, StepResult& result) = nullptr;
  };
  using OpTable = std::array<OpKind, static_cast<size_t>(StepKind::kCount_)>;
  static const OpTable& op_table();
  const OpTable& ops_ = op_table();  // the table, without the static's guard on every step
  static void add_process_ops(OpTable& table);   // vm/ops_process.cc
  static void add_mailbox_ops(OpTable& table);   // vm/ops_mailbox.cc
  static void add_registry_ops(OpTable& table);  // vm/ops_registry.cc
  static void add_timers_ops(OpTable& table);    // vm/ops_timers.cc
  static void add_shared_ops(OpTable& table);    // vm/ops_shared.cc
  static void add_ets_ops(OpTable& table);       // vm/ops_ets.cc
  static void add_cluster_ops(OpTable& table);   // vm/ops_cluster.cc
  static void add_global_ops(OpTable& table);    // vm/ops_global.cc
  static void add_disk_ops(OpTable& table);      // vm/ops_disk.cc
  static void add_fault_ops(OpTable& table);     // vm/ops_faults.cc
  void access_process(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_start(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_spawn(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_exit(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_link(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_unlink(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_monitor(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_demonitor(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_trap_exit(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_signal(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_is_alive(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void access_mailbox(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_send(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_receive(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void emit_received(Pid pid, const Message& m);
  void access_registry(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_registry(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void access_timers(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_timers(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void access_shared(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_atomics(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_term(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_history(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void access_ets(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_ets_new(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_insert(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_read(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_delete(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_delete_table(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_update_counter(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_ets_update_element(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool begin_ets(Pid pid, PendingOp& op, Reply& reply);
  void ets_error(PendingOp& op, Reply& reply, const std::string& why);
  void access_cluster(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_start_nodes(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_stop_node(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_start_node(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  bool perform_cut(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  NodeId first_node(const PendingOp& op) const;
  void complete_groups(bool heal, std::vector<NodeId>& a, std::vector<NodeId>& b) const;
  bool cut_changes(const PendingOp& op, NodeId& from, NodeId& to) const;
  bool cut_groups(const CutArgs& args, const char* what, std::vector<NodeId>& a, std::vector<NodeId>& b,
                  Reply& reply);
  void access_global(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_global(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void access_disk(Pid pid, const PendingOp& op, Op& out) const;
  bool perform_disk(Pid pid, PendingOp& op, Reply& reply, StepResult& result);
  void perform_disk_sync(Pid pid, Reply& reply);
  void access_none(Pid pid, const PendingOp& op, Op& out) const {}
  bool perform_none(Pid pid, PendingOp& op, Reply& reply, StepResult& result) { return true; }

  // --- The step loop and the enabled set (vm/vm.cc). ---
  Process& running();
  // The running process's next operation: kind `kind`, arguments A (blank,
  // for the caller to fill in).
  template <class A>
  A& post(StepKind kind) {
    return post_op().set<A>(kind);
  }
  PendingOp& post_op();
  void refresh(Pid pid);
  Op op_for(Pid pid) const;
  void enable(const Op& op);
  void disable(EventKey key);
  // Inlined into step(): one return fewer after the stack switch, whose
  // return predictions are wrong for every frame it returns through.
  [[gnu::always_inline]] inline void perform(Pid pid, StepResult& result);
  void begin_step(const Op& op, ChoiceSource& choices);
  void check_after_step(StepResult& result);
  void after_resume(Pid pid, ResumeResult& r);

  // --- Processes, exits, links (vm/ops_process.cc). ---
  Pid new_process(ValueRef body, uint32_t cause);
  void do_exit(Pid pid, StepResult& result);
  void spawn_unreachable(Pid pid, Pid child, SpawnMode mode, Reply& reply);
  // Queues a DOWN for `watcher`'s monitor `ref` of `target` (this step's).
  void send_down(Pid watcher, Pid target, RefId ref, Reason reason);
  // Releases what a process holds and tells its links and monitors, with
  // `reason` (a stopped node's processes: noconnection to other nodes).
  // With `node_down`, links and monitors elsewhere learn at once
  // (noconnection); otherwise a signal to another node is in flight.
  void teardown(Pid pid, const Reason& reason, bool node_down = false);
  void release_holdings(Pid pid);
  void drop_watching(Pid pid, RefId ref);
  void end_link(Pid pid, Pid l, const Reason& reason, bool node_down);
  void end_watcher(Pid pid, RefId ref, const Reason& reason, bool node_down);
  void exit_signal(Pid to, Pid from, Reason reason, bool from_link, uint32_t cause);
  void kill(Pid pid, Reason reason, uint32_t cause);
  void release_reason(Reason& r);
  Reason copy_reason(const Reason& r);
  bool protected_crash(Pid pid) const;

  // --- Mailboxes (vm/ops_mailbox.cc). ---
  // Puts `m` in the mailbox of `to` (dropped if `to` is dead or abandoned its tag).
  void enqueue(Pid to, Message m);
  void test_message(Pid pid, size_t index);
  void observe_receive(Pid pid);
  void observe_pending_senders(Pid pid);
  bool pattern_matches(ValueRef matcher, Message& m);
  Message take_message(Process& p, size_t index);
  void begin_receive(Pid pid);
  void end_receive(Process& p);
  // The pid `d` names now, seen from `from_node` (kNoPid: no such name).
  Pid resolve(const Dest& d, NodeId from_node) const;
  NodeId dest_node(const Dest& d, NodeId from_node) const;
  // Sends `value` from `from` (on `from_node`) to `dest`: into the mailbox
  // at once on one node, else in flight. False: a name on this node that is
  // not registered (the value is released).
  bool route(Pid from, NodeId from_node, const Dest& dest, ValueRef value);

  // --- Local names, one registry per node (vm/ops_registry.cc). ---
  Pid owner(NodeId node, NameId name) const { return registry_.owner(node, name); }
  void set_owner(NodeId node, NameId name, Pid pid) { registry_.set_owner(node, name, pid); }
  uint64_t name_object(NodeId node, NameId name) const;

  // --- Nodes (vm/ops_cluster.cc), messages in flight (vm/ops_network.cc),
  // cluster-wide names (vm/ops_global.cc), the durable store (vm/ops_disk.cc). ---
  uint64_t disk_object(NodeId node, const std::string& key) const;
  void apply_disk_write(Node& node, std::pair<std::string, ValueRef>& write);
  Cut cut(NodeId from, NodeId to) const { return net_.cut(from, to); }
  bool connected(NodeId a, NodeId b) const;  // both up, no cut either way
  void send_in_flight(Pid from, NodeId from_node, const Dest& dest, NodeId to_node, ValueRef value);
  // Puts `f` in flight on its sender -> receiver channel.
  void launch(Flight f);
  // Sends a signal from `from` to `to` on another node (in flight).
  void signal_in_flight(Flight::What what, Pid from, Pid to, Reason reason, RefId ref);
  // Flight `id` will never arrive: a signal in it turns into noconnection
  // for its receiver when `notify` (the connection dropped).
  void lose_flight(uint32_t id, bool notify);
  void update_flight(uint32_t id);
  void unlink_flight(uint32_t id);
  void deliver(uint32_t id, StepResult& result);
  uint32_t turn_of(const Flight& f) const;
  void drop_flights(NodeId node);
  Op delivery_op(uint32_t id) const;
  void set_cut(NodeId from, NodeId to, Cut mode);
  void disconnect(NodeId a, NodeId b);
  // Stops `node` (its processes die, its messages are lost); `by` is the
  // process that asked (kNoPid: a fault), `kind` the step that shows it.
  void stop_node(NodeId node, Pid by, StepKind kind = StepKind::kStopNode);
  void start_node(NodeId node, Pid by, StepKind kind = StepKind::kStartNode);
  // Runs `node`'s boot function in a new process there, if it has one.
  void boot_node(NodeId node);
  // Sets the cut of each (from, to) direction; links and monitors between
  // nodes that stop being connected break, names merge where they become
  // connected, and held messages become deliverable. Touches every node named.
  struct CutChange {
    NodeId from, to;
    Cut mode;
  };
  void apply_cuts(const std::vector<CutChange>& changes, Pid by);
  // Delivers flight `fl` (taken out of its channel) to its receiver now;
  // `kind` is the step shown (deliver, or a duplicate fault).
  void arrive(Flight fl, StepKind kind);
  void merge_global(NodeId a, NodeId b, Pid by);
  void forget_global(Pid pid);
  NodeId check_node(NameId name, Reply& reply, const char* what);
  size_t held_messages() const;

  // --- Faults the strategy injects (vm/ops_faults.cc). A fault is an
  // event (EventKind::kFault) with id target * 8 + type, offered while the
  // test's budget lasts: drop or duplicate a deliverable message, crash a
  // node (not the root's), cut a node off; a restart or heal undoes a
  // fault's crash or cut at no cost, and is all that is offered once
  // nothing else can run and no timer is armed.
  enum class FaultType : uint8_t { kDrop = 0, kDuplicate = 1, kCrash = 2, kRestart = 3, kPartition = 4, kHeal = 5 };
  static uint32_t fault_id(FaultType type, uint32_t target) { return EventKey::fault_id(target, static_cast<uint32_t>(type)); }
  bool faults_on() const { return faults_on_; }
  Op fault_op(FaultType type, uint32_t target) const;
  void set_fault(FaultType type, uint32_t target, bool on);
  // Offers (or withdraws) dropping and duplicating flight `id`.
  void flight_faults(uint32_t id, bool deliverable);
  void read_fault_gate();
  // Offers each node's crash, restart, partition and heal as the budget
  // and the node's state allow.
  void node_faults();
  void spend(FaultType type);
  void inject(uint32_t id, StepResult& result);
  bool recovery_pending() const;

  // --- Timers (vm/ops_timers.cc). ---
  Op timer_op(TimerId id) const;
  TimerId arm_timer(Timer::Kind kind, Pid owner, int64_t ms);
  bool timers_queued(Pid owner) const;  // its timers fire only when nothing else can run
  void disarm_timer(TimerId id);
  void fire_timer(TimerId id, StepResult& result);

  // Records that the current step reads or writes `object` (step facts).
  void touch(uint64_t object, bool writes, uint64_t value = 0) {
    if (object != 0) accesses_.push_back({object, writes, value});
  }
  // Records that the current step depends on whether nodes a and b reach
  // each other (nothing when they are one node): a step that ends a link or
  // monitor across them races with a crash or stop of either (which writes
  // the node), and with a partition or heal between them (which writes
  // what it cuts or heals: object::reach, one per direction).
  void touch_reach(NodeId a, NodeId b) {
    if (a == b) return;
    touch(object::node(a), false);
    touch(object::node(b), false);
    touch(object::reach(a, b), false);
    touch(object::reach(b, a), false);
  }
  // Records that the current step depends on whether a message from node
  // `from` gets through to node `to`: both are up, and no cut holds it.
  void touch_path(NodeId from, NodeId to) {
    touch(object::node(from), false);
    touch(object::node(to), false);
    if (from != to) touch(object::reach(from, to), false);
  }
  void emit(StepKind kind, int64_t pid, int64_t peer, std::string detail);
  std::string render_reason(const Reason& r);  // as a Lua literal
  std::string reason_text(const Reason& r);    // bare: killed, shutdown, ...
  std::string render_dest(const Dest& d);
  void name_process(Pid pid, std::string_view name);
  void release_all(std::vector<ValueRef>& values);

  void init();

  // --- The iteration's state as data (vm/state.cc). ---
  // The origin of the next thing `creator` creates (kNoPid: the top level
  // or the VM itself), from which its canonical name is derived.
  Origin origin_by(Pid creator);
  static uint64_t outside_name(uint64_t seq);
  static uint64_t derived_name(uint64_t creator_path, uint32_t seq);
  // Each process's canonical path under the symmetry declared (empty
  // when none is): members of a group by their rank in it, ordered by
  // their own state, and what they created derived from that.
  void symmetric_paths(std::vector<uint64_t>& paths);
  // Paths with each process's path replaced by `own[pid]` where that is
  // not 0, and the paths derived from it recomputed.
  void derive_paths(const std::vector<uint64_t>& own, std::vector<uint64_t>& paths) const;
  class CanonicalNames;
  // A message in flight, named for event_names().
  void name_flight(uint32_t id, StateHasher& h) const;
  void hash_process(const Process& p, StateHasher& h);
  void hash_reason(const Reason& r, StateHasher& h);

  // Every field below is per iteration: reset() puts each one back.
  Guest& guest_;
  VmOptions options_;
  EventSink* sink_ = nullptr;      // events are rendered only with one
  EventSink* log_sink_ = nullptr;  // logs and process names (sink_, or a log-only sink)
  ChoiceSource* choices_ = nullptr;

  std::vector<Process> procs_;
  std::vector<Process> spare_;  // recycled processes (their buffers), not per iteration
  std::vector<Op> enabled_;              // every enabled event but faults
  std::vector<Op> fault_ops_;            // enabled faults
  std::vector<Op> with_faults_;          // enabled(): enabled_ then the faults it offers
  EventTable<int32_t> enabled_pos_{-1};  // event -> index in enabled_ (faults: in fault_ops_), or -1
  bool faults_on_ = false;               // the test has a fault budget
  FaultBudget faults_left_;
  bool faults_paused_ = false;           // ls.cluster.faults(false)
  uint32_t gate_step_ = 0;               // the step that last touched object::fault_gate()
  bool recovering_ = false;              // quiescent: only restarts and heals are offered
  Pid forced_ = kNoPid;             // a process whose exit must run next
  Op forced_op_;

  Timers timers_;

  std::unordered_map<RefId, Monitor> monitors_;
  Atomics atomics_;
  PersistentTerms terms_;
  Ets ets_;
  std::vector<ValueRef> released_;  // scratch for values to release
  Names names_;
  Registry registry_;

  Network net_;

  Pid running_ = kNoPid;
  Pid located_ = kNoPid;        // the process whose step is being recorded
  uint32_t step_location_ = 0;  // where it posted the operation: the sink's id (recorded runs only)
  bool posted_ = false;
  uint32_t step_no_ = 0;
  size_t log_bytes_ = 0;  // counted whether or not a sink keeps the lines
  bool shapes_ = false;            // set StepFacts::shape on receives (set_shapes)
  bool observing_ = false;         // report observations (set_observing)
  bool numbering_races_ = false;   // creations write object::numbering() (set_numbering_races)
  std::vector<Observation> observations_;  // this step's (facts_.observations)
  std::vector<EventKey> created_;  // this step's (facts_.created)
  std::vector<EventKey> would_take_;  // this step's (facts_.would_take)
  std::vector<uint32_t> passed_;      // this step's (facts_.passed), then those in takers_ taken out
  std::vector<uint32_t> takers_;      // processes about to receive a message this step queued
  std::vector<uint32_t> woke_;        // facts_.woke
  std::vector<uint32_t> still_waiting_;  // facts_.still_waiting
  // What the current step did: its StepResult's facts while it runs
  // (Vm::step), a spare outside steps.
  StepFacts idle_facts_;
  StepFacts* facts_ = &idle_facts_;
  std::vector<Access> accesses_;   // its accesses (facts_.accesses points here)
  RefId last_ref_ = 0;
  Pid performing_ = kNoPid;  // the process whose operation is being performed
  // Where what was created came from, by id (index 0: id 1).
  std::vector<Origin> ref_origins_, table_origins_, atomics_origins_;
  uint64_t outside_made_ = 0;  // things created outside any process
  // Groups of interchangeable processes (ls.symmetric): a fingerprint
  // names each group's members by their rank in the group, ordered by
  // their own state (vm/state.cc), so permuted states hash equal.
  std::vector<std::vector<Pid>> symmetric_;
  bool finished_ = false;
  bool clock_read_ = false;  // guest code read the virtual time this iteration
  mutable bool ids_read_ = false;  // guest code read the numbering this iteration (read_ids; a read is const)
  Exercised exercised_;      // this iteration's (System::exercised)
  Failure unreachable_;      // an ls.unreachable met in this step
};

}  // namespace lockstep::vm

// The Lua side of the guest: one Lua state per iteration, every process a
// Lua thread in it running on a machine stack of its own (lua/fiber.h), and
// the `lockstep` API bound to the VM.
//
// LuaGuest implements vm::Guest (run a process to its next sync point, test
// a receive match, hold values); LuaProgram implements the engine's Program
// (the tests of one scenario file, and a fresh System per iteration).
//
// Ownership: a LuaProgram owns one Arena, one StackPool, one LuaGuest
// (whose lua_State lives in the arena) and per iteration one Vm. The state
// is built once, when the scenario's top level has run, and saved; every
// iteration starts by restoring it (one memcpy of the bytes in use), so
// iterations are isolated without rebuilding the state. A top level that
// keeps a file open (outside the arena) is rebuilt per iteration instead.
#pragma once

#include <lua.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/program.h"
#include "lua/arena.h"
#include "lua/fiber.h"
#include "vm/vm.h"

namespace lockstep::lua {

// The string at idx with every byte, NULs included (a const char* would
// end at the first NUL): names, labels and messages from scenarios.
inline std::string string_at(lua_State* L, int idx) {
  size_t n = 0;
  const char* s = lua_tolstring(L, idx, &n);
  return s ? std::string(s, n) : std::string();
}
inline std::string check_string(lua_State* L, int idx) {
  size_t n = 0;
  const char* s = luaL_checklstring(L, idx, &n);
  return std::string(s, n);
}

// Kinds of opaque handle a guest can hold. Values are stable (they order
// handles in `pairs`); append only.
enum class HandleKind : uint8_t { kPid = 1, kRef = 2, kTimer = 3, kAtomics = 4, kTable = 5 };

struct Handle {
  HandleKind kind;
  uint64_t id;
};

// A scenario file compiled once, loaded into the saved state (or, when that
// cannot be reused, into each iteration's).
// The goals (ls.sometimes, ls.reachable) that lines first..last of
// `source` name with a string literal, located as "short_src:line"
// (lua/goals.cc).
std::vector<GoalCount> goals_in(const std::string& source, int first, int last, const char* short_src);

struct Script {
  std::string path;
  std::string dir;       // for require()
  std::string source;
  uint64_t hash = 0;
  std::string bytecode;  // lua_dump of the scenario chunk (with debug info)
};

class LuaGuest final : public vm::Guest {
 public:
  enum class Mode : uint8_t { kLoad, kIdle, kProcess, kMatch, kInvariant };

  LuaGuest(Arena& arena, StackPool& stacks, std::chrono::milliseconds timeout);
  ~LuaGuest() override;

  // Creates the state, installs the library and runs the scenario's top
  // level (which declares its tests). Errors are load errors with file:line.
  Status open(const Script& script);

  struct DeclaredTest {
    std::string name;
    TestOptions options;
    // The goals its body names with a literal (ls.sometimes("x", ...),
    // ls.reachable("x")): known before any run, so one never met is
    // reported (lua/goals.cc).
    std::vector<GoalCount> goals;
  };
  const std::vector<DeclaredTest>& declared() const { return declared_; }

  // A state whose top level opened no file can be saved once and restored
  // for every iteration (files live outside the arena).
  bool can_snapshot() const { return !needs_close_; }
  // Records the C++ side of the state; the caller saves the arena with it.
  void save();
  // Back to the saved point: drops the processes and their stacks, closes
  // files the iteration opened, and restores the arena and the C++ side.
  void rewind();
  // Starts the iteration's clock (iter_timeout).
  void begin_iteration(std::chrono::milliseconds timeout);

  // The root's spawn body for test `index` (one per iteration: the root
  // consumes it).
  vm::ValueRef test_body(size_t index);

  void attach(vm::Vm* vm) { vm_ = vm; }
  vm::Vm& vm() { return *vm_; }
  bool has_vm() const { return vm_ != nullptr; }
  // Guest code read how things are numbered (Vm::read_ids): a handle or
  // object printed or compared, keys ordered by them.
  void note_ids_read() {
    if (vm_ != nullptr && mode_ != Mode::kLoad) vm_->read_ids();
  }
  Mode mode() const { return mode_; }
  // A run loaded code (load, require, ...): its prototypes may sit where
  // others did in another run, so fingerprints name functions by where
  // they were defined, not by their prototype's place (state_hash.cc).
  void note_code_loaded() {
    if (mode_ != Mode::kLoad) code_loaded_ = true;
  }
  lua_State* state() const { return L_; }

  // --- vm::Guest ---
  vm::ResumeResult resume(vm::Pid pid, vm::Reply& reply) override;
  bool match(vm::ValueRef matcher, vm::Message& msg, std::string& error) override;
  void retain(vm::ValueRef v) override;
  void release(vm::ValueRef v) override;
  vm::ValueRef copy(vm::ValueRef v) override;
  std::string render(vm::ValueRef v) override;
  void hash_value(vm::ValueRef v, vm::StateHasher& h) override;
  // Key bytes with their handles named (lua/state_hash.cc).
  void hash_key(std::string_view key, vm::StateHasher& h) override;
  // The process's continuation (lua/state_hash.cc).
  void hash_process(vm::Pid pid, vm::StateHasher& h) override;
  // Invariants and liveness monitors (their closures, by content).
  void hash_shared(vm::StateHasher& h) override;
  bool check_invariants(std::string& message) override;
  bool has_invariants() const override { return invariant_count_ > 0; }
  uint32_t monitor_count() const override { return static_cast<uint32_t>(monitor_count_); }
  bool check_monitors(uint64_t& hot, std::string& message) override;
  std::string monitor_name(uint32_t i) const override;
  void discard(vm::Pid pid) override;
  void begin_step() override;
  // The watchdog stands down: iter_timeout bounds the guest's steps, not
  // the search's work after them.
  void end_steps() override {
    soft_deadline_ns_.store(0);
    hard_deadline_ns_.store(0);
  }
  bool tuple_integer(vm::ValueRef tuple, int64_t pos, int64_t& out) override;
  vm::RefId message_tag(vm::ValueRef v) override;
  uint64_t message_shape(vm::ValueRef v) override;
  void set_tuple_integer(vm::ValueRef tuple, int64_t pos, int64_t v) override;
  int64_t tuple_size(vm::ValueRef tuple) override;
  void set_tuple_element(vm::ValueRef tuple, int64_t pos, vm::ValueRef value) override;

  // --- for the bindings (lua/api.cc) ---
  static LuaGuest& of(lua_State* L) { return **static_cast<LuaGuest**>(lua_getextraspace(L)); }
  // Raises unless `L` is a running process that may suspend here.
  void need_process(lua_State* L, const char* fn);
  // Raises in modes other than those given (e.g. API misuse at load time).
  void need_iteration(lua_State* L, const char* fn);
  // Raises unless a process or an invariant is running.
  void need_iteration_or_invariant(lua_State* L, const char* fn) {
    if (mode_ != Mode::kInvariant) need_iteration(L, fn);
  }
  // Suspends the caller at the operation it just posted (switching to the
  // scheduler's stack); returns, as a lua_CFunction does, once the process
  // runs again, with the reply pushed. Call it in tail position.
  int suspend(lua_State* L);

  vm::ValueRef store(lua_State* L, int idx);  // holds the value as is (refcount 1)
  // Pushes a held value and releases it (one lookup of the store).
  void take_value(lua_State* L, vm::ValueRef v);
  vm::ValueRef store_copy(lua_State* L, int idx, const char* what);  // message-copy semantics
  void push_value(lua_State* L, vm::ValueRef v);
  void push_copy(lua_State* L, int idx, const char* what);
  // push_reply for a result computed in the calling C function (an
  // invariant's read): its error is raised at once. Returns the count pushed.
  int push_reply_now(lua_State* L, vm::Reply& reply);
  void push_handle(lua_State* L, HandleKind kind, uint64_t id);
  std::optional<Handle> to_handle(lua_State* L, int idx);
  vm::Pid check_pid(lua_State* L, int idx);
  vm::Reason check_reason(lua_State* L, int idx);
  vm::Dest check_dest(lua_State* L, int idx);
  std::string render_at(lua_State* L, int idx, size_t budget = 80);
  void note_file_opened() { needs_close_ = true; }
  void add_invariant(lua_State* L);  // [name, fn] at 1, 2
  void add_monitor(lua_State* L);    // [name, fn] at 1, 2 (ls.liveness)
  void add_watcher(lua_State* L, int list_ref, int& count);
  template <class Seen>
  void call_watchers(int list_ref, int count, Seen seen);
  // Calls the function under its `nargs` arguments on aux_'s stack, in
  // `mode`, protected: one result (or the error) left on aux_.
  int call_on_aux(Mode mode, int nargs);
  bool timed_out() const override { return timed_out_; }
  std::string location(vm::Pid pid) override {  // "" before it started and after it ended
    return pid < threads_.size() && threads_[pid].L && threads_[pid].ctx ? user_line(threads_[pid].L) : "";
  }
  bool memory_exhausted() const override { return arena_.limit_hit(); }
  bool needs_step_checks() const override {
    return invariant_count_ > 0 || monitor_count_ > 0 || timed_out_ || arena_.limit_hit();
  }
  void check_clock(lua_State* L);

  // Deterministic key order (numbers, strings, booleans, handles, other
  // objects by arena offset): <0, 0, >0.
  int compare_keys(lua_State* L, int a, int b);
  // A canonical byte string for the key at idx: equal keys (1 and 1.0, equal
  // tuples) encode equally, and byte order is key order (numbers, strings,
  // booleans, handles by id, tables, other objects). Raises on nil or NaN.
  std::string encode_key(lua_State* L, int idx);
  uint64_t object_order(const void* p) const { return arena_.offset(p); }
  bool in_arena(const void* p) const { return arena_.contains(p); }

  // Checks of a built-in model that passed, by the exact history checked
  // (lua/api_checker.cc): what their result table says. Kept across
  // iterations, which check the same histories again and again.
  struct PassedCheck {
    size_t operations = 0, dropped = 0, by_zones = 0;
  };
  std::unordered_map<std::string, PassedCheck>& passed_checks() { return passed_checks_; }

 private:
  void push_reply(lua_State* T, vm::Reply& reply, int& nargs);
  void push_rows(lua_State* T, vm::Reply& reply);
  void push_elements(lua_State* T, vm::Reply& reply);
  void push_names(lua_State* T);

  void push_message(lua_State* L, vm::Message& m);
 public:
  static void push_int(lua_State* L, int64_t v, bool as_unsigned);
 private:
  void materialize(vm::Message& m);
  void install(const Script& script);
  void read_tests(const std::string& source);
  void make_test_bodies();
  std::string error_text(lua_State* L, int idx, std::string* location);
  // "file.lua:12": the innermost frame of scenario code on T's stack, or "".
  std::string user_line(lua_State* T);
  // Whether the innermost Lua function on T's stack is the library's.
  bool raised_in_library(lua_State* T);

  Arena& arena_;
  lua_State* L_ = nullptr;
  lua_State* aux_ = nullptr;  // runs matchers, invariants and rendering
  // The value table sits at the bottom of aux_'s stack, slot kAuxValues:
  // addressable so while no function runs on aux_ (aux_calls_ == 0; in a
  // function, index 1 is the function's first argument).
  static constexpr int kAuxValues = 1;
  int aux_calls_ = 0;
  vm::Vm* vm_ = nullptr;
  Mode mode_ = Mode::kLoad;
  bool needs_close_ = false;

  int values_ref_ = LUA_NOREF;   // registry: slot -> value
  // Fingerprints (lua/state_hash.cc).
  class ValueWalk;
  bool probe_resume_points();
  bool probe_closures();
  void collect_constant_tables();
  void reserve_hash_stack();
  lua_State* hash_ = nullptr;  // the thread a walk works on (its stack reserved: walks never allocate)
  // Pointers met in one walk, each numbered by its first visit: open
  // addressing, reused from walk to walk (clear() is O(1): a generation),
  // so a fingerprint allocates nothing once the table has grown.
  class FirstVisits {
   public:
    // The number `p` was given at its first visit; `fresh` when this is it.
    uint32_t visit(const void* p, bool& fresh);
    void clear();

   private:
    struct Slot {
      const void* p = nullptr;
      uint32_t gen = 0;
      uint32_t number = 0;
    };
    Slot& find(const void* p);
    void grow();
    std::vector<Slot> slots_ = std::vector<Slot>(256);
    uint32_t gen_ = 1, size_ = 0;
  };
  FirstVisits hash_seen_;  // first visits in one walk
  std::unordered_map<const void*, uint32_t> constant_tables_;  // the library's tables, numbered
  bool resume_points_ = false;  // whether a frame's resume point can be read
  bool closures_readable_ = false;  // whether a closure's prototype can be read
  bool code_loaded_ = false;        // this run loaded code (note_code_loaded)
  uint64_t unreadable_ = 0;
  std::unordered_map<std::string, PassedCheck> passed_checks_;
  // The value store's slots (lua/value_store.cc): a number or boolean is
  // held here, anything else in the registry's values table at its slot.
  struct Slot {
    enum class Kind : uint8_t { kInTable, kFalse, kTrue, kInteger, kFloat };
    uint32_t refcount = 0;
    Kind kind = Kind::kInTable;
    union {
      lua_Integer i;
      lua_Number d;
    };
    Slot() : i(0) {}
  };
  bool hold_scalar(lua_State* L, int idx, vm::ValueRef& v);  // a number or boolean at idx: held in a slot
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  int handles_ref_ = LUA_NOREF;  // registry: interned handle userdata
  int handle_meta_ref_ = LUA_NOREF;
  int invariants_ref_ = LUA_NOREF;
  int invariant_count_ = 0;
  int monitors_ref_ = LUA_NOREF;
  int monitor_count_ = 0;

  struct Thread {
    lua_State* L = nullptr;
    vm::ValueRef ref = 0;           // holds the thread
    StackPool::Stack stack;         // while the process has one
    fiber::Context ctx = nullptr;   // where to switch to run it
  };
  // How a process's stack last switched back to the scheduler.
  enum class Exit : uint8_t { kSuspended, kFinished, kTimedOut };
  static void fiber_main(fiber::Transfer t);
  vm::Reply* switch_to_scheduler(Exit how);
  void release_stack(Thread& t);
  uint32_t new_slot();  // a free slot of the value store, its refcount 1

  StackPool& stacks_;
  std::vector<Thread> threads_;
  vm::Pid current_ = vm::kNoPid;
  bool raise_pending_ = false;
  fiber::Context scheduler_ = nullptr;  // the scheduler's context while a process runs
  Exit exit_ = Exit::kFinished;
  int start_nargs_ = 0;   // arguments of a starting process's body
  int finish_status_ = LUA_OK;
  int finish_nres_ = 0;

  std::chrono::milliseconds timeout_;
  const void* scheduler_bottom_ = nullptr;  // the scheduler's stack, for AddressSanitizer (fiber::entered)
  size_t scheduler_size_ = 0;
  // The watchdog (watch()): past the deadline (steady-clock ns; 0: none)
  // it interrupts the thread that runs the iteration; past the hard one the
  // iteration is stuck in C code and the tool exits.
  void set_deadline(std::chrono::steady_clock::time_point deadline);
  std::atomic<int64_t> soft_deadline_ns_{0};
  std::atomic<int> owner_thread_{0};
  std::atomic<int64_t> hard_deadline_ns_{0};
  // When the watchdog looks next (steady-clock ns): a deadline later than
  // that needs no waking it, which spares an iteration a thread switch.
  std::atomic<int64_t> watch_wake_ns_{INT64_MAX};
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;
  std::thread watchdog_;  // declared after the fields it reads, so it starts once they exist
  void watch();
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  std::string timeout_location_;  // the scenario line a timed-out process was running

  struct Saved {
    std::vector<Slot> slots;
    std::vector<uint32_t> free_slots;
    int invariant_count = 0;
    int monitor_count = 0;
  };
  Saved saved_;

  std::vector<const void*> copy_path_;  // tables being copied (cycle check)
  std::vector<vm::KeyHandle> key_handles_;  // hash_key's scratch
  std::vector<DeclaredTest> declared_;
  std::vector<vm::ValueRef> test_bodies_;
  std::string chunk_name_;
};

class LuaProgram final : public Program {
 public:
  // Reads, compiles and runs the scenario once to list its tests. The top
  // level may run for `top_level_bound` (iter_timeout when a flag gives it;
  // a test's own options are not known before its declaration has run).
  static constexpr std::chrono::milliseconds kTopLevelBound{30000};
  static Result<std::unique_ptr<Program>> load(const std::string& path,
                                               std::chrono::milliseconds top_level_bound = kTopLevelBound);

  const std::string& path() const override { return script_.path; }
  uint64_t source_hash() const override { return script_.hash; }
  const std::vector<TestCase>& tests() const override { return tests_; }
  Result<System*> start(size_t index, const RunOptions& options) override;

  ~LuaProgram() override;

 private:
  LuaProgram() = default;
  void save_snapshot();
  Script script_;
  std::vector<TestCase> tests_;
  Arena arena_;
  StackPool stacks_;
  std::unique_ptr<LuaGuest> guest_;
  std::unique_ptr<vm::Vm> vm_;
};

// Pushes a new sequence of the keys of the table at `idx` in the
// deterministic key order (lua/values.cc); allocates in the guest heap.
// With `by_ids`, set when the order of two keys follows how they are
// numbered (two handles of one kind, or two objects: by where they sit),
// which a guest that iterates the keys then reads (Vm::read_ids).
int push_sorted_keys(LuaGuest& g, lua_State* L, int idx, bool* by_ids = nullptr);

// Registers the `lockstep` API in the state (lua/api.cc).
void open_lockstep_api(lua_State* L);
// Adds atomics and persistent_term to the lockstep table at the top (lua/api_shared.cc).
void open_shared_state_api(lua_State* L);
// Adds ets to the lockstep table at the top (lua/api_ets.cc).
void open_ets_api(lua_State* L);
// Adds checker to the lockstep table at the top (lua/api_checker.cc).
void open_checker_api(lua_State* L);
// Adds txn to the checker table on the top of the stack (lua/api_txn.cc).
void open_txn_checker(lua_State* L);
// ls.spawn_on, ls.node, ls.cluster, ls.global (lua/api_cluster.cc).
void open_cluster_api(lua_State* L);
// A process name at `idx`: a non-empty string (every byte counts).
std::string_view check_name(lua_State* L, int idx);
// Spawns the function at `first` (arguments after it) on `node`; with
// `name` (non-zero), registered under it there in the same step.
int spawn_impl(lua_State* L, vm::Vm::SpawnMode mode, const char* fn, int first, vm::NodeId node,
               vm::NameId name = 0);

// The embedded Lua library files (generated at build time).
struct EmbeddedFile {
  const char* name;
  const char* data;  // its source
  size_t size;
  const char* code;  // its bytecode, compiled at build time (lua_compile.cc)
  size_t code_size;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace lockstep::lua

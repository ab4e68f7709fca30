#include "lua/guest.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/base/hash.h"
#include "lua/interrupt.h"
#include "lua/library.h"
#include "lua/sandbox.h"

namespace lockstep::lua {

void install_deterministic_iteration(lua_State* L);  // values.cc

namespace {

constexpr const char* kHandleMeta = "lockstep.handle";
constexpr int kAuxStack = 64;         // slots rendering may use on the aux thread
constexpr int kValueSlots = 256;      // values held for the VM (messages, bodies, threads)
constexpr int kHandleSlots = 64;      // interned pids, refs, ...
constexpr uint64_t kPreparedHandles = 16;  // pids and refs interned at load

// A handle's userdata. `mark` tells it from the only other userdata of
// its size, io's file handle, whose first eight bytes are a pointer: as the
// upper half of a user-space address it cannot occur.
constexpr uint32_t kHandleMark = 0x4c6f636b;
struct HandleUd {
  uint8_t kind;
  uint32_t mark;
  uint64_t id;
};
static_assert(sizeof(HandleUd) == 16, "a handle's userdata keeps its size (arena offsets follow from it)");

int panic(lua_State* L) {
  // Out of memory where no guest code can catch it (the VM copying or
  // matching a value between steps): the VM ends the iteration.
  if (LuaGuest::of(L).memory_exhausted()) throw vm::GuestMemoryExhausted();
  const char* msg = lua_tostring(L, -1);
  throw std::runtime_error(std::string("unprotected Lua error: ") + (msg ? msg : "?"));
}

int handle_tostring(lua_State* L) {
  auto* h = static_cast<HandleUd*>(luaL_checkudata(L, 1, kHandleMeta));
  LuaGuest::of(L).note_ids_read();
  switch (static_cast<HandleKind>(h->kind)) {
    case HandleKind::kPid: lua_pushfstring(L, "P%I", static_cast<lua_Integer>(h->id)); break;
    case HandleKind::kRef: lua_pushfstring(L, "#Ref<%I>", static_cast<lua_Integer>(h->id)); break;
    case HandleKind::kTimer: lua_pushfstring(L, "#Timer<%I>", static_cast<lua_Integer>(h->id)); break;
    case HandleKind::kAtomics: lua_pushfstring(L, "#Atomics<%I>", static_cast<lua_Integer>(h->id)); break;
    case HandleKind::kTable: lua_pushfstring(L, "#Table<%I>", static_cast<lua_Integer>(h->id)); break;
  }
  return 1;
}

// Stock lt on handles would raise; ordering by (kind, id) is what users expect.
int handle_lt(lua_State* L) {
  auto* a = static_cast<HandleUd*>(luaL_checkudata(L, 1, kHandleMeta));
  auto* b = static_cast<HandleUd*>(luaL_checkudata(L, 2, kHandleMeta));
  if (a->kind == b->kind) LuaGuest::of(L).note_ids_read();
  lua_pushboolean(L, a->kind != b->kind ? a->kind < b->kind : a->id < b->id);
  return 1;
}

bool parse_position(const std::string& s, std::string* location, std::string* message) {
  // "chunk:LINE: message" as Lua's error() prefixes it.
  for (size_t i = s.find(':'); i != std::string::npos; i = s.find(':', i + 1)) {
    size_t j = i + 1;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i + 1 && j + 1 < s.size() + 1 && s.compare(j, 2, ": ") == 0) {
      const std::string where = s.substr(0, j);
      if (where.find('\n') != std::string::npos) return false;
      *location = where;
      *message = s.substr(j + 2);
      return true;
    }
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------

LuaGuest::LuaGuest(Arena& arena, StackPool& stacks, std::chrono::milliseconds timeout)
    : arena_(arena), stacks_(stacks), timeout_(timeout), watchdog_([this] { watch(); }) {
  interrupt::install();
  arena_.on_limit(interrupt::raise_here);  // out of guest memory: stop the guest as at a timeout
}

// Past the iteration's deadline the watchdog interrupts the thread running
// it (lua/interrupt.h), and the guest code running there stops at its next
// instruction; the C functions that could loop without bound (string
// patterns, table.move) check the clock as they go (lua/patterns.cc,
// sandbox.cc). What is left is C work that is long but finite (table.sort
// of millions of elements): past the deadline by as long again (at least a
// second), nothing can end the iteration in order, so the tool says so and
// exits rather than hang.
void LuaGuest::watch() {
  using Clock = std::chrono::steady_clock;
  constexpr int64_t kTick = 200'000'000;  // ns between looks at the hard deadline
  std::unique_lock<std::mutex> lock(watch_mu_);
  int64_t signalled = 0;  // the deadline last interrupted (once each)
  while (!watch_stop_) {
    const int64_t now = Clock::now().time_since_epoch().count();
    int64_t wake = now + kTick;
    const int64_t soft = soft_deadline_ns_.load();
    if (soft != 0 && soft != signalled) {
      if (now >= soft) {
        interrupt::send(owner_thread_.load());
        signalled = soft;
      } else {
        wake = std::min(wake, soft);
      }
    }
    const int64_t hard = hard_deadline_ns_.load();
    if (hard != 0 && now >= hard) {
      std::fprintf(stderr,
                   "lockstep: error: an iteration ran past iter_timeout inside a C function that cannot be "
                   "interrupted (such as table.sort of a very large table); stopping\n");
      std::fflush(stderr);
      std::_Exit(2);
    }
    watch_wake_ns_.store(wake);
    watch_cv_.wait_until(lock, Clock::time_point(Clock::duration(wake)));
  }
}

// The iteration's deadline, for the watchdog (and whose thread to interrupt).
void LuaGuest::set_deadline(std::chrono::steady_clock::time_point deadline) {
  deadline_ = deadline;
  owner_thread_.store(interrupt::this_thread());
  const int64_t ns = deadline.time_since_epoch().count();
  soft_deadline_ns_.store(ns);
  // The watchdog sleeps until the deadline it knew or a tick (200 ms),
  // whichever came first: only a deadline before that needs waking it, not
  // the usual one of the next iteration, seconds away. (A wake-up lost while
  // the watchdog is between its look and its wait delays it a tick at most.)
  if (ns < watch_wake_ns_.load()) watch_cv_.notify_one();
}

LuaGuest::~LuaGuest() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  watchdog_.join();
  for (Thread& t : threads_) release_stack(t);
  // The arena is reset after this; closing is only needed to release
  // resources outside it (files the scenario opened).
  if (L_ && needs_close_) lua_close(L_);
}

Status LuaGuest::open(const Script& script) {
  L_ = lua_newstate(Arena::lua_alloc, &arena_);
  if (!L_) return Status::LoadError(script.path + ": out of memory creating the Lua state");
  *static_cast<LuaGuest**>(lua_getextraspace(L_)) = this;
  lua_atpanic(L_, panic);
  set_deadline(std::chrono::steady_clock::now() + timeout_);
  chunk_name_ = script.path;
  mode_ = Mode::kLoad;
  lua_pushcfunction(L_, [](lua_State* L) -> int {
    LuaGuest::of(L).install(*static_cast<const Script*>(lua_touserdata(L, 1)));
    return 0;
  });
  lua_pushlightuserdata(L_, const_cast<Script*>(&script));
  int status;
  {
    interrupt::Running running(L_);
    status = lua_pcall(L_, 1, 0, 0);
  }
  mode_ = Mode::kIdle;
  // Saved and restored without hooks: an interrupt that came while it
  // loaded (or a timeout) leaves none behind.
  lua_sethook(L_, nullptr, 0, 0);
  if (aux_) lua_sethook(aux_, nullptr, 0, 0);
  interrupt::clear();
  if (status != LUA_OK) {
    std::string msg = lua_type(L_, -1) == LUA_TSTRING ? lua_tostring(L_, -1) : render_at(L_, -1);
    lua_pop(L_, 1);
    if (timed_out_) msg = script.path + ": loading timed out (the top level ran past iter_timeout)";
    return Status::LoadError(msg);
  }
  return Status::Ok();
}

void LuaGuest::install(const Script& script) {
  lua_State* L = L_;
  static const luaL_Reg kLibs[] = {
      {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
      {LUA_MATHLIBNAME, luaopen_math},  {LUA_COLIBNAME, luaopen_coroutine}, {LUA_UTF8LIBNAME, luaopen_utf8},
      {LUA_LOADLIBNAME, luaopen_package}, {LUA_IOLIBNAME, luaopen_io},
  };
  for (const auto& lib : kLibs) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
  restrict_stdlib(L, script);
  install_deterministic_iteration(L);

  // Sized so that a typical iteration never rehashes them (every iteration
  // starts again from the saved, smaller, state).
  lua_createtable(L, kValueSlots, 0);
  values_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_createtable(L, 0, kHandleSlots);
  handles_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "lockstep.tests");
  lua_newtable(L);
  invariants_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  monitors_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  slots_.assign(1, Slot{});

  luaL_newmetatable(L, kHandleMeta);
  lua_pushcfunction(L, handle_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, handle_lt);
  lua_setfield(L, -2, "__lt");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  handle_meta_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);

  // The handles most iterations use (the first processes and references),
  // made once into the saved state instead of in every iteration.
  for (uint64_t id = 0; id < kPreparedHandles; ++id) {
    push_handle(L, HandleKind::kPid, id);
    push_handle(L, HandleKind::kRef, id + 1);
    lua_pop(L, 2);
  }

  aux_ = lua_newthread(L);
  luaL_ref(L, LUA_REGISTRYINDEX);
  lua_checkstack(aux_, kAuxStack);
  // The value table stays at the bottom of aux_'s stack (kAuxValues), so
  // that the values a matcher or a rendering needs are one lookup away.
  lua_rawgeti(aux_, LUA_REGISTRYINDEX, values_ref_);

  open_lockstep_api(L);
  // The prelude runs now; the other library modules load on first use
  // (lockstep.genserver, ...), from bytecode compiled at build time.
  const std::string_view prelude = library_bytecode(0);
  if (luaL_loadbufferx(L, prelude.data(), prelude.size(), "=lockstep/prelude.lua", "b") != LUA_OK) {
    lua_error(L);
  }
  lua_call(L, 0, 0);
  lua_getglobal(L, "lockstep");
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, load_module_on_demand);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);

  if (luaL_loadbufferx(L, script.bytecode.data(), script.bytecode.size(), ("@" + script.path).c_str(), "b") !=
      LUA_OK) {
    lua_error(L);
  }
  lua_call(L, 0, 0);
  preload_modules_named_in(L, script.source);
  read_tests(script.source);
  make_test_bodies();
  resume_points_ = probe_resume_points();
  closures_readable_ = probe_closures();
  collect_constant_tables();
  reserve_hash_stack();
}

void LuaGuest::read_tests(const std::string& source) {
  lua_State* L = L_;
  lua_getfield(L, LUA_REGISTRYINDEX, "lockstep.tests");
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    DeclaredTest t;
    lua_getfield(L, -1, "name");
    t.name = string_at(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "options");  // name -> text, checked by lockstep.test
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      t.options[string_at(L, -2)] = string_at(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "fn");
    lua_Debug ar;
    if (lua_getinfo(L, ">S", &ar) && ar.source && ar.source[0] == '@') {
      t.goals = goals_in(source, ar.linedefined, ar.lastlinedefined, ar.short_src);
    }
    lua_pop(L, 1);
    declared_.push_back(std::move(t));
  }
  lua_pop(L, 1);
}

void LuaGuest::save() {
  saved_.slots = slots_;
  saved_.free_slots = free_slots_;
  saved_.invariant_count = invariant_count_;
  saved_.monitor_count = monitor_count_;
}

void LuaGuest::rewind() {
  hard_deadline_ns_.store(0);
  for (Thread& t : threads_) release_stack(t);
  threads_.clear();
  // Finalizers close the files; the arena then brings the state back.
  if (needs_close_) lua_close(L_);
  arena_.restore();
  slots_ = saved_.slots;
  free_slots_ = saved_.free_slots;
  invariant_count_ = saved_.invariant_count;
  monitor_count_ = saved_.monitor_count;
  needs_close_ = false;
  code_loaded_ = false;
  vm_ = nullptr;
  mode_ = Mode::kIdle;
  current_ = vm::kNoPid;
  raise_pending_ = false;
  scheduler_ = nullptr;
  copy_path_.clear();
  aux_calls_ = 0;
}

void LuaGuest::begin_iteration(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  timed_out_ = false;
  timeout_location_.clear();
  set_deadline(std::chrono::steady_clock::now() + timeout_);
  const auto grace = std::max<std::chrono::steady_clock::duration>(timeout_, std::chrono::seconds(1));
  hard_deadline_ns_.store((deadline_ + grace).time_since_epoch().count());
}

// Spawn bodies {fn, n = 0} for every test, held from load time on: each
// iteration's root consumes its body, and the saved state brings it back.
void LuaGuest::make_test_bodies() {
  lua_State* L = L_;
  lua_getfield(L, LUA_REGISTRYINDEX, "lockstep.tests");
  for (size_t i = 0; i < declared_.size(); ++i) {
    lua_rawgeti(L, -1, static_cast<lua_Integer>(i + 1));
    lua_createtable(L, 1, 1);
    lua_getfield(L, -2, "fn");
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, 0);
    lua_setfield(L, -2, "n");
    test_bodies_.push_back(store(L, -1));
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

vm::ValueRef LuaGuest::test_body(size_t index) { return test_bodies_.at(index); }

void LuaGuest::push_handle(lua_State* L, HandleKind kind, uint64_t id) {
  const lua_Integer key = static_cast<lua_Integer>((static_cast<uint64_t>(kind) << 56) | id);
  lua_rawgeti(L, LUA_REGISTRYINDEX, handles_ref_);
  if (lua_rawgeti(L, -1, key) != LUA_TNIL) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  auto* h = static_cast<HandleUd*>(lua_newuserdatauv(L, sizeof(HandleUd), 0));
  h->kind = static_cast<uint8_t>(kind);
  h->mark = kHandleMark;
  h->id = id;
  lua_rawgeti(L, LUA_REGISTRYINDEX, handle_meta_ref_);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawseti(L, -3, key);
  lua_remove(L, -2);
}

std::optional<Handle> LuaGuest::to_handle(lua_State* L, int idx) {
  // Only lockstep makes userdata of this size with the mark (lua_touserdata
  // is null for anything but userdata; a light one has no size).
  const auto* h = static_cast<const HandleUd*>(lua_touserdata(L, idx));
  if (h == nullptr || lua_rawlen(L, idx) != sizeof(HandleUd) || h->mark != kHandleMark) return std::nullopt;
  return Handle{static_cast<HandleKind>(h->kind), h->id};
}

vm::Pid LuaGuest::check_pid(lua_State* L, int idx) {
  auto h = to_handle(L, idx);
  if (!h || h->kind != HandleKind::kPid) {
    luaL_typeerror(L, idx, "pid");
  }
  return static_cast<vm::Pid>(h->id);
}

vm::Reason LuaGuest::check_reason(lua_State* L, int idx) {
  if (lua_isnoneornil(L, idx)) return {vm::ReasonKind::kNormal, 0};
  if (lua_type(L, idx) == LUA_TSTRING) {
    const std::string s = string_at(L, idx);
    for (auto k : {vm::ReasonKind::kNormal, vm::ReasonKind::kKill, vm::ReasonKind::kKilled, vm::ReasonKind::kNoproc,
                   vm::ReasonKind::kNoconnection}) {
      if (s == vm::reason_atom(k)) return {k, 0};
    }
  }
  return {vm::ReasonKind::kValue, store_copy(L, idx, "exit reason")};
}

vm::Dest LuaGuest::check_dest(lua_State* L, int idx) {
  if (auto h = to_handle(L, idx); h && h->kind == HandleKind::kPid) return {static_cast<vm::Pid>(h->id), 0};
  const int type = lua_type(L, idx);
  if (type == LUA_TSTRING) return {vm::kNoPid, vm_->intern(lua_tostring(L, idx))};
  if (type == LUA_TTABLE) {
    lua_rawgeti(L, idx, 1);
    lua_rawgeti(L, idx, 2);
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
      luaL_error(L, "destination {name, node} must be two strings: a registered name and a node");
    }
    const vm::NodeId node = vm_->find_node(lua_tostring(L, -1));
    if (node == vm::kLocalNode) luaL_error(L, "destination {name, node}: no node is named \"%s\"", lua_tostring(L, -1));
    vm::Dest d{vm::kNoPid, vm_->intern(lua_tostring(L, -2)), node};
    lua_pop(L, 2);
    return d;
  }
  return {check_pid(L, idx), 0};
}

// ---------------------------------------------------------------------------
// Running processes

void LuaGuest::check_clock(lua_State* L) {
  // Past max_memory (an allocation failed for it) the process is stopped
  // the same way: a pcall around the allocation must not keep it going.
  const bool memory = arena_.limit_hit();
  if (!timed_out_ && !memory) {
    if (std::chrono::steady_clock::now() < deadline_) {
      // An interrupt meant for an earlier deadline: its hook comes off.
      if (interrupt::armed_by_interrupt(L)) {
        interrupt::clear();
        lua_sethook(L, nullptr, 0, 0);
      }
      return;
    }
    timed_out_ = true;
  }
  // Where the process may suspend, it is switched away for good (pcall
  // cannot catch that); inside a C call that cannot suspend, an error
  // unwinds the C++ frames first, and a later check switches it away.
  // Where it was looping: the first place noticed (inside a gsub callback
  // or a match function rather than the call that led there).
  if ((mode_ == Mode::kProcess || mode_ == Mode::kMatch) && timeout_location_.empty()) {
    timeout_location_ = user_line(L);
  }
  if (mode_ == Mode::kProcess && scheduler_ && lua_isyieldable(L)) {
    switch_to_scheduler(Exit::kTimedOut);
    return;
  }
  // From now on the hook raises at every instruction of this thread, so a
  // pcall in a loop cannot outlast it: the loop's own next instruction
  // raises outside the pcall (the next iteration starts without it).
  interrupt::arm(L);
  luaL_error(L, timed_out_ ? "lockstep: iteration timed out (iter_timeout)"
                          : "lockstep: the iteration's guest memory passed max_memory");
}

void LuaGuest::need_process(lua_State* L, const char* fn) {
  switch (mode_) {
    case Mode::kLoad:
    case Mode::kIdle:
      luaL_error(L, "lockstep.%s can only be called by a process: call it inside a test function", fn);
      break;
    case Mode::kMatch:
      luaL_error(L, "lockstep.%s called inside a receive match function; match functions must be pure", fn);
      break;
    case Mode::kInvariant:
      luaL_error(L, "lockstep.%s cannot be called inside an invariant (invariants are read-only)", fn);
      break;
    case Mode::kProcess:
      if (timed_out_) luaL_error(L, "lockstep: iteration timed out (iter_timeout)");
      if (!lua_isyieldable(L)) {
        luaL_error(L,
                   "lockstep.%s cannot suspend here: it was called from a C function that cannot yield "
                   "(such as a table.sort comparator or a string.gsub callback)",
                   fn);
      }
      break;
  }
}

void LuaGuest::need_iteration(lua_State* L, const char* fn) {
  if (mode_ == Mode::kProcess) return;
  if (mode_ == Mode::kMatch) luaL_error(L, "lockstep.%s called inside a receive match function; match functions must be pure", fn);
  if (mode_ == Mode::kInvariant) luaL_error(L, "lockstep.%s cannot be called inside an invariant (invariants are read-only)", fn);
  luaL_error(L, "lockstep.%s can only be called by a process: call it inside a test function", fn);
}

vm::Reply* LuaGuest::switch_to_scheduler(Exit how) {
  exit_ = how;
  void* token = nullptr;
  fiber::entering(&token, scheduler_bottom_, scheduler_size_);
  const fiber::Transfer t = fiber::jump(scheduler_, nullptr);
  fiber::entered(token, &scheduler_bottom_, &scheduler_size_);
  scheduler_ = t.fctx;
  return static_cast<vm::Reply*>(t.data);
}

int LuaGuest::suspend(lua_State* L) {
  vm::Reply* reply = switch_to_scheduler(Exit::kSuspended);
  int nargs = 0;
  push_reply(L, *reply, nargs);
  if (raise_pending_) {
    raise_pending_ = false;
    return lua_error(L);
  }
  return nargs;
}

// The bottom frame of every process stack: runs the body to its end and
// switches back for good (the stack is then reused by another process).
void LuaGuest::fiber_main(fiber::Transfer t) {
  auto* g = static_cast<LuaGuest*>(t.data);
  fiber::entered(nullptr, &g->scheduler_bottom_, &g->scheduler_size_);
  g->scheduler_ = t.fctx;
  lua_State* T = g->threads_[g->current_].L;
  int nres = 0;
  int status;
  try {
    status = lua_resume(T, g->L_, g->start_nargs_, &nres);
  } catch (...) {  // lua_resume is protected; this is only a last resort
    lua_pushliteral(T, "lockstep: internal error while running a process");
    status = LUA_ERRRUN;
  }
  g->finish_status_ = status;
  g->finish_nres_ = nres;
  g->switch_to_scheduler(Exit::kFinished);
  __builtin_unreachable();
}

void LuaGuest::release_stack(Thread& t) {
  if (!t.stack.base) return;
  stacks_.release(t.stack);
  t.stack = {};
  t.ctx = nullptr;
}

vm::ResumeResult LuaGuest::resume(vm::Pid pid, vm::Reply& reply) {
  if (pid >= threads_.size()) threads_.resize(pid + 1);
  Thread& th = threads_[pid];
  if (reply.kind == vm::Reply::Kind::kStart) {
    lua_State* T = lua_newthread(L_);
    th.L = T;
    th.ref = store(L_, -1);
    lua_pop(L_, 1);
    push_value(L_, reply.value);  // body {fn, n = #args, args...}
    const int body = lua_gettop(L_);
    lua_getfield(L_, body, "n");
    const int nargs = static_cast<int>(lua_tointeger(L_, -1));
    lua_pop(L_, 1);
    // Room on both stacks (spawn caps nargs at kMaxSpawnArgs, far below
    // Lua's stack limit, so this cannot fail).
    lua_checkstack(L_, nargs + 2);
    lua_checkstack(T, nargs + 2);
    for (int i = 1; i <= nargs + 1; ++i) lua_rawgeti(L_, body, i);
    lua_xmove(L_, T, nargs + 1);
    lua_pop(L_, 1);
    release(reply.value);
    th.stack = stacks_.acquire();
    th.ctx = StackPool::prepare(th.stack, fiber_main);
    start_nargs_ = nargs;
  }
  mode_ = Mode::kProcess;
  current_ = pid;
  // A fresh stack receives the guest (fiber_main); a suspended one its reply.
  void* data = reply.kind == vm::Reply::Kind::kStart ? static_cast<void*>(this) : static_cast<void*>(&reply);
  void* token = nullptr;
  fiber::entering(&token, th.stack.base, th.stack.size);
  {
    interrupt::Running running(th.L);
    th.ctx = fiber::jump(th.ctx, data).fctx;
  }
  fiber::entered(token);
  scheduler_ = nullptr;
  mode_ = Mode::kIdle;
  current_ = vm::kNoPid;
  raise_pending_ = false;

  vm::ResumeResult r;
  if (timed_out_ || exit_ == Exit::kTimedOut) {
    r.how = vm::ResumeResult::How::kTimedOut;
    r.location = timeout_location_;
    return r;
  }
  if (exit_ == Exit::kSuspended) {
    r.how = vm::ResumeResult::How::kYielded;
    return r;
  }
  // The body ended: its stack is free again.
  release_stack(th);
  lua_State* T = th.L;
  switch (finish_status_) {
    case LUA_YIELD:  // a bare coroutine.yield in the body; the VM reports it
      lua_pop(T, finish_nres_);
      r.how = vm::ResumeResult::How::kYielded;
      break;
    case LUA_OK:
      lua_pop(T, finish_nres_);
      r.how = vm::ResumeResult::How::kReturned;
      break;
    default:
      r.how = vm::ResumeResult::How::kRaised;
      if (raised_in_library(T)) {
        // Raised by the library for its caller (a call to a dead server, a
        // timeout, a server's exit reason passed on): the message as is,
        // at the innermost line of scenario code (the failed thread's
        // stack is still there).
        std::string ignored;
        r.message = lua_type(T, -1) == LUA_TSTRING ? string_at(T, -1) : error_text(T, -1, &ignored);
        r.location = user_line(T);
      } else {
        r.message = error_text(T, -1, &r.location);
        if (r.location.empty()) r.location = user_line(T);
      }
      r.error = store(T, -1);
      lua_pop(T, 1);
      break;
  }
  return r;
}

bool LuaGuest::raised_in_library(lua_State* T) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(T, level, &ar); ++level) {
    if (!lua_getinfo(T, "S", &ar)) continue;
    if (ar.what && std::string_view(ar.what) == "C") continue;  // error() itself, a C function
    return ar.source && std::string_view(ar.source).rfind("=lockstep/", 0) == 0;
  }
  return false;
}

std::string LuaGuest::user_line(lua_State* T) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(T, level, &ar); ++level) {
    if (!lua_getinfo(T, "Sl", &ar) || ar.currentline <= 0) continue;
    const std::string_view source = ar.source ? ar.source : "";
    if (source.empty() || source[0] != '@') continue;  // the library ("=lockstep/...") and C
    return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
  }
  return "";
}

std::string LuaGuest::error_text(lua_State* L, int idx, std::string* location) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    std::string s = string_at(L, idx);
    std::string where, message;
    if (parse_position(s, &where, &message)) {
      *location = where;
      return message;
    }
    return s;
  }
  return render_at(L, idx, 200);
}

bool LuaGuest::match(vm::ValueRef matcher, vm::Message& msg, std::string& error) {
  materialize(msg);
  lua_State* A = aux_;
  push_value(A, matcher);
  push_value(A, msg.value);
  const int status = call_on_aux(Mode::kMatch, 1);
  if (status != LUA_OK) {
    std::string where;
    error = error_text(A, -1, &where);
    if (!where.empty()) error += " (at " + where + ")";
    lua_pop(A, 1);
    return false;
  }
  const bool ok = lua_toboolean(A, -1);
  lua_pop(A, 1);
  return ok;
}

int LuaGuest::call_on_aux(Mode mode, int nargs) {
  const Mode saved = mode_;
  mode_ = mode;
  interrupt::Running running(aux_);
  ++aux_calls_;
  const int status = lua_pcall(aux_, nargs, 1, 0);
  --aux_calls_;
  mode_ = saved;
  return status;
}

void LuaGuest::begin_step() {
  // Rendering events must not grow a stack (an allocation) only in recorded
  // runs, so the room it needs is made at every step of every run.
  lua_checkstack(aux_, kAuxStack);
}

void LuaGuest::discard(vm::Pid pid) {
  if (pid >= threads_.size()) return;
  Thread& t = threads_[pid];
  // A process killed while suspended leaves its frames on its stack; they
  // own nothing (lua/fiber.h), so the stack is reused as it is.
  release_stack(t);
  release(t.ref);
  t = {};
}

// ---------------------------------------------------------------------------
// LuaProgram

}  // namespace lockstep::lua

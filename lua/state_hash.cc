// The guest's part of a state fingerprint (vm/state_hash.h): values by
// content, and each process's continuation.
//
// A continuation is everything a suspended process will run from: its
// call stack, innermost frame first. A Lua frame is its function (where it
// was defined, and its upvalues by content), where it stands (the line and
// the instruction it resumes at: two sync points on one line stand at two
// places), its locals, temporaries and varargs by content. A C frame (the
// binding the process suspended in, a pcall on the way) is its function
// and its stack slots. Values reached from any of these are hashed by
// content: tables by their entries as a multiset, closures by where they
// were defined and their upvalues; a table or closure met again (a cycle,
// or sharing within the process) by the index of its first visit, so the
// same structure hashes the same at any addresses. Handles go through the
// VM's canonical naming. Coroutines a process made are hashed as
// continuations too.
//
// Left out, and documented in docs/strategies.md: the library's own tables
// (lockstep and its modules, string, table, math, ...) are constants,
// hashed by which one they are, never by content, so state a scenario
// stores in them is not seen; sharing of one table between two processes
// (through a scenario-level local) is hashed as two equal tables.
//
// A walk allocates nothing in the guest heap, so taking a fingerprint
// cannot change what the guest does next (its allocations, its garbage
// collector's pace, the order `pairs` visits table keys in): a run may take
// fingerprints at any points and its replay none. It works on a thread of
// its own whose stack is reserved at load and kept full between walks (the
// collector never shrinks it), and a table's entries are combined as a
// multiset, so they need no sorting.
#include <cstring>

#include "lua/guest.h"

namespace lockstep::lua {

namespace {

enum Tag : uint64_t {
  kNotStarted = 0x51a7,
  kFrame = 0xf4a3,
  kCFrame = 0xcf4a,
  kLocal = 0x10ca,
  kVararg = 0x7a4a,
  kUpvalue = 0x0f0f,
  kSeen = 0x5ee4,
  kConstant = 0xc025,
  kUnreadablePc = 0xbadc,
  kTooDeep = 0xdee9,
  kKeyWithHandles = 0x4e7d,
};

// Values nested deeper than this (a long linked list) make the state one
// that never equals another: a missed merge, never a crash or a false one.
constexpr int kMaxDepth = 200;
// The walk's stack: at most 8 slots a level, and some room.
constexpr int kHashStack = kMaxDepth * 8 + 64;

// Where a suspended Lua frame resumes: Lua 5.4's CallInfo starts with
// four pointers (func, top, previous, next), then, for a Lua function,
// savedpc. The public API gives only the line; LuaGuest checks this layout
// once per state (probe_resume_points) before it relies on it.
const void* resume_point(const lua_Debug& ar) {
  static_assert(LUA_VERSION_NUM == 504, "the CallInfo layout read here is Lua 5.4's");
  const void* pc = nullptr;
  std::memcpy(&pc, reinterpret_cast<const char*>(ar.i_ci) + 4 * sizeof(void*), sizeof pc);
  return pc;
}

// Which function prototype a Lua closure runs: Lua 5.4's LClosure starts
// with its common header (next, tt, marked), nupvalues and gclist, then
// the Proto pointer. Checked once per state (probe_closures) before it is
// relied on.
const void* prototype(const void* closure) {
  const void* p = nullptr;
  std::memcpy(&p, reinterpret_cast<const char*>(closure) + 3 * sizeof(void*), sizeof p);
  return p;
}

int probe(lua_State* L) {
  lua_Debug ar;
  if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "l", &ar)) return 0;
  lua_pushinteger(L, ar.currentline);
  lua_pushinteger(L, static_cast<lua_Integer>(reinterpret_cast<uintptr_t>(resume_point(ar))));
  return 2;
}

}  // namespace

LuaGuest::FirstVisits::Slot& LuaGuest::FirstVisits::find(const void* p) {
  const size_t mask = slots_.size() - 1;
  size_t i = (reinterpret_cast<uintptr_t>(p) >> 4) * 0x9e3779b97f4a7c15ull >> 20 & mask;
  while (slots_[i].gen == gen_ && slots_[i].p != p) i = (i + 1) & mask;
  return slots_[i];
}

uint32_t LuaGuest::FirstVisits::visit(const void* p, bool& fresh) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  Slot& s = find(p);
  fresh = s.gen != gen_;
  if (fresh) s = {p, gen_, size_++};
  return s.number;
}

void LuaGuest::FirstVisits::clear() {
  size_ = 0;
  if (++gen_ == 0) {  // the generations wrapped: no stale slot may look current
    for (Slot& s : slots_) s.gen = 0;
    gen_ = 1;
  }
}

void LuaGuest::FirstVisits::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  for (const Slot& s : old) {
    if (s.gen == gen_) find(s.p) = s;
  }
}

// Checks that resume_point reads this Lua's layout: two calls on one line
// resume a few instructions apart, inside the guest heap, in order.
bool LuaGuest::probe_resume_points() {
  lua_State* L = L_;
  const int top = lua_gettop(L);
  static const char kChunk[] =
      "local p = ...\n"
      "local l1, a = p(); local l2, b = p()\n"
      "return l1, a, l2, b\n";
  bool ok = luaL_loadbufferx(L, kChunk, sizeof kChunk - 1, "=probe", "t") == LUA_OK;
  if (ok) {
    lua_pushcfunction(L, probe);
    ok = lua_pcall(L, 1, 4, 0) == LUA_OK;
  }
  if (ok) {
    const lua_Integer l1 = lua_tointeger(L, -4), l2 = lua_tointeger(L, -2);
    const auto a = static_cast<uintptr_t>(lua_tointeger(L, -3));
    const auto b = static_cast<uintptr_t>(lua_tointeger(L, -1));
    ok = l1 == 2 && l2 == 2 && a < b && b - a < 64 * sizeof(uint32_t) &&
         arena_.contains(reinterpret_cast<const void*>(a));
  }
  lua_settop(L, top);
  return ok;
}

// Checks that prototype() reads this Lua's layout: two closures of one
// function share a prototype inside the guest heap, and a closure of
// another function has another.
bool LuaGuest::probe_closures() {
  lua_State* L = L_;
  const int top = lua_gettop(L);
  static const char kChunk[] =
      "local function make(x) return function() return x end end\n"
      "return make(1), make(2), function() end\n";
  bool ok = luaL_loadbufferx(L, kChunk, sizeof kChunk - 1, "=probe", "t") == LUA_OK && lua_pcall(L, 0, 3, 0) == LUA_OK;
  if (ok) {
    const void* a = prototype(lua_topointer(L, -3));
    const void* b = prototype(lua_topointer(L, -2));
    const void* c = prototype(lua_topointer(L, -1));
    ok = a == b && a != c && arena_.contains(a) && arena_.contains(c);
  }
  lua_settop(L, top);
  return ok;
}

// The library's tables, as the top level leaves them: reachable from the
// standard libraries and lockstep through table keys, values and
// metatables (the globals table itself is the scenario's: not included).
// Numbered breadth first in key order, so every load numbers them alike.
// Runs at load time, before the state is saved (it allocates).
void LuaGuest::collect_constant_tables() {
  constant_tables_.clear();
  lua_State* L = L_;
  lua_checkstack(L, 8);
  lua_pushglobaltable(L);
  const void* globals = lua_topointer(L, -1);
  lua_pop(L, 1);
  lua_newtable(L);  // the work list
  const int queue = lua_gettop(L);
  lua_Integer tail = 0;
  auto enqueue = [&](int idx) {
    if (lua_type(L, idx) != LUA_TTABLE) return;
    const void* p = lua_topointer(L, idx);
    if (p == globals || constant_tables_.count(p) != 0) return;
    constant_tables_.emplace(p, static_cast<uint32_t>(constant_tables_.size()));
    lua_pushvalue(L, idx);
    lua_rawseti(L, queue, ++tail);
  };
  static const char* const kRoots[] = {"lockstep",      LUA_STRLIBNAME,  LUA_TABLIBNAME,
                                       LUA_MATHLIBNAME, LUA_COLIBNAME,   LUA_UTF8LIBNAME,
                                       LUA_IOLIBNAME,   LUA_OSLIBNAME,   LUA_LOADLIBNAME};
  for (const char* root : kRoots) {
    lua_getglobal(L, root);
    enqueue(-1);
    lua_pop(L, 1);
  }
  for (lua_Integer head = 1; head <= tail; ++head) {
    lua_rawgeti(L, queue, head);
    const int t = lua_gettop(L);
    if (lua_getmetatable(L, t)) {
      enqueue(-1);
      lua_pop(L, 1);
    }
    const auto n = static_cast<lua_Integer>(push_sorted_keys(*this, L, t));
    const int keys = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, keys, i);
      enqueue(-1);
      lua_rawget(L, t);
      enqueue(-1);
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

// The walk's thread, its stack grown once before the state is saved. Its
// base frame's top (set by lua_checkstack) counts as stack in use, so the
// collector never shrinks the stack, whatever the thread's own top: a
// walk makes no allocation a run without fingerprints would not make. A
// walk ends with the top at 0; the slots above it may hold what the walk
// left there, which nothing reads (the collector only marks below the top,
// and its atomic phase writes nil above it), so the saved state leaves the
// block out: restoring it would copy ~27 KB every iteration, and clearing
// it after each walk cost a quarter of a fingerprint.
void LuaGuest::reserve_hash_stack() {
  hash_ = lua_newthread(L_);
  luaL_ref(L_, LUA_REGISTRYINDEX);
  arena_.watch();
  lua_checkstack(hash_, kHashStack);
  arena_.leave_out();
}

// Walks values for one fingerprint, sharing the first-visit indices.
class LuaGuest::ValueWalk {
 public:
  ValueWalk(LuaGuest& g, vm::StateHasher& h) : g_(g), h_(&h), seen_(g.hash_seen_) {
    seen_.clear();
    lua_settop(g_.hash_, 0);
  }
  // Empty again, also after an error left values on the stack (what stays
  // above the top is never read: see reserve_hash_stack).
  ~ValueWalk() { lua_settop(g_.hash_, 0); }

  // The value at the top of the walk's stack, popped.
  void pop_value() {
    value(lua_gettop(g_.hash_));
    lua_pop(g_.hash_, 1);
  }

  // Moves the value at the top of T onto the walk's stack and hashes it.
  void take_from(lua_State* T) {
    lua_xmove(T, g_.hash_, 1);
    pop_value();
  }

  void thread(lua_State* T);

 private:
  void value(int idx);
  void table(int idx);
  void function(int idx);
  // A table, closure or coroutine met before: its first visit's index.
  bool met(const void* p) {
    bool fresh;
    const uint32_t n = seen_.visit(p, fresh);
    if (!fresh) h_->tag(kSeen).u64(n);
    return !fresh;
  }
  void frame(lua_State* T, lua_Debug& ar);
  // Enters one level of nesting with `slots` free on the walk's stack
  // (reserved: lua_checkstack only marks them used); false (and the state
  // made unlike any other) past kMaxDepth or the reserve.
  bool enter(int slots) {
    if (depth_ < kMaxDepth && room(slots)) {
      ++depth_;
      return true;
    }
    h_->tag(kTooDeep).u64(++g_.unreadable_);
    return false;
  }
  void leave() { --depth_; }
  // Where an object sits, when fingerprints hold the numbering
  // (StateOptions::ids: a run ordered or printed objects by it).
  void placed(const void* p) {
    if (h_->ids() && g_.in_arena(p)) h_->u64(g_.object_order(p));
  }
  bool room(int slots) { return lua_gettop(g_.hash_) + slots < kHashStack && lua_checkstack(g_.hash_, slots); }

  LuaGuest& g_;
  int depth_ = 0;
  vm::StateHasher* h_;  // where values go (a table's entry: an element of its multiset)
  FirstVisits& seen_;
};

void LuaGuest::ValueWalk::value(int idx) {
  lua_State* L = g_.hash_;
  const int type = lua_type(L, idx);
  h_->tag(static_cast<uint64_t>(type) + 16);
  switch (type) {
    case LUA_TNIL:
      return;
    case LUA_TBOOLEAN:
      h_->boolean(lua_toboolean(L, idx));
      return;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        h_->tag(1).i64(lua_tointeger(L, idx));
      } else {
        const double d = lua_tonumber(L, idx);
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        h_->tag(2).u64(bits);
      }
      return;
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, idx, &n);
      h_->bytes({s, n});
      return;
    }
    case LUA_TTABLE:
      table(idx);
      return;
    case LUA_TFUNCTION:
      function(idx);
      return;
    case LUA_TTHREAD: {
      lua_State* co = lua_tothread(L, idx);
      placed(co);
      if (met(co) || !enter(4)) return;
      h_->u64(static_cast<uint64_t>(lua_status(co)));
      thread(co);
      leave();
      return;
    }
    default:
      if (auto handle = g_.to_handle(L, idx)) {
        switch (handle->kind) {
          case HandleKind::kPid: h_->pid(handle->id); return;
          case HandleKind::kRef: h_->ref(handle->id); return;
          case HandleKind::kTimer: h_->timer(handle->id); return;
          case HandleKind::kAtomics: h_->atomics(handle->id); return;
          case HandleKind::kTable: h_->table(handle->id); return;
        }
      }
      h_->tag(4);  // other userdata (files): their kind alone
  }
}

// A table by its entries as a multiset (each key and value hashed as one
// element: no order to agree on, nothing to sort), then its metatable.
void LuaGuest::ValueWalk::table(int idx) {
  lua_State* L = g_.hash_;
  const void* p = lua_topointer(L, idx);
  if (auto c = g_.constant_tables_.find(p); c != g_.constant_tables_.end()) {
    h_->tag(kConstant).u64(c->second);
    return;
  }
  placed(p);
  if (met(p) || !enter(8)) return;
  vm::StateHasher* outer = h_;
  vm::StateHasher::Unordered entries;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    vm::StateHasher entry = outer->element();
    h_ = &entry;
    lua_pushvalue(L, -2);
    pop_value();  // the key
    pop_value();  // the value
    entries.add(entry.finish());
  }
  h_ = outer;
  h_->unordered(entries);
  if (lua_getmetatable(L, idx)) {
    h_->tag(0x3e7a);
    pop_value();
  }
  leave();
}

// A closure by which function it runs (a Lua function by its prototype,
// placed in the guest heap as every resume point is; a C function by its
// address) and its upvalues by content.
void LuaGuest::ValueWalk::function(int idx) {
  lua_State* L = g_.hash_;
  const void* closure = lua_topointer(L, idx);
  placed(closure);
  if (met(closure) || !enter(4)) return;
  if (lua_iscfunction(L, idx)) {
    h_->tag(5).u64(reinterpret_cast<uintptr_t>(lua_tocfunction(L, idx)));
  } else if (g_.closures_readable_ && !g_.code_loaded_) {
    h_->tag(6).u64(g_.arena_.offset(prototype(closure)));
  } else {
    lua_Debug ar;
    lua_pushvalue(L, idx);
    lua_getinfo(L, ">S", &ar);
    h_->bytes(ar.source ? ar.source : "").i64(ar.linedefined).i64(ar.lastlinedefined);
  }
  int n = 0;
  for (; lua_getupvalue(L, idx, n + 1) != nullptr; ++n) {
    h_->tag(kUpvalue);
    pop_value();
  }
  h_->u64(static_cast<uint64_t>(n));
  leave();
}

void LuaGuest::ValueWalk::thread(lua_State* T) {
  lua_Debug ar;
  int level = 0;
  for (; lua_getstack(T, level, &ar); ++level) frame(T, ar);
  h_->u64(static_cast<uint64_t>(level));
  if (level == 0) {  // not started (a body and its arguments) or ended
    const int top = lua_gettop(T);
    h_->tag(kNotStarted).u64(static_cast<uint64_t>(top));
    if (!lua_checkstack(T, 1) || !room(2)) {
      h_->tag(kTooDeep).u64(++g_.unreadable_);
      return;
    }
    for (int i = 1; i <= top; ++i) {
      lua_pushvalue(T, i);
      take_from(T);
    }
  }
}

void LuaGuest::ValueWalk::frame(lua_State* T, lua_Debug& ar) {
  if (!lua_checkstack(T, 2) || !room(4)) {
    h_->tag(kTooDeep).u64(++g_.unreadable_);
    return;
  }
  lua_getinfo(T, "Slf", &ar);  // pushes the frame's function on T
  const bool is_c = ar.what && std::strcmp(ar.what, "C") == 0;
  if (is_c) {
    h_->tag(kCFrame);
  } else {
    h_->tag(kFrame).i64(ar.currentline);
    if (g_.resume_points_) {
      h_->u64(g_.arena_.offset(resume_point(ar)));
    } else {
      h_->tag(kUnreadablePc).u64(++g_.unreadable_);  // no two states alike: no merge
    }
  }
  take_from(T);
  for (int n = 1;; ++n) {
    if (lua_getlocal(T, &ar, n) == nullptr) break;
    h_->tag(kLocal);
    take_from(T);
  }
  for (int n = -1;; --n) {
    if (lua_getlocal(T, &ar, n) == nullptr) break;
    h_->tag(kVararg);
    take_from(T);
  }
}

void LuaGuest::hash_value(vm::ValueRef v, vm::StateHasher& h) {
  if (v == 0) {
    h.tag(0);
    return;
  }
  ValueWalk walk(*this, h);
  push_value(hash_, v);
  walk.pop_value();
}

void LuaGuest::hash_key(std::string_view key, vm::StateHasher& h) {
  if (key.find('\x40') == std::string_view::npos || !vm::key_handles(key, key_handles_) || key_handles_.empty()) {
    h.bytes(key);
    return;
  }
  h.tag(kKeyWithHandles).u64(key_handles_.size());
  size_t from = 0;
  for (const vm::KeyHandle& k : key_handles_) {
    h.bytes(key.substr(from, k.offset - from));
    switch (static_cast<HandleKind>(k.kind)) {
      case HandleKind::kPid: h.pid(k.id); break;
      case HandleKind::kRef: h.ref(k.id); break;
      case HandleKind::kTimer: h.timer(k.id); break;
      case HandleKind::kAtomics: h.atomics(k.id); break;
      case HandleKind::kTable: h.table(k.id); break;
    }
    from = k.offset + vm::kKeyHandleBytes;
  }
  h.bytes(key.substr(from));
}

void LuaGuest::hash_shared(vm::StateHasher& h) {
  ValueWalk walk(*this, h);
  for (int ref : {invariants_ref_, monitors_ref_}) {
    lua_rawgeti(hash_, LUA_REGISTRYINDEX, ref);
    walk.pop_value();
  }
}

void LuaGuest::hash_process(vm::Pid pid, vm::StateHasher& h) {
  if (pid >= threads_.size() || threads_[pid].L == nullptr) {
    h.tag(kNotStarted);
    return;
  }
  ValueWalk walk(*this, h);
  walk.thread(threads_[pid].L);
}

}  // namespace lockstep::lua

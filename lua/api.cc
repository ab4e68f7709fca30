// The `lockstep` Lua API (SPEC 5.2, 5.4, 5.5): one function per call, each
// checking its arguments, making one VM call, and (for a sync point)
// suspending the process until the scheduler runs the operation. No
// argument error may be raised after an operation is posted, and a binding
// calls suspend() in tail position with no owning C++ object alive (a
// killed process's stack is reused without unwinding: lua/fiber.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engine/options.h"
#include "engine/strategy.h"
#include "lua/guest.h"

namespace lockstep::lua {
namespace {

LuaGuest& G(lua_State* L) { return LuaGuest::of(L); }

int64_t check_ms(lua_State* L, int idx, const char* what) {
  const lua_Number n = luaL_checknumber(L, idx);
  if (std::isnan(n) || n < 0) luaL_error(L, "%s must be a non-negative number of milliseconds", what);
  if (std::isinf(n)) return -1;
  if (n >= 9.2e18) return std::numeric_limits<int64_t>::max();  // past the end of virtual time
  return static_cast<int64_t>(std::ceil(n));
}

// --- processes -------------------------------------------------------------

}  // namespace

std::string_view check_name(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING) luaL_typeerror(L, idx, "string (a process name)");
  size_t n;
  const char* s = lua_tolstring(L, idx, &n);
  if (n == 0) luaL_argerror(L, idx, "a process name cannot be empty");
  return {s, n};  // every byte: "a\0b" is not "a"
}


// The function at `first` runs in a new process with the arguments after it.
int spawn_impl(lua_State* L, vm::Vm::SpawnMode mode, const char* fn, int first, vm::NodeId node,
               vm::NameId name) {
  LuaGuest& g = G(L);
  g.need_process(L, fn);
  luaL_checktype(L, first, LUA_TFUNCTION);
  const int n = lua_gettop(L) - first;
  constexpr int kMaxSpawnArgs = 1000;
  if (n > kMaxSpawnArgs) {
    return luaL_error(L, "%s: too many arguments (%d; at most %d: pass a table)", fn, n, kMaxSpawnArgs);
  }
  luaL_checkstack(L, 4, "spawn");
  lua_createtable(L, n + 1, 1);
  lua_pushvalue(L, first);
  lua_rawseti(L, -2, 1);
  for (int i = 1; i <= n; ++i) {
    g.push_copy(L, first + i, "a spawn argument");
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushinteger(L, n);
  lua_setfield(L, -2, "n");
  const vm::ValueRef body = g.store(L, -1);
  lua_pop(L, 1);
  g.vm().post_spawn(body, mode, node, name);
  return g.suspend(L);
}

namespace {

// spawn([{register = name},] fn, ...): with options first, the new process
// is registered under `name` in the spawn's own step.
int spawn_impl(lua_State* L, vm::Vm::SpawnMode mode, const char* fn) {
  if (lua_type(L, 1) != LUA_TTABLE) return lockstep::lua::spawn_impl(L, mode, fn, 1, vm::kLocalNode);
  vm::NameId name = 0;
  if (lua_getfield(L, 1, "register") != LUA_TNIL) name = G(L).vm().intern(check_name(L, -1));
  lua_pop(L, 1);
  return lockstep::lua::spawn_impl(L, mode, fn, 2, vm::kLocalNode, name);
}

int l_spawn(lua_State* L) { return spawn_impl(L, vm::Vm::SpawnMode::kPlain, "spawn"); }
int l_spawn_link(lua_State* L) { return spawn_impl(L, vm::Vm::SpawnMode::kLink, "spawn_link"); }
// spawn_monitor(fn, ...) -> pid, ref
int l_spawn_monitor(lua_State* L) { return spawn_impl(L, vm::Vm::SpawnMode::kMonitor, "spawn_monitor"); }

int l_self(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration(L, "self");
  g.push_handle(L, HandleKind::kPid, g.vm().self());
  return 1;
}

int l_send(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "send");
  luaL_checkany(L, 2);
  const vm::Dest dest = g.check_dest(L, 1);
  const vm::ValueRef msg = g.store_copy(L, 2, "the message");
  g.vm().post_send(dest, msg);
  return g.suspend(L);
}

// match_idx 0: no match function (any message).
// Whether the Lua function that called this binding is lockstep's own
// library (its chunks are named "=lockstep/<file>").
bool called_by_library(lua_State* L) {
  lua_Debug ar;
  if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "S", &ar) || !ar.source) return false;
  return std::strncmp(ar.source, "=lockstep/", 10) == 0;
}

int receive_impl(lua_State* L, int match_idx, int64_t timeout) {
  LuaGuest& g = G(L);
  vm::ValueRef matcher = 0;
  if (match_idx != 0 && !lua_isnoneornil(L, match_idx)) {
    luaL_checktype(L, match_idx, LUA_TFUNCTION);
    matcher = g.store(L, match_idx);
  }
  g.vm().post_receive(matcher, timeout, timeout > 0 && called_by_library(L));
  return g.suspend(L);
}

// A receive timeout: milliseconds, or "infinity" (or math.huge): none.
int64_t check_timeout(lua_State* L, int idx) {
  if (lua_type(L, idx) == LUA_TSTRING && std::strcmp(lua_tostring(L, idx), "infinity") == 0) return -1;
  if (lua_type(L, idx) != LUA_TNUMBER) luaL_typeerror(L, idx, "number of milliseconds or \"infinity\"");
  return check_ms(L, idx, "the receive timeout");
}

// receive([match], [timeout_ms | "infinity"]) -> message, or nil on timeout
int l_receive(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "receive");
  const int first = lua_type(L, 1), second = lua_type(L, 2);
  const bool no_second = second == LUA_TNONE || second == LUA_TNIL;
  if ((first == LUA_TNUMBER || first == LUA_TSTRING) && no_second) {
    return receive_impl(L, 0, check_timeout(L, 1));
  }
  if (first == LUA_TNONE || first == LUA_TNIL) return receive_impl(L, 0, no_second ? -1 : check_timeout(L, 2));
  luaL_checktype(L, 1, LUA_TFUNCTION);
  return receive_impl(L, 1, no_second ? -1 : check_timeout(L, 2));
}

int l_recv_first(lua_State* L) {
  G(L).need_process(L, "recv_first");
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TFUNCTION);
  return receive_impl(L, 1, -1);
}

int l_link(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "link");
  g.vm().post_link(g.check_pid(L, 1));
  return g.suspend(L);
}

int l_unlink(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "unlink");
  g.vm().post_unlink(g.check_pid(L, 1));
  return g.suspend(L);
}

int l_monitor(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "monitor");
  g.vm().post_monitor(g.check_pid(L, 1));
  return g.suspend(L);
}

int l_demonitor(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "demonitor");
  auto h = g.to_handle(L, 1);
  if (!h || h->kind != HandleKind::kRef) luaL_typeerror(L, 1, "monitor reference");
  bool flush = false;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "flush");
    flush = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  g.vm().post_demonitor(h->id, flush);
  return g.suspend(L);
}

int l_trap_exit(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "trap_exit");
  luaL_checktype(L, 1, LUA_TBOOLEAN);
  g.vm().post_trap_exit(lua_toboolean(L, 1));
  return g.suspend(L);
}

// exit([reason]) ends the caller; exit(pid, reason) sends an exit signal.
int l_exit(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "exit");
  if (lua_gettop(L) >= 2) {
    const vm::Pid pid = g.check_pid(L, 1);
    g.vm().post_signal(pid, g.check_reason(L, 2));
  } else {
    g.vm().post_exit(g.check_reason(L, 1));
  }
  return g.suspend(L);
}

int l_is_alive(lua_State* L) {
  LuaGuest& g = G(L);
  if (g.mode() == LuaGuest::Mode::kInvariant) {
    lua_pushboolean(L, g.vm().is_alive(g.check_pid(L, 1)));
    return 1;
  }
  g.need_process(L, "is_alive");
  g.vm().post_is_alive(g.check_pid(L, 1));
  return g.suspend(L);
}

int l_make_ref(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration(L, "make_ref");
  g.push_handle(L, HandleKind::kRef, g.vm().make_ref());
  return 1;
}

// _history_sync(id, detail, order): the sync point before a history event
// is recorded; `order` 1 an invocation, 2 a completion (real-time order:
// each commutes with the others of its kind), 0 or none total order.
int l_history_sync(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "history");
  const lua_Integer id = luaL_checkinteger(L, 1);
  const lua_Integer order = luaL_optinteger(L, 3, 0);
  if (order < 0 || order > 2) return luaL_argerror(L, 3, "0, 1 or 2");
  g.vm().post_history(static_cast<uint64_t>(id), lua_isnoneornil(L, 2) ? std::string() : check_string(L, 2),
                      static_cast<vm::HistoryOrder>(order));
  return g.suspend(L);
}

// abandon_ref(ref): later messages {ref, ...} to the caller are dropped.
int l_abandon_ref(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration(L, "abandon_ref");
  auto h = g.to_handle(L, 1);
  if (!h || h->kind != HandleKind::kRef) luaL_typeerror(L, 1, "reference");
  g.vm().abandon_ref(h->id);
  return 0;
}

int l_register(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "register");
  const std::string_view name = check_name(L, 1);
  const vm::Pid pid = g.check_pid(L, 2);
  g.vm().post_register(g.vm().intern(name), pid);
  return g.suspend(L);
}

int l_unregister(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "unregister");
  g.vm().post_unregister(g.vm().intern(check_name(L, 1)));
  return g.suspend(L);
}

int l_whereis(lua_State* L) {
  LuaGuest& g = G(L);
  if (g.mode() == LuaGuest::Mode::kInvariant) {
    const vm::Pid pid = g.vm().whereis(g.vm().intern(check_name(L, 1)));
    if (pid == vm::kNoPid) lua_pushnil(L);
    else g.push_handle(L, HandleKind::kPid, pid);
    return 1;
  }
  g.need_process(L, "whereis");
  g.vm().post_whereis(g.vm().intern(check_name(L, 1)));
  return g.suspend(L);
}

int l_registered(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "registered");
  g.vm().post_registered();
  return g.suspend(L);
}

int l_label(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration(L, "label");
  g.vm().set_label(check_string(L, 1));
  return 0;
}

// timers("quiescent" | "any"): the caller's own timers from now on (its
// receive timeouts, sleeps, send_afters), whatever the test's timers mode.
int l_timers(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "timers");
  static const char* const kModes[] = {"quiescent", "any", nullptr};
  const int mode = luaL_checkoption(L, 1, nullptr, kModes);
  g.vm().set_timer_mode(mode == 1 ? TimerMode::kAny : TimerMode::kQuiescent);
  return 0;
}

// symmetric({pid, pid, ...}): the processes are interchangeable; a state
// cache counts states that differ by a permutation of them once. Not a
// sync point: it changes only how states are named.
int l_symmetric(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "symmetric");
  luaL_checktype(L, 1, LUA_TTABLE);
  const lua_Integer n = std::min<lua_Integer>(luaL_len(L, 1), 1 << 20);
  for (lua_Integer i = 1; i <= n; ++i) {  // checked before anything is allocated (errors unwind with longjmp)
    lua_rawgeti(L, 1, i);
    auto h = g.to_handle(L, -1);
    if (!h || h->kind != HandleKind::kPid) return luaL_error(L, "symmetric: element %d is not a pid", static_cast<int>(i));
    lua_pop(L, 1);
  }
  bool ok;
  {
    std::vector<vm::Pid> pids;
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, 1, i);
      pids.push_back(static_cast<vm::Pid>(g.to_handle(L, -1)->id));
      lua_pop(L, 1);
    }
    std::string error;
    ok = g.vm().declare_symmetric(pids, error);
    if (!ok) {
      luaL_where(L, 1);
      lua_pushstring(L, error.c_str());
      lua_concat(L, 2);
    }
  }
  return ok ? 0 : lua_error(L);
}

int l_log(lua_State* L) {
  LuaGuest& g = G(L);
  if (!g.has_vm() || g.mode() == LuaGuest::Mode::kLoad) return 0;
  std::string text;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) text += ' ';
    if (lua_type(L, i) == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, i, &len);
      text.append(s, len);
    } else {
      text += g.render_at(L, i, 400);
    }
  }
  g.vm().log(text);
  return 0;
}

// --- time ------------------------------------------------------------------

int l_now(lua_State* L) {
  LuaGuest& g = G(L);
  lua_pushinteger(L, g.has_vm() ? g.vm().read_clock() : 0);
  return 1;
}

int l_sleep(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "sleep");
  g.vm().post_sleep(check_ms(L, 1, "the sleep time"));
  return g.suspend(L);
}

int l_send_after(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "send_after");
  luaL_checkany(L, 2);
  const int64_t ms = check_ms(L, 3, "the send_after delay");
  if (ms < 0) luaL_argerror(L, 3, "the delay must be finite");
  const vm::Dest dest = g.check_dest(L, 1);
  const vm::ValueRef msg = g.store_copy(L, 2, "the message");
  g.vm().post_send_after(dest, msg, ms);
  return g.suspend(L);
}

int l_cancel_timer(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "cancel_timer");
  auto h = g.to_handle(L, 1);
  if (!h || h->kind != HandleKind::kTimer) luaL_typeerror(L, 1, "timer");
  g.vm().post_cancel_timer(static_cast<vm::TimerId>(h->id));
  return g.suspend(L);
}

// --- controlled choices ----------------------------------------------------

uint64_t choose(lua_State* L, uint64_t n, const char* fn) {
  LuaGuest& g = G(L);
  g.need_iteration(L, fn);
  return g.vm().choose(n);
}

int l_random_int(lua_State* L) {
  const lua_Integer lo = luaL_checkinteger(L, 1);
  const lua_Integer hi = luaL_checkinteger(L, 2);
  luaL_argcheck(L, lo <= hi, 2, "interval is empty");
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  uint64_t v = 0;
  if (span < (uint64_t{1} << 62)) {
    v = choose(L, span + 1, "random_int");
  } else {
    // A wider interval (up to math.mininteger..math.maxinteger): two
    // recorded 32-bit choices, drawn again while past the interval (fewer
    // than two tries on average).
    do {
      v = choose(L, uint64_t{1} << 32, "random_int") << 32 | choose(L, uint64_t{1} << 32, "random_int");
    } while (v > span);
  }
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<uint64_t>(lo) + v));
  return 1;
}

int l_random_bool(lua_State* L) {
  lua_pushboolean(L, choose(L, 2, "random_bool") == 1);
  return 1;
}

int l_choose(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  luaL_argcheck(L, n > 0, 1, "cannot choose from an empty list");
  const uint64_t v = choose(L, static_cast<uint64_t>(n), "choose");
  lua_rawgeti(L, 1, static_cast<lua_Integer>(v) + 1);
  return 1;
}

// --- tests and invariants --------------------------------------------------

int l_invariant(lua_State* L) {
  LuaGuest& g = G(L);
  if (g.mode() != LuaGuest::Mode::kLoad && g.mode() != LuaGuest::Mode::kProcess) {
    return luaL_error(L, "lockstep.invariant must be called at the top level or by a process");
  }
  g.add_invariant(L);
  return 0;
}

// liveness(name, fn): fn returns true while the property it watches is
// pending (hot). Checked after every step, like an invariant.
int l_liveness(lua_State* L) {
  LuaGuest& g = G(L);
  if (g.mode() != LuaGuest::Mode::kLoad && g.mode() != LuaGuest::Mode::kProcess) {
    return luaL_error(L, "lockstep.liveness must be called at the top level or by a process");
  }
  g.add_monitor(L);
  return 0;
}

// Goals (docs/scenario-api.md, "Goals"): not sync points; counted where
// they run, in a process, an invariant, a monitor or a match function.
// The goal is named by `name` and the file:line of the call.
int count_goal(lua_State* L, const char* fn, bool unreachable, bool met) {
  LuaGuest& g = G(L);
  const char* name = luaL_checkstring(L, 1);
  if (!g.has_vm() || g.mode() == LuaGuest::Mode::kLoad || g.mode() == LuaGuest::Mode::kIdle) {
    return luaL_error(L, "lockstep.%s must be called while a test runs (in a process, an invariant or a monitor)",
                      fn);
  }
  lua_Debug ar;
  std::string where;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
    where = std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
  }
  g.vm().count_goal(name, where, unreachable, met);
  return 0;
}

// sometimes(name, cond): in some iteration this call runs with cond true.
int l_sometimes(lua_State* L) {
  luaL_checkany(L, 2);
  return count_goal(L, "sometimes", false, lua_toboolean(L, 2));
}

// reachable(name): sometimes(name, true).
int l_reachable(lua_State* L) { return count_goal(L, "reachable", false, true); }

// unreachable(name): running it is a bug (kind unreachable).
int l_unreachable(lua_State* L) { return count_goal(L, "unreachable", true, true); }

// An option's value as the engine checks it (engine/options.h, OptionInput).
OptionInput option_input(lua_State* L, int idx) {
  OptionInput in;
  in.type_name = luaL_typename(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      in.kind = lua_isinteger(L, idx) ? OptionInput::Kind::kInteger : OptionInput::Kind::kOther;
      in.integer = lua_tointeger(L, idx);
      break;
    case LUA_TBOOLEAN:
      in.kind = OptionInput::Kind::kBoolean;
      in.boolean = lua_toboolean(L, idx);
      break;
    case LUA_TSTRING:
      in.kind = OptionInput::Kind::kString;
      in.text = lua_tostring(L, idx);
      break;
    case LUA_TTABLE:  // name = count pairs ({drop = 2, crash = 1})
      in.kind = OptionInput::Kind::kCounts;
      idx = lua_absindex(L, idx);
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0) {
          in.malformed = true;
        } else {
          in.counts.emplace_back(lua_tostring(L, -2), lua_tointeger(L, -1));
        }
        lua_pop(L, 1);
      }
      break;
    default:
      break;
  }
  return in;
}

// Copies the options table at `given` into `opts` as canonical text by
// name, each checked by the engine; raises for an unknown name or a bad value.
void read_test_options(lua_State* L, int given, int opts) {
  const std::vector<const OptionSpec*> specs = all_options();
  std::vector<std::string> unknown;
  lua_pushnil(L);
  while (lua_next(L, given) != 0) {
    lua_pop(L, 1);
    bool known = false;
    if (lua_type(L, -1) == LUA_TSTRING) {
      for (const OptionSpec* spec : specs) known = known || spec->name == lua_tostring(L, -1);
    }
    if (!known) unknown.push_back(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string names;
    for (const OptionSpec* spec : specs) names += (names.empty() ? "" : ", ") + std::string(spec->name);
    luaL_error(L, "lockstep.test: unknown option '%s' (known: %s)", unknown.front().c_str(), names.c_str());
  }
  for (const OptionSpec* spec : specs) {
    const std::string key(spec->name);
    if (lua_getfield(L, given, key.c_str()) == LUA_TNIL) {
      lua_pop(L, 1);
      continue;
    }
    Result<std::string> text = test_option_text(*spec, option_input(L, -1));
    if (!text.ok()) luaL_error(L, "lockstep.test: %s", text.status().message().c_str());
    lua_pop(L, 1);
    lua_pushstring(L, text->c_str());
    lua_setfield(L, opts, key.c_str());
  }
}

// test(name, [options], fn). Options are checked by the engine against the
// option table (engine/options.h) and kept as text by name.
int l_test(lua_State* L) {
  LuaGuest& g = G(L);
  if (g.mode() != LuaGuest::Mode::kLoad) {
    return luaL_error(L, "lockstep.test must be called at the top level of a scenario file");
  }
  size_t name_length = 0;
  luaL_checklstring(L, 1, &name_length);
  if (name_length == 0) luaL_argerror(L, 1, "a test needs a name");
  // test(name, options, fn) or test(name, fn, [options]).
  int fn = 2, given = 0;
  if (lua_istable(L, 2)) {
    fn = 3;
    given = 2;
  } else if (!lua_isfunction(L, 2)) {
    luaL_typeerror(L, 2, "options table or function");
  }
  luaL_checktype(L, fn, LUA_TFUNCTION);
  if (fn == 2 && !lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    given = 3;
  }
  if (lua_gettop(L) > 3) lua_settop(L, 3);

  lua_createtable(L, 0, 9);
  const int opts = lua_gettop(L);
  if (given != 0) read_test_options(L, given, opts);

  // Names are unique within a file.
  lua_getfield(L, LUA_REGISTRYINDEX, "lockstep.tests");
  const auto count = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = 1; i <= count; ++i) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "name");
    if (lua_rawequal(L, -1, 1)) {
      return luaL_error(L, "lockstep.test: a test named \"%s\" is already declared in this file", lua_tostring(L, 1));
    }
    lua_pop(L, 2);
  }
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "name");
  lua_pushvalue(L, opts);
  lua_setfield(L, -2, "options");
  lua_pushvalue(L, fn);
  lua_setfield(L, -2, "fn");
  lua_rawseti(L, -2, count + 1);
  return 0;
}

const luaL_Reg kLockstepLib[] = {
    {"spawn", l_spawn},
    {"spawn_link", l_spawn_link},
    {"spawn_monitor", l_spawn_monitor},
    {"self", l_self},
    {"send", l_send},
    {"receive", l_receive},
    {"recv_first", l_recv_first},
    {"link", l_link},
    {"symmetric", l_symmetric},
    {"unlink", l_unlink},
    {"monitor", l_monitor},
    {"demonitor", l_demonitor},
    {"trap_exit", l_trap_exit},
    {"exit", l_exit},
    {"is_alive", l_is_alive},
    {"make_ref", l_make_ref},
    {"abandon_ref", l_abandon_ref},
    {"_history_sync", l_history_sync},
    {"register", l_register},
    {"unregister", l_unregister},
    {"whereis", l_whereis},
    {"registered", l_registered},
    {"label", l_label},
    {"timers", l_timers},
    {"log", l_log},
    {"now", l_now},
    {"sleep", l_sleep},
    {"send_after", l_send_after},
    {"cancel_timer", l_cancel_timer},
    {"random_int", l_random_int},
    {"random_bool", l_random_bool},
    {"choose", l_choose},
    {"invariant", l_invariant},
    {"liveness", l_liveness},
    {"sometimes", l_sometimes},
    {"reachable", l_reachable},
    {"unreachable", l_unreachable},
    {"test", l_test},
    {nullptr, nullptr},
};

}  // namespace

void open_lockstep_api(lua_State* L) {
  luaL_newlib(L, kLockstepLib);
  open_shared_state_api(L);
  open_ets_api(L);
  open_checker_api(L);
  open_cluster_api(L);
  lua_pushliteral(L, LOCKSTEP_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushvalue(L, -1);
  lua_setglobal(L, "lockstep");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "lockstep");
  lua_pop(L, 2);
}

}  // namespace lockstep::lua

// Invariants and liveness monitors (ls.invariant, ls.liveness): functions
// the guest calls after every step with read-only access.
#include "engine/system.h"
#include "lua/guest.h"

namespace lockstep::lua {

// Invariants and liveness monitors: lists of {name, fn} in the registry,
// called after every step in turn with read-only access (Mode::kInvariant).
void LuaGuest::add_watcher(lua_State* L, int list_ref, int& count) {
  luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_rawgeti(L, LUA_REGISTRYINDEX, list_ref);
  lua_createtable(L, 2, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, 2);
  lua_rawseti(L, -2, 2);
  lua_rawseti(L, -2, ++count);
  lua_pop(L, 1);
}

// Calls each watcher of the list; `seen(i, name, status)` sees its result
// (the function's value or error at the top of aux_) and returns false to
// stop.
template <class Seen>
void LuaGuest::call_watchers(int list_ref, int count, Seen seen) {
  lua_State* A = aux_;
  lua_rawgeti(A, LUA_REGISTRYINDEX, list_ref);
  const int list = lua_gettop(A);
  for (int i = 1; i <= count; ++i) {
    lua_rawgeti(A, list, i);
    lua_rawgeti(A, -1, 1);  // name
    lua_rawgeti(A, -2, 2);  // fn
    const int status = call_on_aux(Mode::kInvariant, 0);
    const bool go_on = seen(i, lua_tostring(A, -2), status);
    lua_pop(A, 3);
    if (!go_on) break;
  }
  lua_pop(A, 1);
}

void LuaGuest::add_invariant(lua_State* L) { add_watcher(L, invariants_ref_, invariant_count_); }

void LuaGuest::add_monitor(lua_State* L) {
  if (monitor_count_ >= static_cast<int>(lockstep::kMaxMonitors)) {
    luaL_error(L, "lockstep.liveness: at most %d liveness monitors", static_cast<int>(lockstep::kMaxMonitors));
  }
  add_watcher(L, monitors_ref_, monitor_count_);
}

bool LuaGuest::check_invariants(std::string& message) {
  bool ok = true;
  call_watchers(invariants_ref_, invariant_count_, [&](int, const char* name, int status) {
    if (status != LUA_OK) {
      std::string where;
      message = "invariant \"" + std::string(name) + "\" raised: " + error_text(aux_, -1, &where);
      if (!where.empty()) message += " (at " + where + ")";
      ok = false;
    } else if (lua_type(aux_, -1) == LUA_TBOOLEAN && !lua_toboolean(aux_, -1)) {
      message = "invariant \"" + std::string(name) + "\" does not hold";
      ok = false;
    }
    return ok;
  });
  return ok;
}

bool LuaGuest::check_monitors(uint64_t& hot, std::string& message) {
  bool ok = true;
  hot = 0;
  call_watchers(monitors_ref_, monitor_count_, [&](int i, const char* name, int status) {
    if (status != LUA_OK) {
      std::string where;
      message = "monitor \"" + std::string(name) + "\" raised: " + error_text(aux_, -1, &where);
      if (!where.empty()) message += " (at " + where + ")";
      ok = false;
    } else if (lua_toboolean(aux_, -1)) {
      hot |= uint64_t{1} << (i - 1);
    }
    return ok;
  });
  return ok;
}

std::string LuaGuest::monitor_name(uint32_t i) const {
  lua_State* A = aux_;
  lua_rawgeti(A, LUA_REGISTRYINDEX, monitors_ref_);
  lua_rawgeti(A, -1, static_cast<lua_Integer>(i) + 1);
  std::string name;
  if (lua_istable(A, -1)) {
    lua_rawgeti(A, -1, 1);
    name = string_at(A, -1);
    lua_pop(A, 1);
  }
  lua_pop(A, 2);
  return name;
}

}  // namespace lockstep::lua

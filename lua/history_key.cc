// The key by which ls.checker remembers a check that passed (lua/history_key.h).
#include "lua/history_key.h"

#include <string_view>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

// The bytes of the value at idx, appended to `out`, for a history's key:
// values with one encoding are one value to a check (1 and 1.0 are one).
// A table is its entries in their native order, so two equal tables may
// encode apart (the key is then only finer than the check). False, with
// `out` left partial, for what the key leaves to the check: a metatable,
// a function, a NaN, a table nested too deep (or in itself).
bool append_value(lua_State* L, int idx, std::string& out, int depth) {
  const auto put = [&out](char tag, const void* bytes, size_t n) {
    out += tag;
    out.append(static_cast<const char*>(bytes), n);
  };
  switch (lua_type(L, idx)) {
    case LUA_TNIL: out += 'n'; return true;
    case LUA_TBOOLEAN: out += lua_toboolean(L, idx) ? 't' : 'f'; return true;
    case LUA_TNUMBER: {
      lua_Integer n = 0;
      if (!lua_isinteger(L, idx)) {
        const lua_Number d = lua_tonumber(L, idx);
        if (d != d) return false;
        if (!lua_numbertointeger(d, &n) || static_cast<lua_Number>(n) != d) {
          put('d', &d, sizeof d);
          return true;
        }
      } else {
        n = lua_tointeger(L, idx);
      }
      put('i', &n, sizeof n);
      return true;
    }
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      put('s', &len, sizeof len);
      out.append(s, len);
      return true;
    }
    case LUA_TUSERDATA: {
      const std::optional<Handle> h = LuaGuest::of(L).to_handle(L, idx);
      if (!h) return false;
      put('h', &h->kind, sizeof h->kind);
      out.append(reinterpret_cast<const char*>(&h->id), sizeof h->id);
      return true;
    }
    case LUA_TTABLE: {
      if (depth > 16 || !lua_checkstack(L, 3)) return false;
      if (lua_getmetatable(L, idx)) {
        lua_pop(L, 1);
        return false;
      }
      idx = lua_absindex(L, idx);
      out += '{';
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        if (!append_value(L, -2, out, depth + 1) || !append_value(L, -1, out, depth + 1)) {
          lua_pop(L, 2);
          return false;
        }
        lua_pop(L, 1);
      }
      out += '}';
      return true;
    }
    default: return false;
  }
}

}  // namespace

// A key for checking the history at index 1 against the built-in model at
// index 2 as `mode` asks: equal keys, equal histories as far as the check
// can tell (each event's type, operation, process, position and value, the
// model and its initial value). Nothing for a history out of the ordinary
// (a metatable, a process that is neither a pid nor an integer, a value
// append_value leaves out, an event the check would reject, a history past
// 4 KB): it is checked as always.
std::optional<std::string> history_key(lua_State* L, char mode, const std::string& name) {
  constexpr size_t kLongest = 4096;
  const int top = lua_gettop(L);
  if (lua_getmetatable(L, 1) || lua_getmetatable(L, 2) || !lua_checkstack(L, 12)) {
    lua_settop(L, top);
    return std::nullopt;
  }
  // The field names, interned once (events have no metatable: raw reads).
  const char* const names[] = {"type", "f", "process", "index", "value"};
  for (const char* name : names) lua_pushstring(L, name);
  const auto field = [L, top](int event, int which) { return lua_pushvalue(L, top + 1 + which), lua_rawget(L, event); };
  const int fields = top + 5;
  const int e = fields + 1;  // each event in turn
  std::string key;
  key += mode;
  key += name;
  key += '\0';
  lua_getfield(L, 2, "init");
  bool ok = append_value(L, e, key, 0);
  lua_settop(L, fields);
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; ok && i <= n && key.size() <= kLongest; ++i) {
    ok = false;
    if (lua_rawgeti(L, 1, i) != LUA_TTABLE || lua_getmetatable(L, e)) break;
    char type = 0;
    if (field(e, 0) == LUA_TSTRING) {
      const std::string_view t = lua_tostring(L, -1);
      type = t == "invoke" ? 'I' : t == "ok" ? 'O' : t == "fail" ? 'F' : t == "info" ? 'N' : 0;
    }
    const int f = field(e, 1);
    if (type == 0 || (f != LUA_TSTRING && f != LUA_TNIL)) break;
    key += type;
    if (!append_value(L, -1, key, 0)) break;
    field(e, 2);
    if (!lua_isinteger(L, -1) && !LuaGuest::of(L).to_handle(L, -1)) break;
    if (!append_value(L, -1, key, 0)) break;
    field(e, 3);
    const lua_Integer position = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : i;
    key.append(reinterpret_cast<const char*>(&position), sizeof position);
    field(e, 4);
    ok = append_value(L, -1, key, 0);
    lua_settop(L, fields);
  }
  lua_settop(L, top);
  if (!ok || key.size() > kLongest) return std::nullopt;
  return key;
}

}  // namespace lockstep::lua

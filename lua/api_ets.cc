// lockstep.ets (SPEC 5.3, 5.9): ETS-like tables. Every call is a sync point
// and one atomic step; inside an invariant the read operations (lookup,
// lookup_element, member, tab2list, info) read the table directly.
//
// Arguments are checked and rows are copied before the operation is posted;
// table state (existence, access rights, contents) is checked when the
// step runs, since another process may change it in between.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

LuaGuest& G(lua_State* L) { return LuaGuest::of(L); }

// A table handle or the name of a named table -> a live table id.
uint32_t check_table(lua_State* L, int idx) {
  LuaGuest& g = G(L);
  if (lua_type(L, idx) == LUA_TSTRING) {
    const uint32_t id = g.vm().ets().resolve(string_at(L, idx));
    if (id == 0) luaL_error(L, "ets: no table is named \"%s\"", lua_tostring(L, idx));
    return id;
  }
  auto h = g.to_handle(L, idx);
  if (!h || h->kind != HandleKind::kTable) luaL_typeerror(L, idx, "ets table");
  if (!g.vm().ets().alive(static_cast<uint32_t>(h->id))) {
    luaL_error(L, "ets: the table does not exist (it was deleted, or its owner exited)");
  }
  return static_cast<uint32_t>(h->id);
}

// A tuple is a plain Lua table (not a pid, ref or other handle).
bool is_tuple(lua_State* L, int idx) { return lua_type(L, idx) == LUA_TTABLE; }

vm::EtsRow make_row(lua_State* L, int idx, uint32_t table, const char* fn) {
  LuaGuest& g = G(L);
  idx = lua_absindex(L, idx);
  if (!is_tuple(L, idx)) luaL_error(L, "%s: objects must be tuples (Lua arrays), not %s", fn, luaL_typename(L, idx));
  const vm::Ets::Options& o = g.vm().ets().options(table);
  if (lua_rawgeti(L, idx, o.keypos) == LUA_TNIL) {
    luaL_error(L, "%s: the tuple has no key at position %d", fn, o.keypos);
  }
  vm::EtsRow row;
  row.key = g.encode_key(L, -1);
  lua_pop(L, 1);
  if (o.type == vm::Ets::Type::kBag || g.vm().observing()) row.object = g.encode_key(L, idx);
  row.value = g.store_copy(L, idx, "the tuple");
  return row;
}

// One tuple, or a list of tuples when the first element is itself a tuple.
std::vector<vm::EtsRow> check_rows(lua_State* L, int idx, uint32_t table, const char* fn) {
  if (!is_tuple(L, idx)) luaL_error(L, "%s: objects must be tuples (Lua arrays), not %s", fn, luaL_typename(L, idx));
  lua_rawgeti(L, idx, 1);
  const bool list = is_tuple(L, -1);
  lua_pop(L, 1);
  std::vector<vm::EtsRow> rows;
  if (!list) {
    rows.push_back(make_row(L, idx, table, fn));
    return rows;
  }
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    rows.push_back(make_row(L, -1, table, fn));
    lua_pop(L, 1);
  }
  return rows;
}

bool in_invariant(LuaGuest& g) { return g.mode() == LuaGuest::Mode::kInvariant; }

// new(name, {type, access, named, keypos}) -> table
int l_new(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.new");
  vm::Ets::Options o;
  const std::string name = check_string(L, 1);
  bool named = false;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "type") != LUA_TNIL) {
      const char* t = luaL_checkstring(L, -1);
      if (std::strcmp(t, "set") == 0) o.type = vm::Ets::Type::kSet;
      else if (std::strcmp(t, "ordered_set") == 0) o.type = vm::Ets::Type::kOrderedSet;
      else if (std::strcmp(t, "bag") == 0) o.type = vm::Ets::Type::kBag;
      else if (std::strcmp(t, "duplicate_bag") == 0) o.type = vm::Ets::Type::kDuplicateBag;
      else luaL_error(L, "ets.new: type must be set, ordered_set, bag or duplicate_bag, not \"%s\"", t);
    }
    if (lua_getfield(L, 2, "access") != LUA_TNIL) {
      const char* a = luaL_checkstring(L, -1);
      if (std::strcmp(a, "public") == 0) o.access = vm::Ets::Access::kPublic;
      else if (std::strcmp(a, "protected") == 0) o.access = vm::Ets::Access::kProtected;
      else if (std::strcmp(a, "private") == 0) o.access = vm::Ets::Access::kPrivate;
      else luaL_error(L, "ets.new: access must be public, protected or private, not \"%s\"", a);
    }
    if (lua_getfield(L, 2, "named") != LUA_TNIL) named = lua_toboolean(L, -1);
    if (lua_getfield(L, 2, "keypos") != LUA_TNIL) {
      const lua_Integer k = luaL_checkinteger(L, -1);
      if (k < 1 || k > 255) luaL_error(L, "ets.new: keypos must be 1 .. 255");
      o.keypos = static_cast<int>(k);
    }
    lua_pop(L, 4);
  }
  if (named) o.name = name;
  o.label = name;
  g.vm().post_ets_new(std::move(o));
  return g.suspend(L);
}

int l_insert(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.insert");
  const uint32_t t = check_table(L, 1);
  g.vm().post_ets(StepKind::kEtsInsert, t, {}, check_rows(L, 2, t, "ets.insert"));
  return g.suspend(L);
}

int l_insert_new(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.insert_new");
  const uint32_t t = check_table(L, 1);
  g.vm().post_ets(StepKind::kEtsInsertNew, t, {}, check_rows(L, 2, t, "ets.insert_new"));
  return g.suspend(L);
}

// In an invariant, reads happen now, through the same VM code as the step
// (Vm::read_ets) and the same reply pushing.
int read_now(lua_State* L, LuaGuest& g, StepKind kind, uint32_t t, std::string key, int64_t pos = 0) {
  vm::Reply reply;
  g.vm().read_ets(kind, t, key, pos, reply);
  return g.push_reply_now(L, reply);
}

int l_lookup(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.lookup"), check_table(L, 1));
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsLookup, t, g.encode_key(L, 2));
  g.need_process(L, "ets.lookup");
  g.vm().post_ets(StepKind::kEtsLookup, t, g.encode_key(L, 2), {});
  return g.suspend(L);
}

int l_lookup_element(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.lookup_element"), check_table(L, 1));
  const lua_Integer pos = luaL_checkinteger(L, 3);
  luaL_argcheck(L, pos >= 1, 3, "positions start at 1");
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsLookupElement, t, g.encode_key(L, 2), pos);
  g.need_process(L, "ets.lookup_element");
  g.vm().post_ets(StepKind::kEtsLookupElement, t, g.encode_key(L, 2), {}, pos);
  return g.suspend(L);
}

int l_member(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.member"), check_table(L, 1));
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsMember, t, g.encode_key(L, 2));
  g.need_process(L, "ets.member");
  g.vm().post_ets(StepKind::kEtsMember, t, g.encode_key(L, 2), {});
  return g.suspend(L);
}

int l_delete(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.delete");
  const uint32_t t = check_table(L, 1);
  g.vm().post_ets(StepKind::kEtsDelete, t, g.encode_key(L, 2), {});
  return g.suspend(L);
}

int l_delete_table(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.delete_table");
  g.vm().post_ets(StepKind::kEtsDeleteTable, check_table(L, 1), {}, {});
  return g.suspend(L);
}

int l_take(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.take");
  const uint32_t t = check_table(L, 1);
  g.vm().post_ets(StepKind::kEtsTake, t, g.encode_key(L, 2), {});
  return g.suspend(L);
}

// update_counter(t, key, incr | {pos, incr}, [default_tuple]) -> new value
int l_update_counter(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.update_counter");
  {  // nothing owning may be alive across suspend (lua/fiber.h)
    const uint32_t t = check_table(L, 1);
    std::string key = g.encode_key(L, 2);
    lua_Integer pos = g.vm().ets().options(t).keypos + 1, incr = 0;
    if (lua_istable(L, 3)) {
      lua_rawgeti(L, 3, 1);
      lua_rawgeti(L, 3, 2);
      pos = luaL_checkinteger(L, -2);
      incr = luaL_checkinteger(L, -1);
      lua_pop(L, 2);
    } else {
      incr = luaL_checkinteger(L, 3);
    }
    luaL_argcheck(L, pos >= 1 && pos != g.vm().ets().options(t).keypos, 3, "cannot update the key or a position below 1");
    vm::ValueRef fallback = 0;
    if (!lua_isnoneornil(L, 4)) {
      if (!is_tuple(L, 4)) luaL_typeerror(L, 4, "default tuple");
      // The default is stored under the given key, with the key in place.
      lua_pushvalue(L, 4);
      g.push_copy(L, -1, "the default tuple");
      lua_pushvalue(L, 2);
      lua_rawseti(L, -2, g.vm().ets().options(t).keypos);
      fallback = g.store(L, -1);
      lua_pop(L, 2);
    }
    g.vm().post_ets(StepKind::kEtsUpdateCounter, t, std::move(key), {}, pos, incr, fallback);
  }
  return g.suspend(L);
}

// update_element(t, key, {pos, value} | {{pos, value}, ...}) -> true, or
// false when no row has the key
int l_update_element(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "ets.update_element");
  {  // nothing owning may be alive across suspend (lua/fiber.h)
    const uint32_t t = check_table(L, 1);
    std::string key = g.encode_key(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_rawgeti(L, 3, 1);
    const bool list = is_tuple(L, -1);
    lua_pop(L, 1);
    const lua_Integer n = list ? static_cast<lua_Integer>(lua_rawlen(L, 3)) : 1;
    const int keypos = g.vm().ets().options(t).keypos;
    for (lua_Integer i = 1; i <= n; ++i) {  // checked before anything is stored
      if (list && lua_rawgeti(L, 3, i) != LUA_TTABLE) luaL_argerror(L, 3, "a list of {pos, value} pairs");
      lua_rawgeti(L, list ? -1 : 3, 1);
      lua_rawgeti(L, list ? -2 : 3, 2);
      if (!lua_isinteger(L, -2) || lua_isnil(L, -1)) luaL_argerror(L, 3, "{pos, value}: an integer position and a value");
      const lua_Integer pos = lua_tointeger(L, -2);
      luaL_argcheck(L, pos >= 1 && pos != keypos, 3, "cannot update the key or a position below 1");
      lua_pop(L, list ? 3 : 2);
    }
    luaL_checkstack(L, static_cast<int>(std::min<lua_Integer>(n, 1 << 20)) + 4, "ets.update_element: too many elements");
    const int base = lua_gettop(L);
    for (lua_Integer i = 1; i <= n; ++i) {  // copied (which may raise) before the operation is posted
      if (list) lua_rawgeti(L, 3, i);
      lua_rawgeti(L, list ? -1 : 3, 2);
      g.push_copy(L, -1, "the element");
      lua_replace(L, list ? -3 : -2);
      if (list) lua_pop(L, 1);
    }
    vm::EtsArgs& args = g.vm().post_ets(StepKind::kEtsUpdateElement, t);
    args.key = std::move(key);
    for (lua_Integer i = 1; i <= n; ++i) {
      if (list) lua_rawgeti(L, 3, i);
      lua_rawgeti(L, list ? -1 : 3, 1);
      args.elements.push_back({lua_tointeger(L, -1), g.store(L, base + static_cast<int>(i))});
      lua_pop(L, list ? 2 : 1);
    }
    lua_settop(L, base);
  }
  return g.suspend(L);
}

// first(t) -> the first key (key order), or nil for an empty table
int l_first(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.first"), check_table(L, 1));
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsFirst, t, {});
  g.need_process(L, "ets.first");
  g.vm().post_ets(StepKind::kEtsFirst, t);
  return g.suspend(L);
}

// next(t, key) -> the key after `key` (key order), or nil after the last
int l_next(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.next"), check_table(L, 1));
  luaL_checkany(L, 2);
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsNext, t, g.encode_key(L, 2));
  g.need_process(L, "ets.next");
  g.vm().post_ets(StepKind::kEtsNext, t).key = g.encode_key(L, 2);
  return g.suspend(L);
}

int l_tab2list(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.tab2list"), check_table(L, 1));
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsTab2List, t, {});
  g.need_process(L, "ets.tab2list");
  g.vm().post_ets(StepKind::kEtsTab2List, t, {}, {});
  return g.suspend(L);
}

// info(t, "size") -> number of rows
int l_info(lua_State* L) {
  LuaGuest& g = G(L);
  const uint32_t t = (g.need_iteration_or_invariant(L, "ets.info"), check_table(L, 1));
  const char* item = luaL_optstring(L, 2, "size");
  if (std::strcmp(item, "size") != 0) return luaL_error(L, "ets.info: only \"size\" is supported, not \"%s\"", item);
  if (in_invariant(g)) return read_now(L, g, StepKind::kEtsInfo, t, {});
  g.need_process(L, "ets.info");
  g.vm().post_ets(StepKind::kEtsInfo, t, {}, {});
  return g.suspend(L);
}

const luaL_Reg kEtsLib[] = {
    {"new", l_new},
    {"insert", l_insert},
    {"insert_new", l_insert_new},
    {"lookup", l_lookup},
    {"lookup_element", l_lookup_element},
    {"member", l_member},
    {"delete", l_delete},
    {"delete_table", l_delete_table},
    {"take", l_take},
    {"update_counter", l_update_counter},
    {"update_element", l_update_element},
    {"first", l_first},
    {"next", l_next},
    {"tab2list", l_tab2list},
    {"info", l_info},
    {nullptr, nullptr},
};

}  // namespace

void open_ets_api(lua_State* L) {
  luaL_newlib(L, kEtsLib);
  lua_setfield(L, -2, "ets");
}

}  // namespace lockstep::lua

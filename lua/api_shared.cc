// lockstep.atomics and lockstep.persistent_term (SPEC 5.3): every call that
// touches shared state is a sync point and one atomic step. Inside an
// invariant, atomics.get and persistent_term.get read the state directly.
#include <cstring>
#include <string>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

LuaGuest& G(lua_State* L) { return LuaGuest::of(L); }
bool in_invariant(LuaGuest& g) { return g.mode() == LuaGuest::Mode::kInvariant; }

// --- atomics -----------------------------------------------------------------

uint64_t check_atomics(lua_State* L, int idx) {
  auto h = G(L).to_handle(L, idx);
  if (!h || h->kind != HandleKind::kAtomics) luaL_typeerror(L, idx, "atomics reference");
  return h->id;
}

int64_t check_index(lua_State* L, uint64_t id, int idx) {
  const lua_Integer i = luaL_checkinteger(L, idx);
  const vm::Atomics& a = G(L).vm().atomics();
  if (!a.valid(id, i)) {
    luaL_error(L, "atomics: index %I is out of range 1..%I", static_cast<lua_Integer>(i),
               static_cast<lua_Integer>(a.size(id)));
  }
  return i;
}

int64_t check_value(lua_State* L, uint64_t id, int idx) {
  const lua_Integer v = luaL_checkinteger(L, idx);
  if (!G(L).vm().atomics().is_signed(id) && v < 0) {
    luaL_error(L, "atomics: an unsigned array holds 0 .. 2^64-1, not %I", static_cast<lua_Integer>(v));
  }
  return v;
}

// new(n, [{signed = true}]) -> ref
int l_atomics_new(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_iteration(L, "atomics.new");
  const lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 1 && n <= (1 << 20), 1, "size must be 1 .. 2^20");
  bool is_signed = true;
  if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "signed") != LUA_TNIL) is_signed = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  g.push_handle(L, HandleKind::kAtomics, g.vm().atomics_new(static_cast<size_t>(n), is_signed));
  return 1;
}

int l_atomics_get(lua_State* L) {
  LuaGuest& g = G(L);
  if (in_invariant(g)) {
    const uint64_t id = check_atomics(L, 1);
    const int64_t i = check_index(L, id, 2);
    LuaGuest::push_int(L, static_cast<int64_t>(g.vm().atomics().get(id, i)), !g.vm().atomics().is_signed(id));
    return 1;
  }
  g.need_process(L, "atomics.get");
  const uint64_t id = check_atomics(L, 1);
  g.vm().post_atomics(StepKind::kAtomicsGet, id, check_index(L, id, 2), 0, 0, false);
  return g.suspend(L);
}

int l_atomics_put(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "atomics.put");
  const uint64_t id = check_atomics(L, 1);
  const int64_t i = check_index(L, id, 2);
  g.vm().post_atomics(StepKind::kAtomicsPut, id, i, check_value(L, id, 3), 0, false);
  return g.suspend(L);
}

int add_impl(lua_State* L, const char* fn, bool negate, bool get_new) {
  LuaGuest& g = G(L);
  g.need_process(L, fn);
  const uint64_t id = check_atomics(L, 1);
  const int64_t i = check_index(L, id, 2);
  const lua_Integer v = luaL_checkinteger(L, 3);
  const int64_t delta = negate ? static_cast<int64_t>(0ull - static_cast<uint64_t>(v)) : v;
  g.vm().post_atomics(StepKind::kAtomicsAdd, id, i, delta, 0, get_new);
  return g.suspend(L);
}

int l_atomics_add(lua_State* L) { return add_impl(L, "atomics.add", false, false); }
int l_atomics_add_get(lua_State* L) { return add_impl(L, "atomics.add_get", false, true); }
int l_atomics_sub(lua_State* L) { return add_impl(L, "atomics.sub", true, false); }
int l_atomics_sub_get(lua_State* L) { return add_impl(L, "atomics.sub_get", true, true); }

int l_atomics_exchange(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "atomics.exchange");
  const uint64_t id = check_atomics(L, 1);
  const int64_t i = check_index(L, id, 2);
  g.vm().post_atomics(StepKind::kAtomicsExchange, id, i, check_value(L, id, 3), 0, false);
  return g.suspend(L);
}

// compare_exchange(a, i, expected, desired) -> true, or false, current
int l_atomics_compare_exchange(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "atomics.compare_exchange");
  const uint64_t id = check_atomics(L, 1);
  const int64_t i = check_index(L, id, 2);
  const int64_t expected = check_value(L, id, 3);
  const int64_t desired = check_value(L, id, 4);
  g.vm().post_atomics(StepKind::kAtomicsCompareExchange, id, i, expected, desired, false);
  return g.suspend(L);
}

const luaL_Reg kAtomicsLib[] = {
    {"new", l_atomics_new},
    {"get", l_atomics_get},
    {"put", l_atomics_put},
    {"add", l_atomics_add},
    {"add_get", l_atomics_add_get},
    {"sub", l_atomics_sub},
    {"sub_get", l_atomics_sub_get},
    {"exchange", l_atomics_exchange},
    {"compare_exchange", l_atomics_compare_exchange},
    {nullptr, nullptr},
};

// --- persistent_term ---------------------------------------------------------

int l_term_put(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "persistent_term.put");
  luaL_checkany(L, 2);
  {  // nothing owning may be alive across suspend (lua/fiber.h)
    std::string key = g.encode_key(L, 1);
    const vm::ValueRef v = g.store_copy(L, 2, "the value");
    g.vm().post_term_put(std::move(key), v);
  }
  return g.suspend(L);
}

// get(key, [default])
int l_term_get(lua_State* L) {
  LuaGuest& g = G(L);
  const bool has_default = lua_gettop(L) >= 2;
  if (in_invariant(g)) {
    auto v = g.vm().terms().get(g.encode_key(L, 1));
    if (v) {
      g.push_value(L, *v);
      g.push_copy(L, -1, "a stored value");
    } else if (has_default) {
      lua_pushvalue(L, 2);
    } else {
      return luaL_error(L, "persistent_term.get: no term is stored under this key");
    }
    return 1;
  }
  g.need_process(L, "persistent_term.get");
  {  // nothing owning may be alive across suspend (lua/fiber.h)
    std::string key = g.encode_key(L, 1);
    const vm::ValueRef fallback = has_default ? g.store_copy(L, 2, "the default") : 0;
    g.vm().post_term_get(std::move(key), fallback, has_default);
  }
  return g.suspend(L);
}

int l_term_erase(lua_State* L) {
  LuaGuest& g = G(L);
  g.need_process(L, "persistent_term.erase");
  g.vm().post_term_erase(g.encode_key(L, 1));
  return g.suspend(L);
}

const luaL_Reg kTermLib[] = {
    {"put", l_term_put},
    {"get", l_term_get},
    {"erase", l_term_erase},
    {nullptr, nullptr},
};

}  // namespace

void open_shared_state_api(lua_State* L) {
  // lockstep table at -1
  luaL_newlib(L, kAtomicsLib);
  lua_setfield(L, -2, "atomics");
  luaL_newlib(L, kTermLib);
  lua_setfield(L, -2, "persistent_term");
}

}  // namespace lockstep::lua

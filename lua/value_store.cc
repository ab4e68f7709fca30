// The value store: the guest values the VM holds (messages, spawn bodies,
// threads), in a registry table by slot and reference-counted, so the VM
// names a Lua value by a ValueRef without holding Lua objects itself.
#include "lua/guest.h"

namespace lockstep::lua {

uint32_t LuaGuest::new_slot() {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(refcount_.size());
    refcount_.push_back(0);
  }
  refcount_[slot] = 1;
  return slot;
}

vm::ValueRef LuaGuest::store(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  const uint32_t slot = new_slot();
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, slot);
  lua_pop(L, 1);
  return slot;
}

vm::ValueRef LuaGuest::store_copy(lua_State* L, int idx, const char* what) {
  push_copy(L, idx, what);
  const uint32_t slot = new_slot();
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_insert(L, -2);
  lua_rawseti(L, -2, slot);
  lua_pop(L, 1);
  return slot;
}

void LuaGuest::push_value(lua_State* L, vm::ValueRef v) {
  if (v == 0) {
    lua_pushnil(L);
    return;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_rawgeti(L, -1, v);
  lua_remove(L, -2);
}

void LuaGuest::take_value(lua_State* L, vm::ValueRef v) {
  if (v == 0 || refcount_[v] > 1) {
    push_value(L, v);
    release(v);
    return;
  }
  refcount_[v] = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_rawgeti(L, -1, v);
  lua_pushnil(L);
  lua_rawseti(L, -3, v);
  lua_replace(L, -2);
  free_slots_.push_back(v);
}

void LuaGuest::retain(vm::ValueRef v) {
  if (v) ++refcount_[v];
}

vm::ValueRef LuaGuest::copy(vm::ValueRef v) {
  if (v == 0) return 0;
  lua_checkstack(L_, 4);
  push_value(L_, v);
  // Stored values were copied once already, so copying again cannot fail.
  const vm::ValueRef c = store_copy(L_, -1, "message");
  lua_pop(L_, 1);
  return c;
}

void LuaGuest::release(vm::ValueRef v) {
  if (v == 0 || --refcount_[v] > 0) return;
  lua_rawgeti(L_, LUA_REGISTRYINDEX, values_ref_);
  lua_pushnil(L_);
  lua_rawseti(L_, -2, v);
  lua_pop(L_, 1);
  free_slots_.push_back(v);
}

}  // namespace lockstep::lua

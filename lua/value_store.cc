// The value store: the guest values the VM holds (messages, spawn bodies,
// threads), reference-counted by slot, so the VM names a Lua value by a
// ValueRef without holding Lua objects itself. A number or boolean (most
// small messages) is held in its slot; anything else in a registry table
// at its slot.
#include "lua/guest.h"

namespace lockstep::lua {

uint32_t LuaGuest::new_slot() {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].refcount = 1;
  return slot;
}

bool LuaGuest::hold_scalar(lua_State* L, int idx, vm::ValueRef& v) {
  Slot::Kind kind;
  lua_Integer i = 0;
  lua_Number d = 0;
  switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
      kind = lua_toboolean(L, idx) ? Slot::Kind::kTrue : Slot::Kind::kFalse;
      break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        kind = Slot::Kind::kInteger;
        i = lua_tointeger(L, idx);
      } else {
        kind = Slot::Kind::kFloat;
        d = lua_tonumber(L, idx);
      }
      break;
    default:
      return false;
  }
  v = new_slot();
  Slot& slot = slots_[v];
  slot.kind = kind;
  if (kind == Slot::Kind::kFloat) {
    slot.d = d;
  } else {
    slot.i = i;
  }
  return true;
}

vm::ValueRef LuaGuest::store(lua_State* L, int idx) {
  vm::ValueRef v;
  if (hold_scalar(L, idx, v)) return v;
  idx = lua_absindex(L, idx);
  v = new_slot();
  slots_[v].kind = Slot::Kind::kInTable;
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, v);
  lua_pop(L, 1);
  return v;
}

vm::ValueRef LuaGuest::store_copy(lua_State* L, int idx, const char* what) {
  vm::ValueRef v;
  if (hold_scalar(L, idx, v)) return v;  // a copy of a number is the number
  push_copy(L, idx, what);
  v = new_slot();
  slots_[v].kind = Slot::Kind::kInTable;
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_insert(L, -2);
  lua_rawseti(L, -2, v);
  lua_pop(L, 1);
  return v;
}

void LuaGuest::push_value(lua_State* L, vm::ValueRef v) {
  if (v == 0) {
    lua_pushnil(L);
    return;
  }
  const Slot& slot = slots_[v];
  switch (slot.kind) {
    case Slot::Kind::kInTable:
      if (L == aux_ && aux_calls_ == 0) {
        lua_rawgeti(L, kAuxValues, v);
        break;
      }
      lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
      lua_rawgeti(L, -1, v);
      lua_replace(L, -2);
      break;
    case Slot::Kind::kFalse: lua_pushboolean(L, 0); break;
    case Slot::Kind::kTrue: lua_pushboolean(L, 1); break;
    case Slot::Kind::kInteger: lua_pushinteger(L, slot.i); break;
    case Slot::Kind::kFloat: lua_pushnumber(L, slot.d); break;
  }
}

void LuaGuest::take_value(lua_State* L, vm::ValueRef v) {
  if (v == 0 || slots_[v].refcount > 1 || slots_[v].kind != Slot::Kind::kInTable) {
    push_value(L, v);
    release(v);
    return;
  }
  slots_[v].refcount = 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, values_ref_);
  lua_rawgeti(L, -1, v);
  lua_pushnil(L);
  lua_rawseti(L, -3, v);
  lua_replace(L, -2);
  free_slots_.push_back(v);
}

void LuaGuest::retain(vm::ValueRef v) {
  if (v) ++slots_[v].refcount;
}

vm::ValueRef LuaGuest::copy(vm::ValueRef v) {
  if (v == 0) return 0;
  if (slots_[v].kind != Slot::Kind::kInTable) {
    const Slot held = slots_[v];
    const vm::ValueRef c = new_slot();
    slots_[c] = held;
    slots_[c].refcount = 1;
    return c;
  }
  lua_checkstack(L_, 4);
  push_value(L_, v);
  // Stored values were copied once already, so copying again cannot fail.
  const vm::ValueRef c = store_copy(L_, -1, "message");
  lua_pop(L_, 1);
  return c;
}

void LuaGuest::release(vm::ValueRef v) {
  if (v == 0 || --slots_[v].refcount > 0) return;
  if (slots_[v].kind == Slot::Kind::kInTable) {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, values_ref_);
    lua_pushnil(L_);
    lua_rawseti(L_, -2, v);
    lua_pop(L_, 1);
  }
  free_slots_.push_back(v);
}

}  // namespace lockstep::lua

// How a completed operation's result reaches the process: the VM's Reply
// (and received messages) pushed as Lua values onto the process's thread.
#include "lua/guest.h"

namespace lockstep::lua {

void LuaGuest::materialize(vm::Message& m) {
  if (m.kind == vm::Message::Kind::kUser) return;
  lua_State* L = L_;
  const bool down = m.kind == vm::Message::Kind::kDown;
  lua_createtable(L, down ? 4 : 3, 0);
  int i = 0;
  lua_pushstring(L, down ? "DOWN" : "EXIT");
  lua_rawseti(L, -2, ++i);
  if (down) {
    push_handle(L, HandleKind::kRef, m.ref);
    lua_rawseti(L, -2, ++i);
  }
  push_handle(L, HandleKind::kPid, m.from);
  lua_rawseti(L, -2, ++i);
  if (m.reason.kind == vm::ReasonKind::kValue) {
    push_value(L, m.reason.value);
    release(m.reason.value);
  } else {
    lua_pushstring(L, std::string(vm::reason_atom(m.reason.kind)).c_str());
  }
  lua_rawseti(L, -2, ++i);
  m.value = store(L, -1);
  lua_pop(L, 1);
  m.kind = vm::Message::Kind::kUser;
  m.reason = {};
}

void LuaGuest::push_message(lua_State* L, vm::Message& m) {
  materialize(m);
  take_value(L, m.value);
  m.value = 0;
}

void LuaGuest::push_reply(lua_State* T, vm::Reply& reply, int& nargs) {
  // T is the thread of the API function replying, which Lua called with
  // LUA_MINSTACK free slots above its arguments: while its frame holds few
  // values the room is there without asking.
  if (lua_gettop(T) + 8 > LUA_MINSTACK) lua_checkstack(T, 8);
  nargs = 1;
  switch (reply.kind) {
    case vm::Reply::Kind::kNone:
    case vm::Reply::Kind::kStart:
      nargs = 0;
      break;
    case vm::Reply::Kind::kPid: push_handle(T, HandleKind::kPid, reply.u); break;
    case vm::Reply::Kind::kPidRef:
      push_handle(T, HandleKind::kPid, reply.u);
      push_handle(T, HandleKind::kRef, static_cast<uint64_t>(reply.i));
      nargs = 2;
      break;
    case vm::Reply::Kind::kRef: push_handle(T, HandleKind::kRef, reply.u); break;
    case vm::Reply::Kind::kTimer: push_handle(T, HandleKind::kTimer, reply.u); break;
    case vm::Reply::Kind::kNil: lua_pushnil(T); break;
    case vm::Reply::Kind::kBool: lua_pushboolean(T, reply.b); break;
    case vm::Reply::Kind::kInt: push_int(T, reply.i, reply.as_unsigned); break;
    case vm::Reply::Kind::kValue:
      push_value(T, reply.value);
      release(reply.value);
      break;
    case vm::Reply::Kind::kCopyOf:
      push_value(T, reply.value);
      push_copy(T, -1, "a stored value");
      lua_remove(T, -2);
      break;
    case vm::Reply::Kind::kTable: push_handle(T, HandleKind::kTable, reply.u); break;
    case vm::Reply::Kind::kList: push_rows(T, reply); break;
    case vm::Reply::Kind::kElement: push_elements(T, reply); break;
    case vm::Reply::Kind::kCas:
      lua_pushboolean(T, reply.b);
      if (!reply.b) {
        push_int(T, reply.i, reply.as_unsigned);
        nargs = 2;
      }
      break;
    case vm::Reply::Kind::kMessage: push_message(T, reply.message); break;
    case vm::Reply::Kind::kNames: push_names(T); break;
    case vm::Reply::Kind::kError:
      lua_pushstring(T, reply.error.c_str());
      raise_pending_ = true;
      break;
  }
}

// A list of rows: copies of stored rows, or the values themselves when
// the reply owns them.
void LuaGuest::push_rows(lua_State* T, vm::Reply& reply) {
  lua_createtable(T, static_cast<int>(reply.values.size()), 0);
  for (size_t i = 0; i < reply.values.size(); ++i) {
    push_value(T, reply.values[i]);
    if (reply.owned) {
      release(reply.values[i]);
    } else {
      push_copy(T, -1, "a stored row");
      lua_remove(T, -2);
    }
    lua_rawseti(T, -2, static_cast<lua_Integer>(i + 1));
  }
}

// Element `i` of each row: the element itself, or a list for bags. A row
// without it raises in the process.
void LuaGuest::push_elements(lua_State* T, vm::Reply& reply) {
  if (reply.as_list) lua_createtable(T, static_cast<int>(reply.values.size()), 0);
  for (size_t i = 0; i < reply.values.size(); ++i) {
    push_value(T, reply.values[i]);
    lua_rawgeti(T, -1, reply.i);
    lua_remove(T, -2);
    if (lua_isnil(T, -1)) {
      lua_pop(T, reply.as_list ? 2 : 1);
      lua_pushfstring(T, "ets.lookup_element: the row has no element %I", static_cast<lua_Integer>(reply.i));
      raise_pending_ = true;
      return;
    }
    push_copy(T, -1, "a stored element");
    lua_remove(T, -2);
    if (!reply.as_list) break;
    lua_rawseti(T, -2, static_cast<lua_Integer>(i + 1));
  }
}

void LuaGuest::push_names(lua_State* T) {
  auto names = vm_->registered_names();
  lua_createtable(T, static_cast<int>(names.size()), 0);
  for (size_t i = 0; i < names.size(); ++i) {
    lua_pushstring(T, vm_->name_of(names[i]).c_str());
    lua_rawseti(T, -2, static_cast<lua_Integer>(i + 1));
  }
}

void LuaGuest::push_int(lua_State* L, int64_t v, bool as_unsigned) {
  // Unsigned cells above 2^63 - 1 do not fit a Lua integer: they come back as floats.
  if (as_unsigned && v < 0) lua_pushnumber(L, static_cast<double>(static_cast<uint64_t>(v)));
  else lua_pushinteger(L, v);
}

int LuaGuest::push_reply_now(lua_State* L, vm::Reply& reply) {
  int nargs = 0;
  push_reply(L, reply, nargs);
  if (raise_pending_) {
    raise_pending_ = false;
    return lua_error(L);
  }
  return nargs;
}

}  // namespace lockstep::lua

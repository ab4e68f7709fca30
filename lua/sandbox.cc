// The scenario's standard library, restricted: virtual time for os, reading
// files only for io, Lua modules beside the scenario for require.
#include "lua/sandbox.h"

#include <cstring>

#include "lua/guest.h"

namespace lockstep::lua {
namespace {

int os_time(lua_State* L) {
  if (!lua_isnoneornil(L, 1)) return luaL_error(L, "os.time(table) is not available in scenarios");
  LuaGuest& g = LuaGuest::of(L);
  lua_pushinteger(L, g.has_vm() ? g.vm().now() / 1000 : 0);
  return 1;
}

int os_clock(lua_State* L) {
  LuaGuest& g = LuaGuest::of(L);
  lua_pushnumber(L, g.has_vm() ? static_cast<double>(g.vm().now()) / 1000.0 : 0.0);
  return 1;
}

int os_difftime(lua_State* L) {
  lua_pushnumber(L, luaL_checknumber(L, 1) - luaL_optnumber(L, 2, 0));
  return 1;
}

// io.open for reading only; upvalue 1 is the stock io.open.
int io_open_ro(lua_State* L) {
  luaL_checkstring(L, 1);
  const char* mode = luaL_optstring(L, 2, "r");
  if (std::strcmp(mode, "r") != 0 && std::strcmp(mode, "rb") != 0) {
    return luaL_error(L, "io.open: scenarios may only read files (mode \"r\"), not \"%s\"", mode);
  }
  LuaGuest::of(L).note_file_opened();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// io.lines(filename); upvalue 1 is the stock io.lines.
int io_lines_ro(lua_State* L) {
  luaL_checkstring(L, 1);  // without a file name it would read stdin
  LuaGuest::of(L).note_file_opened();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

}  // namespace

void restrict_stdlib(lua_State* L, const Script& script) {
  // os: virtual time only; no processes, environment, files or exit.
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, os_time);
  lua_setfield(L, -2, "time");
  lua_pushcfunction(L, os_clock);
  lua_setfield(L, -2, "clock");
  lua_pushcfunction(L, os_difftime);
  lua_setfield(L, -2, "difftime");
  lua_setglobal(L, "os");

  // io: reading files only.
  lua_getglobal(L, "io");
  lua_createtable(L, 0, 3);
  lua_getfield(L, -2, "open");
  lua_pushcclosure(L, io_open_ro, 1);
  lua_setfield(L, -2, "open");
  lua_getfield(L, -2, "lines");
  lua_pushcclosure(L, io_lines_ro, 1);
  lua_setfield(L, -2, "lines");
  lua_getfield(L, -2, "type");
  lua_setfield(L, -2, "type");
  lua_setglobal(L, "io");
  lua_pop(L, 1);

  // require: Lua modules beside the scenario, no C modules.
  lua_getglobal(L, "package");
  const std::string dir = script.dir.empty() ? "." : script.dir;
  lua_pushstring(L, (dir + "/?.lua;" + dir + "/?/init.lua").c_str());
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_pushnil(L);
  lua_setfield(L, -2, "loadlib");
  lua_getfield(L, -1, "searchers");
  lua_pushnil(L);
  lua_rawseti(L, -2, 4);
  lua_pushnil(L);
  lua_rawseti(L, -2, 3);
  lua_pop(L, 2);
}

}  // namespace lockstep::lua

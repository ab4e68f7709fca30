// The scenario's standard library, restricted: virtual time for os, reading
// files only for io, Lua modules beside the scenario for require.
#include "lua/sandbox.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>

#include "lua/guest.h"
#include "lua/interrupt.h"
#include "lua/patterns.h"

namespace lockstep::lua {
namespace {

int os_time(lua_State* L) {
  if (!lua_isnoneornil(L, 1)) return luaL_error(L, "os.time(table) is not available in scenarios");
  LuaGuest& g = LuaGuest::of(L);
  lua_pushinteger(L, g.has_vm() ? g.vm().read_clock() / 1000 : 0);
  return 1;
}

int os_clock(lua_State* L) {
  LuaGuest& g = LuaGuest::of(L);
  lua_pushnumber(L, g.has_vm() ? static_cast<double>(g.vm().read_clock()) / 1000.0 : 0.0);
  return 1;
}

int os_difftime(lua_State* L) {
  lua_pushnumber(L, luaL_checknumber(L, 1) - luaL_optnumber(L, 2, 0));
  return 1;
}

// Scenarios read regular files only: not devices, FIFOs or sockets (real
// randomness, blocking reads), nor /proc, /sys or /dev (the machine's clock
// and state). Raises naming the file and the function.
void check_readable(lua_State* L, const char* fn, const char* path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  const std::string where = ec ? std::string(path) : canonical.string();
  for (const char* forbidden : {"/proc/", "/sys/", "/dev/"}) {
    if (where.rfind(forbidden, 0) == 0) {
      luaL_error(L, "%s: scenarios may not read %s (only regular files, and nothing under /proc, /sys or /dev)", fn,
                 path);
    }
  }
  if (fs::exists(canonical, ec) && !fs::is_regular_file(canonical, ec)) {
    luaL_error(L, "%s: %s is not a regular file (scenarios read regular files only)", fn, path);
  }
}

// io.open for reading only; upvalue 1 is the stock io.open.
int io_open_ro(lua_State* L) {
  const char* path = luaL_checkstring(L, 1);
  const char* mode = luaL_optstring(L, 2, "r");
  if (std::strcmp(mode, "r") != 0 && std::strcmp(mode, "rb") != 0) {
    return luaL_error(L, "io.open: scenarios may only read files (mode \"r\"), not \"%s\"", mode);
  }
  check_readable(L, "io.open", path);
  LuaGuest::of(L).note_file_opened();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// io.lines(filename); upvalue 1 is the stock io.lines.
int io_lines_ro(lua_State* L) {
  check_readable(L, "io.lines", luaL_checkstring(L, 1));  // without a file name it would read stdin
  LuaGuest::of(L).note_file_opened();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// load(chunk, [name], [mode], [env]) with text chunks only: bytecode can be
// crafted to crash the VM. Upvalue 1 is the stock load.
int load_text(lua_State* L) {
  LuaGuest::of(L).note_code_loaded();
  const bool has_env = !lua_isnone(L, 4);  // a nil env is not the same as none
  if (lua_gettop(L) < 2) lua_settop(L, 2);  // chunk and name, nil if not given
  const int top = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_pushliteral(L, "t");
  if (has_env) lua_pushvalue(L, 4);
  lua_call(L, has_env ? 4 : 3, LUA_MULTRET);
  return lua_gettop(L) - top;
}

// package.searchers[2], text only: a module beside the scenario, as source.
int search_lua_text(lua_State* L) {
  LuaGuest::of(L).note_code_loaded();
  const char* name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushstring(L, name);
  lua_getfield(L, -3, "path");
  lua_call(L, 2, 2);  // path | nil, message
  if (lua_isnil(L, -2)) return 1;  // the message says where it looked
  const char* path = lua_tostring(L, -2);
  check_readable(L, "require", path);
  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, path, lua_tostring(L, -1));
  }
  lua_pushstring(L, path);
  return 2;
}

// loadfile(path, [mode], [env]): a regular file, as text.
int loadfile_text(lua_State* L) {
  LuaGuest::of(L).note_code_loaded();
  const char* path = luaL_checkstring(L, 1);
  check_readable(L, "loadfile", path);
  const int has_env = !lua_isnone(L, 3);
  const int status = luaL_loadfilex(L, path, "t");
  if (status != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env) {
    lua_pushvalue(L, 3);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

// dofile(path): loadfile, then run it.
int dofile_text(lua_State* L) {
  LuaGuest::of(L).note_code_loaded();
  const char* path = luaL_checkstring(L, 1);
  check_readable(L, "dofile", path);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, path, "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, LUA_MULTRET);
  return lua_gettop(L) - 1;
}

// type(v), as the base library's, but with each name held as an upvalue:
// the base library's pushes it as a C string, which Lua looks up in its
// string cache (a strcmp) on every call, and patterns call type() on
// every message they test.
int type_cached(lua_State* L) {
  const int t = lua_type(L, 1);
  luaL_argcheck(L, t != LUA_TNONE, 1, "value expected");
  lua_pushvalue(L, lua_upvalueindex(t + 1));
  return 1;
}

void install_type(lua_State* L) {
  for (int t = 0; t < LUA_NUMTYPES; ++t) lua_pushstring(L, lua_typename(L, t));
  lua_pushcclosure(L, type_cached, LUA_NUMTYPES);
  lua_setglobal(L, "type");
}

// tostring(v): as Lua's, but a table, function, coroutine or userdata
// without __tostring or __name is named by its place in the arena (the same
// in every run and every worker), not by its address. Upvalue 1 is the
// stock tostring.
int tostring_stable(lua_State* L) {
  luaL_checkany(L, 1);
  const int t = lua_type(L, 1);
  const bool object = t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA;
  if (object && luaL_getmetafield(L, 1, "__tostring") == LUA_TNIL && luaL_getmetafield(L, 1, "__name") == LUA_TNIL) {
    const void* p = lua_topointer(L, 1);
    if (!LuaGuest::of(L).in_arena(p)) {
      lua_pushfstring(L, "%s: builtin", luaL_typename(L, 1));  // a C function of the library
    } else {
      LuaGuest::of(L).note_ids_read();
      lua_pushfstring(L, "%s: #%I", luaL_typename(L, 1), static_cast<lua_Integer>(LuaGuest::of(L).object_order(p)));
    }
    return 1;
  }
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

// string.format without %p (an address: it would differ between runs).
int format_without_addresses(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  for (const char* p = std::strchr(fmt, '%'); p; p = std::strchr(p + 2, '%')) {
    if (p[1] == '\0') break;
    size_t skip = 1;
    while (p[skip] && std::strchr("-+ #0123456789.", p[skip])) ++skip;
    if (p[skip] == 'p') return luaL_error(L, "string.format: %%p is not available in scenarios (addresses differ between runs)");
    if (p[1] == '%') ++p;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

}  // namespace

// setmetatable, refusing finalizers: Lua runs __gc with hooks off, so a
// loop in one could not be stopped by iter_timeout; and when the collector
// runs it is not part of the schedule.
int setmetatable_without_gc(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL) {
    return luaL_error(L, "setmetatable: __gc finalizers are not supported (they run outside the schedule, "
                         "and cannot be stopped)");
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// table.move in slices of kMoveSlice elements with the clock checked
// between them: the stock function moves any range in one C loop, so
// table.move({}, 1, 1e15, 2) would never return to the interpreter. The
// slices go in the order the stock function would move elements, so
// overlapping moves within one table give the same result.
namespace {

constexpr lua_Integer kMoveSlice = 1 << 16;

int move_in_slices(lua_State* L) {
  const lua_Integer f = luaL_checkinteger(L, 2);
  const lua_Integer e = luaL_checkinteger(L, 3);
  const lua_Integer t = luaL_checkinteger(L, 4);
  const bool other = !lua_isnoneornil(L, 5);
  // Small moves, and the stock function's own argument errors, as they are.
  if (e < f || (f <= 0 && e >= LUA_MAXINTEGER + f) || e - f < kMoveSlice ||
      t > LUA_MAXINTEGER - (e - f)) {
    lua_settop(L, 5);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 5, 1);
    return 1;
  }
  const lua_Integer n = e - f + 1;
  const bool backwards = t > f && t <= e && (!other || lua_compare(L, 1, 5, LUA_OPEQ));
  const lua_Integer slices = (n + kMoveSlice - 1) / kMoveSlice;
  for (lua_Integer k = 0; k < slices; ++k) {
    const lua_Integer i = backwards ? slices - 1 - k : k;
    const lua_Integer first = i * kMoveSlice;
    const lua_Integer count = std::min(kMoveSlice, n - first);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushinteger(L, f + first);
    lua_pushinteger(L, f + first + count - 1);
    lua_pushinteger(L, t + first);
    lua_pushvalue(L, other ? 5 : 1);
    lua_call(L, 5, 0);
    LuaGuest::of(L).check_clock(L);
  }
  lua_pushvalue(L, other ? 5 : 1);
  return 1;
}

// os with virtual time only (no processes, environment, files or exit);
// io for reading files only.
void restrict_os_and_io(lua_State* L) {
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
}

// require: the restricted os and io, Lua modules beside the scenario, no C modules.
void restrict_require(lua_State* L, const Script& script) {
  // require("io") / require("os") must give the restricted tables, not the
  // stock libraries still registered in package.loaded.
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  for (const char* lib : {"io", "os"}) {
    lua_getglobal(L, lib);
    lua_setfield(L, -2, lib);
  }
  lua_pop(L, 2);

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
  lua_pushcfunction(L, search_lua_text);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
}

// A coroutine the scenario creates checks the clock every so many
// instructions: the interrupt at iter_timeout stops the thread running
// guest code as the guest knows it (a process, a match function), and a
// coroutine running inside one is another thread (lua/interrupt.h).
constexpr int kCoroutineClockInterval = 10000;

// coroutine.create, upvalue 1 the stock one.
int create_with_clock(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  interrupt::arm(lua_tothread(L, -1), kCoroutineClockInterval);
  return 1;
}

// coroutine.wrap, upvalue 1 the stock one: its function holds the
// coroutine as its upvalue 1.
int wrap_with_clock(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  if (lua_getupvalue(L, -1, 1) != nullptr) {
    if (lua_State* co = lua_tothread(L, -1)) interrupt::arm(co, kCoroutineClockInterval);
    lua_pop(L, 1);
  }
  return 1;
}

}  // namespace

// Replaces library function `name` (a global, or a field of global table
// `lib`) with `f`, which gets the stock one as its upvalue 1.
static void wrap(lua_State* L, const char* lib, const char* name, lua_CFunction f) {
  if (lib) {
    lua_getglobal(L, lib);
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
  } else {
    lua_getglobal(L, name);
    lua_pushcclosure(L, f, 1);
    lua_setglobal(L, name);
  }
}

void restrict_stdlib(lua_State* L, const Script& script) {
  // Work in C that would not return to the interpreter for an unbounded
  // time checks the clock as it goes (iter_timeout, max_memory).
  install_bounded_patterns(L, [](lua_State* T) { LuaGuest::of(T).check_clock(T); });
  wrap(L, "table", "move", move_in_slices);
  wrap(L, nullptr, "setmetatable", setmetatable_without_gc);
  wrap(L, "coroutine", "create", create_with_clock);
  wrap(L, "coroutine", "wrap", wrap_with_clock);

  restrict_os_and_io(L);

  // No addresses: they differ between runs and workers.
  wrap(L, nullptr, "tostring", tostring_stable);
  install_type(L);
  wrap(L, "string", "format", format_without_addresses);

  // load, loadfile, dofile: text chunks from regular files only.
  wrap(L, nullptr, "load", load_text);
  lua_pushcfunction(L, loadfile_text);
  lua_setglobal(L, "loadfile");
  lua_pushcfunction(L, dofile_text);
  lua_setglobal(L, "dofile");

  restrict_require(L, script);
}

}  // namespace lockstep::lua

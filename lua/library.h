// The embedded Lua library: lua/lib/*.lua, each file compiled to bytecode
// at build time (lua/lua_compile.cc), with lockstep.<module> loaded on
// first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lua/guest.h"

namespace lockstep::lua {

// The bytecode of embedded file `file` (an index into kEmbeddedFiles).
std::string_view library_bytecode(size_t file);

// __index of the lockstep table: loads a library module the first time it
// is used. Loading is part of the iteration, so it is deterministic too.
int load_module_on_demand(lua_State* L);

// Loads, before the state is saved, every library module the scenario's
// source names (lockstep.genserver, ls.history ...) and every module those
// name: each iteration then starts with them instead of loading them again.
void preload_modules_named_in(lua_State* L, std::string_view source);

// lua_Writer appending to a std::string (ud).
int dump_writer(lua_State*, const void* p, size_t size, void* ud);

}  // namespace lockstep::lua

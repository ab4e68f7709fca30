// Restricts a scenario's standard library (SPEC 5.4): os reads virtual
// time, io opens files for reading only, require finds Lua modules beside
// the scenario and no C modules.
#pragma once

#include "lua/guest.h"

namespace lockstep::lua {

// Replaces os, io and package's searchers in the state's globals.
void restrict_stdlib(lua_State* L, const Script& script);

}  // namespace lockstep::lua

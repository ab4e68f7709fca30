// Lua's string pattern functions (string.find, match, gmatch, gsub) with a
// bound on their work. The stock matcher backtracks inside C without ever
// returning to the interpreter, so neither the count hook nor iter_timeout
// can stop a pattern such as ("a"):rep(40):find(("a*"):rep(40) .. "b").
// These behave as Lua 5.4's (same results, same error messages) and call
// `poll` every few tens of thousands of matching steps; poll may raise a Lua
// error or never return (the process is switched away), and the matcher's
// frames hold nothing that needs unwinding.
#pragma once

#include <lua.hpp>

namespace lockstep::lua {

using PatternPoll = void (*)(lua_State* L);

// Replaces find, match, gmatch and gsub in the `string` table of L's
// globals (the table string values index).
void install_bounded_patterns(lua_State* L, PatternPoll poll);

}  // namespace lockstep::lua

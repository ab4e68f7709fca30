// The key by which ls.checker remembers a check of a built-in model that
// passed (LuaGuest::passed_checks, docs/checkers.md): the history's exact
// content as bytes, so that an iteration checking a history seen before
// gets the verdict without pairing or searching.
#pragma once

#include <lua.hpp>

#include <optional>
#include <string>

namespace lockstep::lua {

// A key for checking the history at index 1 against the built-in model at
// index 2 (named `name`) in `mode` (one byte per kind of check): equal keys,
// equal histories as far as the check can tell (each event's type,
// operation, process, position and value, the model and its initial
// value). Nothing for a history out of the ordinary (a metatable, a process
// that is neither a pid nor an integer, a value with a metatable, a
// function or a NaN, an event the check would reject, a history past 4 KB):
// it is checked as always. Leaves the stack as it found it.
std::optional<std::string> history_key(lua_State* L, char mode, const std::string& name);

}  // namespace lockstep::lua

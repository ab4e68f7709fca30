// `lockstep lint`: code in a scenario that escapes the scheduler or breaks
// determinism, found before it runs. The file is compiled by Lua's own
// parser (text only) and its bytecode read back from lua_dump: every
// finding is about what the compiler produced (a global assignment, an
// upvalue written from a closure), never a pattern in the source text.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::lua {

struct LintWarning {
  std::string file;
  int line = 0;
  std::string check;  // "shared-local", "global-write", "os-io", "coroutine", "impure-match"
  std::string message;
};

// The warnings for one scenario file, in line order; a file that does not
// compile is an error (Status::LoadError, "file:line: message").
Result<std::vector<LintWarning>> lint_file(const std::string& path);

// The same for source text (`name` is used in messages).
Result<std::vector<LintWarning>> lint_source(const std::string& source, const std::string& name);

// Every check: (name, what it finds).
const std::vector<std::pair<std::string, std::string>>& lint_checks();

}  // namespace lockstep::lua

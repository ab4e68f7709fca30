// Scenario source: compiled by Lua's parser and its bytecode read back by
// `lockstep lint`; any text gives warnings or one load error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lua/lint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lockstep::lua::lint_source(std::string(reinterpret_cast<const char*>(data), size), "fuzz.lua");
  return 0;
}

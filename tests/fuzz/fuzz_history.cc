// Recorded histories (Jepsen logs, EDN, JSON lines): any text gives
// operations or one error; what parses is written and parsed again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/checker/history_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ops = lockstep::checker::parse_history(text, "fuzz.history");
  if (ops.ok()) {
    auto again = lockstep::checker::parse_history(lockstep::checker::to_json_lines(*ops), "again.jsonl");
    if (!again.ok() || again->size() != ops->size()) __builtin_trap();
  }
  return 0;
}

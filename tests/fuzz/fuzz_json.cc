// lockstep's JSON reader (shard results for merge, JSON-lines histories).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lockstep::parse_json(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

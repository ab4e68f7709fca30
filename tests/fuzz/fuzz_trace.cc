// Trace files: any bytes give a trace or one error, never a crash, a hang
// or a huge allocation; a trace that decodes encodes and decodes again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/report/dump.h"
#include "engine/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto trace = lockstep::decode_trace(bytes, "fuzz.lockstep");
  if (trace.ok()) {
    auto again = lockstep::decode_trace(lockstep::encode_trace(*trace), "again.lockstep");
    if (!again.ok()) __builtin_trap();
    (void)lockstep::trace_to_json(*trace);
  }
  return 0;
}

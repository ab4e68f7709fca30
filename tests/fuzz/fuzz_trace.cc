// Trace files: any bytes give a trace or one error, never a crash, a hang
// or a huge allocation; a trace that decodes encodes and decodes again.
// An input whose first byte is odd is taken, after that byte, as the
// records inside a file (framed and compressed here), so the fuzzer reaches
// the field decoders past the header's checksum and the zlib stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/report/dump.h"
#include "engine/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string framed;
  if (!bytes.empty() && (bytes[0] & 1) != 0) {
    framed = lockstep::trace_file(bytes.substr(1));
    bytes = framed;
  }
  auto trace = lockstep::decode_trace(bytes, "fuzz.lockstep");
  if (trace.ok()) {
    auto again = lockstep::decode_trace(lockstep::encode_trace(*trace), "again.lockstep");
    if (!again.ok()) __builtin_trap();
    (void)lockstep::trace_to_json(*trace);
  }
  return 0;
}

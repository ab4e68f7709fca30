// Every field of a trace, for `dump-trace`: as JSON, or as text one field
// per line.
#pragma once

#include <string>

#include "engine/trace.h"

namespace lockstep {

// The trace as JSON (dump-trace --json).
std::string trace_to_json(const Trace& trace);
// Every field of a trace as text, one per line (dump-trace without --json).
std::string trace_to_text(const Trace& trace);

}  // namespace lockstep

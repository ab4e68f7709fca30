// Trace files: everything needed to re-execute and explain one iteration.
// The on-disk layout is documented in docs/trace-format.md. A new field gets
// a new tag (unknown tags are skipped, retired tags never reused); bump
// kTraceFormatVersion only when an old reader could not skip what is new.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/causality.h"
#include "engine/options.h"
#include "engine/base/status.h"
#include "engine/strategy.h"
#include "engine/types.h"

namespace lockstep {

// 1: positional cereal payload (still read). 2: tagged fields (trace.cc),
// with step facts (still read). 3: format 2's fields, deflated (zlib).
inline constexpr uint32_t kTraceFormatVersion = 3;

struct ProcessName {
  uint32_t pid = 0;
  std::string name;  // label or registered name; empty if none
  std::string node;  // the node it ran on; empty for "main"
};

struct Trace {
  uint32_t format_version = kTraceFormatVersion;
  std::string tool_version;
  std::string scenario_path;  // as given to `run`
  std::string working_dir;    // where `run` was started (finds a relative scenario_path)
  uint64_t scenario_hash = 0;
  std::string test_name;
  std::string strategy;
  StrategyParams params;
  IterationHint hint;
  uint64_t seed = 0;  // base seed of the run
  uint64_t iteration = 0;
  uint64_t iteration_seed = 0;
  RunOptions options;
  std::vector<Decision> decisions;
  std::vector<Event> events;
  std::vector<std::string> locations;  // "file.lua:12", each once: Event::location - 1
  std::vector<LogLine> logs;
  std::vector<ProcessName> processes;
  FactLog facts;  // what every step did: the causal slice is built on it
  Failure failure;
  uint64_t steps = 0;

  // Where `e` happened ("file.lua:12"), or "" if unknown.
  std::string_view location_of(const Event& e) const {
    return e.location != 0 && e.location <= locations.size() ? std::string_view(locations[e.location - 1])
                                                             : std::string_view();
  }
};

// Writes atomically: a temporary file in the same directory, then rename.
// Creates the directory if needed.
Status save_trace(const std::string& path, const Trace& trace);

// Saves the trace of a run's bug at `path` without clobbering another
// run's: a trace already there from the same test, seed, iteration,
// strategy and options (a re-run) is replaced; one from a run with other
// options is kept, and this one goes to NAME-<hash of its options>.lockstep.
// Returns the path written.
Result<std::string> save_run_trace(const std::string& path, const Trace& trace);

// Reads and validates a trace; a missing, truncated, corrupt, foreign or
// too-new file is an error naming the file and the problem.
Result<Trace> load_trace(const std::string& path);

// Serialises to / parses from bytes (the file body), for tests and fuzzing.
std::string encode_trace(const Trace& trace);
Result<Trace> decode_trace(std::string_view bytes, const std::string& name);

// For tests and fuzzing: the records of a trace file (format 2's tagged
// fields, inflated from a format 3 file, after the header's checks), and a
// current-format file around records.
Result<std::string> trace_records(std::string_view file, const std::string& name);
std::string trace_file(std::string_view records);

// Steps (1-based, ascending) that happen before the failure
// (engine/causality.h), from the trace's step facts.
std::vector<uint32_t> causal_slice(const Trace& trace);


}  // namespace lockstep

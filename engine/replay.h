// Re-executing a trace: the scenario runs under the recorded decisions
// through the ordinary scheduling loop (the replay strategy), and the
// outcome is compared with the recorded failure.
#pragma once

#include <string>

#include "engine/program.h"
#include "engine/trace.h"

namespace lockstep {

struct ReplayOptions {
  std::string continue_with;  // strategy to use past the recording ("" = none)
};

struct ReplayResult {
  enum class Verdict {
    kReproduced,        // the same failure kind at the same step
    kDifferentFailure,  // it failed, but not as recorded
    kPassed,            // the run completed without the failure
    kDiverged,          // a recorded decision could not be followed
    kError,             // the scenario could not be run (see status)
  };
  Verdict verdict = Verdict::kError;
  Trace run;               // the re-execution: events, logs, failure
  std::string divergence;  // for kDiverged; with continue_with, where the hand-over happened
  Status status;           // for kError
};

// The index of `trace`'s test in `program`, or an error naming it.
Result<size_t> find_test(const Program& program, const std::string& name);

ReplayResult replay_trace(const Trace& trace, Program& program, const ReplayOptions& options);

// The scenario a trace was recorded from, found wherever the user stands:
// its path as recorded, then relative to the directory `run` was started
// in, then relative to the trace file's directory and each one above it.
// An error says where it was recorded and how to point at it (--scenario).
Result<std::string> locate_scenario(const Trace& trace, const std::string& trace_path);

// Context switches in a decision sequence (schedule decisions whose process
// differs from the previous one's).
uint64_t context_switches(const std::vector<Decision>& decisions);

}  // namespace lockstep

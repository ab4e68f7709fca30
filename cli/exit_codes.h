// Exit codes (SPEC section 2): the one place outcomes become numbers.
#pragma once

#include "engine/replay.h"
#include "engine/report/report.h"
#include "engine/base/status.h"

namespace lockstep::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitBug = 1,
  kExitUsage = 2,     // bad usage or bad input: unknown flag, unreadable or corrupt trace,
                      // a scenario past the tool's limits (too many live processes)
  kExitLoad = 3,      // a scenario could not be loaded: syntax error, no tests, API misuse
                      // at load time (including bad test options)
  kExitDiverged = 4,  // replay diverged from the trace
  kExitUnknown = 5,   // check: a time or memory bound ended it without a verdict
};

// An error: 3 for a scenario that could not be loaded, 2 for anything else.
int exit_code(const Status& status);

// A run: 3 if a file or a test's declaration could not be loaded, else 2 if
// a test could not run, else 1 if a bug was found, else 0.
int exit_code(const RunSummary& summary);

// A replay: 1 while the bug (or another) is still there, 0 if the run
// completed without it, 4 if it diverged, else the error's code.
int exit_code(const ReplayResult& result);

}  // namespace lockstep::cli

// What a passing test never exercised, or did not prove (issue: a test
// that passes because the interesting path never ran is the commonest way
// concurrency testing lies). Each is a line under the test and an entry of
// its JSON `warnings`; with --strict each fails the run.
#pragma once

#include <vector>

#include "engine/results.h"
#include "engine/runner.h"

namespace lockstep {

// The warnings for test `t`, which passed, run with `opts`:
//   no_proof         a search that stopped short of its whole space (or
//                    kept its states in a bit table, or was split under a
//                    fault budget);
//   max_steps        iterations cut off at max_steps (a search's proof
//                    covers only runs as long);
//   faults_unused    a fault budget under which no fault was ever offered,
//                    or none was taken;
//   timeouts_never_fired
//                    receive timeouts armed under timers = "quiescent"
//                    that never fired (the code after them never ran);
//   unfair_liveness  liveness monitors judged only under a strategy that
//                    is never fair (a monitor hot for ever mid-run is then
//                    never reported);
//   ignored_option   a strategy parameter on the command line that the
//                    test's own strategy does not take.
std::vector<TestReport::Warning> exercise_warnings(const TestReport& t, const ResolvedOptions& opts);

}  // namespace lockstep

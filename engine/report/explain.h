// `lockstep explain`: a plain-English account of a failure, built from the
// causal slice. First, for each fault the strategy injected, whether the
// failure needs it: the schedule run without it. Then it finds the races in the slice — two processes touching
// the same shared state (a table key, an atomic, a name, a process's
// state) or two messages reaching one mailbox, in an order nothing else
// forced — and, when the scenario is at hand, checks each by running the
// schedule with that one race reversed (the later step and only what it
// needs moved before the earlier): a race whose reversal makes the test
// pass is an order this schedule fails by, and of those one a timer won
// (a lease that expired first, a wait that timed out first) leads. A
// receive that timed out races with a message that could have come before
// its timer.
// Schedules are followed by the names the system gives events (messages,
// timers and faults by what they are, not their numbers), so a fault or a
// delivery stays the same event when steps move around it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/program.h"
#include "engine/trace.h"

namespace lockstep {

struct Race {
  // kHeldBack: `second` is a step (a receive, or the send whose message a
  // receive took) whose process is held back there until every other
  // process has gone as far as it can: the other order against a message
  // not yet sent when the run failed. `first` is the receive concerned.
  // kTimeout: `first` is the timer that ended the receive `first_taken`
  // with nothing, `second` a message to that process that could have come
  // before it.
  enum class Kind : uint8_t { kSharedState, kMessages, kHeldBack, kTimeout };
  Kind kind = Kind::kSharedState;
  uint32_t first = 0;                          // the step that ran first in the failing run
  uint32_t second = 0;                         // the step that ran later and could have run first
  uint32_t first_taken = 0, second_taken = 0;  // kMessages: the receives that took them (0: none)
  uint64_t object = 0;                         // what they raced for (object::*)

  enum class Reversed : uint8_t {
    kNotTried,        // no scenario, or past the budget
    kPasses,          // with `second` first, the test passes
    kFailsTheSame,    // still fails with the recorded failure
    kFailsOtherwise,  // fails another way
  };
  Reversed reversed = Reversed::kNotTried;
  std::string reversed_failure;  // kFailsOtherwise: how
  uint64_t reversed_steps = 0;
};

// An injected fault (not a restart or heal), checked by running the
// schedule without it.
struct FaultCheck {
  uint32_t step = 0;
  std::string line;  // as the report lists it
  Race::Reversed without = Race::Reversed::kNotTried;  // kPasses: the failure needs it
  std::string other_failure;  // kFailsOtherwise: how
  uint64_t steps = 0;         // of the run without it
};

struct Explanation {
  std::vector<FaultCheck> faults;  // in the order injected
  std::vector<Race> races;  // the deciding ones first (reversal passes), then nearest the failure
  std::string text;         // the account, for a terminal
  std::string slice;        // the causal slice as schedule rows (for a prompt)
};

struct ExplainOptions {
  size_t max_candidates = 200;  // races considered, nearest the failure first
  size_t max_checks = 24;       // of which checked by running the reversed schedule
};

// `program` may be null (scenario not at hand): races are then reported
// without the check.
Explanation explain_failure(const Trace& trace, Program* program,
                            const ExplainOptions& options = {});

// The prompt LOCKSTEP_EXPLAIN_CMD receives: the account, the causal slice,
// and the scenario's source.
std::string explain_prompt(const Trace& trace, const Explanation& e,
                           const std::string& scenario_source);

}  // namespace lockstep

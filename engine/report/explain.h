// `lockstep explain`: a plain-English account of a failure, built from the
// causal slice. It finds the races in the slice — two processes touching
// the same shared state (a table key, an atomic, a name, a process's
// state) or two messages reaching one mailbox, in an order nothing else
// forced — and, when the scenario is at hand, checks each by running the
// schedule with that one race reversed (the later step and only what it
// needs moved before the earlier): a race whose reversal makes the test
// pass is the order that breaks it.
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
  enum class Kind : uint8_t { kSharedState, kMessages, kHeldBack };
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

struct Explanation {
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

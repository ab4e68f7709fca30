// A history's events paired into operations: the one implementation used
// for recorded files (lockstep check) and for ls.history in scenarios.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/checker/checker.h"
#include "engine/base/status.h"

namespace lockstep::checker {

// One event of a history, before invocations are paired with completions.
struct HistoryEvent {
  enum class Type : uint8_t { kInvoke, kOk, kFail, kInfo };
  Type type = Type::kInvoke;
  int64_t process = 0;
  std::string f;
  std::string key;       // for keyed models given apart from the value (EDN kv)
  Value value;
  bool timed_out = false;  // a fail that says the outcome is unknown (Jepsen's :timed-out)
  int64_t position = 0;    // its place in the history: the time the checkers order by
  std::string where;       // how errors name it: "h.log:12", "checker: event 3" (empty: the source's line `position`)
  std::string who;         // how errors name its process ("" = the number)
};

// Pairs each invocation with its process's next completion, by Jepsen's
// rules (docs/checkers.md):
//   ok    the operation took effect; its value is the output (a read's
//         value, a cas's boolean; a cas whose ok value is not a boolean, as
//         Jepsen logs write it, succeeded);
//   fail  it took no effect and is left out, except a cas (it completed and
//         found another value: output false) and a fail marked timed out
//         (outcome unknown);
//   info, or no completion: the outcome is unknown (it may or may not have
//         taken effect).
// The operations come in invocation order; `id` is their index. Errors name
// the event (by `where`, or as `source`:`position` when that is empty): an
// invocation while the process has one open, a completion with none open.
// No events at all is an empty history (linearizable).
Result<std::vector<Operation>> pair_history(const std::vector<HistoryEvent>& events, const std::string& source = "");

// The events as lockstep's JSON lines (docs/checkers.md), one object per
// line; what `lockstep check` reads back.
std::string write_json_lines(const std::vector<HistoryEvent>& events);

}  // namespace lockstep::checker

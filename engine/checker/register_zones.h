// Linearizability of a read/write register history whose writes are
// distinct, in O(n log n) instead of the general search's exponential worst
// case: Gibbons and Korach, "Testing Shared Memories", SIAM J. Comput. 1997,
// in the form of zones given by Golab, Li and Shah (PODC 2011).
//
// Each written value names a cluster: its write and the reads that returned
// it (the initial value's cluster has a write before everything). A cluster
// must take effect as one block: its write, then its reads, before the next
// write. Let min_ret be the earliest completion in the cluster and max_call
// the latest invocation. If min_ret < max_call the cluster has a forward
// zone [min_ret, max_call] (it must span that stretch); otherwise a backward
// zone [max_call, min_ret] (it may be placed anywhere within). The history
// is linearizable iff every read returns a written value, no read completes
// before its write is invoked, no two forward zones overlap, and no
// backward zone lies inside a forward zone.
#pragma once

#include <optional>
#include <vector>

#include "engine/checker/checker.h"

namespace lockstep::checker {

// The verdict, or nullopt when the history is outside the procedure's reach
// (an operation that is not a plain read or write, two writes of one value,
// a write of the initial value, a model that is not a register). Reads with
// an unknown outcome must have been dropped; a write with an unknown outcome
// counts when some read returned its value, and is dropped otherwise.
std::optional<CheckResult> check_register_by_zones(const std::vector<Operation>& ops, const Model& model);

}  // namespace lockstep::checker

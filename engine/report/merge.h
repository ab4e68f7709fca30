// Merging the `run --format json` results of shards (`--shard K/N`) into
// the result of the whole run, for `lockstep merge`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/report/report.h"
#include "engine/base/status.h"

namespace lockstep {

// Merges documents given as (name, JSON text). Per test (file and name, in
// the order first seen): counts are summed, wall time is the longest
// shard's, the status is error if any shard's was, else bug if any shard
// found one (the bug with the lowest iteration, as the whole run reports
// it), else passed. Files that failed to load are listed once. An
// unreadable document, or shards that disagree on a test's strategy or
// seed, is an error naming the file.
Result<RunSummary> merge_results(const std::vector<std::pair<std::string, std::string>>& documents);

}  // namespace lockstep

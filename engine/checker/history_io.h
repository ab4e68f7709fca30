// Reading recorded histories (lockstep check): Jepsen logs (etcd), EDN
// lines (kv), and lockstep's own JSON lines, detected from the content.
// Formats are described in docs/checkers.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/checker/checker.h"
#include "engine/status.h"

namespace lockstep::checker {

// Parses a history; errors name the file and line ("f.log:12: ...").
Result<std::vector<Operation>> parse_history(std::string_view text, const std::string& name);

// One JSON object per event, as ls.history exports them.
std::string to_json_lines(const std::vector<Operation>& ops);

}  // namespace lockstep::checker

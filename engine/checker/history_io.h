// Reading recorded histories (lockstep check): Jepsen logs (etcd), EDN
// lines (kv), and lockstep's own JSON lines, detected from the content.
// Formats are described in docs/checkers.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/checker/checker.h"
#include "engine/base/status.h"

namespace lockstep::checker {

// Parses a history; errors name the file and line ("f.log:12: ...").
Result<std::vector<Operation>> parse_history(std::string_view text, const std::string& name);

// One JSON object per event, as ls.history exports them.
std::string to_json_lines(const std::vector<Operation>& ops);

// `lockstep check` on a history's text: parse, check, and describe.
struct FileCheck {
  std::string file;                        // how reports name it
  std::string model = "register";          // make_model's names
  Value initial;                           // the model's value before the history
  bool sequential = false;                 // sequential consistency instead of linearizability
  CheckLimits limits;
};
struct FileCheckReport {
  CheckResult result;
  size_t operations = 0;
  double seconds = 0;
  std::string verdict;  // "linearizable", "not linearizable", "unknown (timeout)", ...
};
// An error names the file (and line) when the text is not a history or an
// operation is unknown to the model.
Result<FileCheckReport> check_history(std::string_view text, const FileCheck& check);
// The report as `check` prints it: a line (and the explanation), or JSON.
std::string file_check_text(const FileCheck& check, const FileCheckReport& report);
std::string file_check_json(const FileCheck& check, const FileCheckReport& report);

}  // namespace lockstep::checker

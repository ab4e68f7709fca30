// Expands the PATH... arguments of run and list: files as given,
// directories to their *.lua files (recursively, sorted).
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::cli {

Result<std::vector<std::string>> scenario_files(const std::vector<std::string>& paths);

// An error when writing `output` would replace one of `inputs` (each a
// description and a path: {"the trace", path}): the same file, however
// the paths are spelt. Ok otherwise.
Status refuse_overwriting(const std::string& output,
                          const std::vector<std::pair<std::string, std::string>>& inputs);

}  // namespace lockstep::cli

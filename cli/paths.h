// Expands the PATH... arguments of run and list: files as given,
// directories to their *.lua files (recursively, sorted).
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::cli {

Result<std::vector<std::string>> scenario_files(const std::vector<std::string>& paths);

}  // namespace lockstep::cli

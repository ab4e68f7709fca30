#include "cli/paths.h"

#include <algorithm>
#include <filesystem>

namespace lockstep::cli {

Result<std::vector<std::string>> scenario_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".lua") found.push_back(it->path().string());
      }
      if (ec) return Status::InvalidArgument(p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) return Status::InvalidArgument(p + ": no .lua scenario files in this directory");
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      return Status::InvalidArgument(p + ": no such file or directory");
    }
  }
  return out;
}

}  // namespace lockstep::cli

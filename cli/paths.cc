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

namespace {

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
  const fs::path ca = fs::weakly_canonical(a, ec);
  if (ec) return false;
  const fs::path cb = fs::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

}  // namespace

Status refuse_overwriting(const std::string& output,
                          const std::vector<std::pair<std::string, std::string>>& inputs) {
  for (const auto& [what, path] : inputs) {
    if (!path.empty() && same_file(output, path)) {
      return Status::InvalidArgument("refusing to write " + output + ": it is " + what + " (" + path +
                                     "); give another -o");
    }
  }
  return Status::Ok();
}

}  // namespace lockstep::cli

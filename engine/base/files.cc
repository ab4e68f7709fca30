#include "engine/base/files.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace lockstep {

namespace {

// Writes `bytes` to PATH.tmpPID beside `path` (creating the directory) and
// returns that name; nothing is left behind on failure.
Result<std::string> write_temporary(const std::string& path, std::string_view bytes, bool sync) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IoError("cannot create " + target.parent_path().string() + ": " + ec.message());
  }
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fflush(f) == 0 && ok;
  if (sync) ok = ::fsync(::fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    const int err = errno;
    std::remove(tmp.c_str());
    return Status::IoError("cannot write " + tmp + ": " + std::strerror(err));
  }
  return tmp;
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view bytes, bool sync) {
  auto tmp = write_temporary(path, bytes, sync);
  if (!tmp.ok()) return tmp.status();
  std::error_code ec;
  std::filesystem::rename(*tmp, path, ec);
  if (ec) {
    std::remove(tmp->c_str());
    return Status::IoError("cannot rename " + *tmp + " to " + path + ": " + ec.message());
  }
  return Status::Ok();
}

Result<bool> write_new_file(const std::string& path, std::string_view bytes, bool sync) {
  auto tmp = write_temporary(path, bytes, sync);
  if (!tmp.ok()) return tmp.status();
  const int linked = ::link(tmp->c_str(), path.c_str());
  const int err = errno;
  std::remove(tmp->c_str());
  if (linked == 0) return true;
  if (err == EEXIST) return false;
  return Status::IoError("cannot create " + path + ": " + std::strerror(err));
}

size_t remove_stale_temporaries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  size_t removed = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t at = name.rfind(".tmp");
    if (at == std::string::npos || at + 4 == name.size()) continue;
    const std::string digits = name.substr(at + 4);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
      continue;  // its writer may live
    std::error_code rm;
    if (fs::remove(entry.path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace lockstep

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

Result<StagedFile> StagedFile::write(const std::string& path, std::string_view bytes, bool sync) {
  auto tmp = write_temporary(path, bytes, sync);
  if (!tmp.ok()) return tmp.status();
  return StagedFile(std::move(*tmp));
}

StagedFile::~StagedFile() {
  if (!temporary_.empty()) std::remove(temporary_.c_str());
}

Result<bool> StagedFile::place_new(const std::string& path) {
  if (::link(temporary_.c_str(), path.c_str()) == 0) return true;
  const int err = errno;
  if (err == EEXIST) return false;
  return Status::IoError("cannot create " + path + ": " + std::strerror(err));
}

Status StagedFile::place_over(const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(temporary_, path, ec);
  if (ec) return Status::IoError("cannot rename " + temporary_ + " to " + path + ": " + ec.message());
  temporary_.clear();
  return Status::Ok();
}

Status write_file_atomically(const std::string& path, std::string_view bytes, bool sync) {
  auto file = StagedFile::write(path, bytes, sync);
  if (!file.ok()) return file.status();
  return file->place_over(path);
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

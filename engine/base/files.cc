#include "engine/base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>

namespace lockstep {

namespace {

// One thread that syncs placed files, oldest first; started with the
// first file and joined when the process exits (after syncing the rest).
class BackgroundSyncer {
 public:
  static BackgroundSyncer& instance() {
    static BackgroundSyncer syncer;
    return syncer;
  }

  void add(int fd, std::string path) {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    queue_.push_back({fd, std::move(path)});
    ++pending_;
    work_.notify_one();
  }

  std::vector<std::string> wait() {
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    return std::exchange(failures_, {});
  }

  ~BackgroundSyncer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      work_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct File {
    int fd;
    std::string path;
  };

  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, with everything synced
      File f = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      const bool ok = ::fsync(f.fd) == 0;
      const int err = errno;
      ::close(f.fd);
      lock.lock();
      if (!ok) failures_.push_back("could not sync " + f.path + " to disk: " + std::strerror(err));
      if (--pending_ == 0) done_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable work_, done_;
  std::deque<File> queue_;
  size_t pending_ = 0;
  std::vector<std::string> failures_;
  bool stopping_ = false;
  std::thread thread_;
};

struct Temporary {
  std::string name;
  int unsynced = -1;
};

// Writes `bytes` to PATH.tmpPID beside `path` (creating the directory) and
// returns that name (and, to be synced later, the file); nothing is left
// behind on failure.
Result<Temporary> write_temporary(const std::string& path, std::string_view bytes, Sync sync) {
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
  if (sync == Sync::kBeforePlacing) ok = ::fsync(::fileno(f)) == 0 && ok;
  int unsynced = -1;
  if (ok && sync == Sync::kInBackground) {
    unsynced = ::fcntl(::fileno(f), F_DUPFD_CLOEXEC, 0);  // not inherited by a process started meanwhile
    ok = unsynced >= 0;
  }
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    const int err = errno;
    if (unsynced >= 0) ::close(unsynced);
    std::remove(tmp.c_str());
    return Status::IoError("cannot write " + tmp + ": " + std::strerror(err));
  }
  return Temporary{tmp, unsynced};
}

}  // namespace

Result<StagedFile> StagedFile::write(const std::string& path, std::string_view bytes, Sync sync) {
  auto tmp = write_temporary(path, bytes, sync);
  if (!tmp.ok()) return tmp.status();
  return StagedFile(std::move(tmp->name), tmp->unsynced);
}

StagedFile::~StagedFile() {
  if (unsynced_ >= 0) ::close(unsynced_);
  if (!temporary_.empty()) std::remove(temporary_.c_str());
}

void StagedFile::placed(const std::string& path) {
  if (unsynced_ < 0) return;
  BackgroundSyncer::instance().add(unsynced_, path);
  unsynced_ = -1;
}

std::vector<std::string> wait_for_background_syncs() { return BackgroundSyncer::instance().wait(); }

Result<bool> StagedFile::place_new(const std::string& path) {
  if (::link(temporary_.c_str(), path.c_str()) == 0) {
    placed(path);
    return true;
  }
  const int err = errno;
  if (err == EEXIST) return false;
  return Status::IoError("cannot create " + path + ": " + std::strerror(err));
}

Status StagedFile::place_over(const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(temporary_, path, ec);
  if (ec) return Status::IoError("cannot rename " + temporary_ + " to " + path + ": " + ec.message());
  temporary_.clear();
  placed(path);
  return Status::Ok();
}

Status write_file_atomically(const std::string& path, std::string_view bytes, Sync sync) {
  auto file = StagedFile::write(path, bytes, sync);
  if (!file.ok()) return file.status();
  return file->place_over(path);
}

size_t remove_stale_temporaries(const std::string& dir) {
  // readdir, not std::filesystem: a traces directory may hold thousands of
  // traces, and only the rare NAME.tmpPID needs more than its name read.
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  size_t removed = 0;
  while (const dirent* entry = ::readdir(d)) {
    const std::string_view name(entry->d_name);
    const size_t at = name.rfind(".tmp");
    if (at == std::string_view::npos || at + 4 == name.size()) continue;
    const std::string_view digits = name.substr(at + 4);
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(std::string(digits)));
    if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
      continue;  // its writer may live
    if (::unlinkat(::dirfd(d), entry->d_name, 0) == 0) ++removed;
  }
  ::closedir(d);
  return removed;
}

}  // namespace lockstep

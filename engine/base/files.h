// Writing output files whole or not at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace lockstep {

// When a file's bytes reach the disk (fsync): never asked for (the page
// cache has them, which outlives the process but not the machine), before
// the file is placed (a placed file is whole even after a power loss), or
// in the background once it is placed (the writer goes on at once;
// wait_for_background_syncs() waits for the disk).
enum class Sync { kNo, kBeforePlacing, kInBackground };

// Writes `bytes` to `path` atomically: a temporary file in the same
// directory, then a rename, so a reader never sees half a file. Creates the
// directory if needed.
Status write_file_atomically(const std::string& path, std::string_view bytes, Sync sync = Sync::kNo);

// A file written whole beside where it is to go (NAME.tmpPID in that
// directory), then put in place by place_new() or place_over(); one never
// placed is removed when the object goes. Its bytes are written (and, with
// `sync`, reach the disk) once, whichever place it ends up in, so a writer
// that must look at what is already there first writes only once.
class StagedFile {
 public:
  // Writes `bytes` beside `path`, creating the directory if needed.
  static Result<StagedFile> write(const std::string& path, std::string_view bytes, Sync sync = Sync::kNo);
  StagedFile(StagedFile&& other) noexcept
      : temporary_(std::move(other.temporary_)), unsynced_(other.unsynced_) {
    other.temporary_.clear();
    other.unsynced_ = -1;
  }
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  ~StagedFile();

  // Puts the file at `path` (in the directory it was written in) unless a
  // file is already there (link(2), which fails when `path` exists: two
  // processes cannot both win). False, placing nothing, when one is.
  Result<bool> place_new(const std::string& path);
  // Puts the file at `path`, replacing what is there (rename(2)).
  Status place_over(const std::string& path);

 private:
  StagedFile(std::string temporary, int unsynced) : temporary_(std::move(temporary)), unsynced_(unsynced) {}
  void placed(const std::string& path);
  std::string temporary_;  // empty once placed by a rename
  int unsynced_ = -1;      // with Sync::kInBackground: the file, to sync once placed
};

// Waits until every file written with Sync::kInBackground so far is on
// the disk. Returns one line for each that could not be synced (its path
// and why), and forgets them.
std::vector<std::string> wait_for_background_syncs();

// Removes the temporary files (NAME.tmpPID) that a writer killed before
// its rename left in `dir`: those whose process is gone. Returns how many.
size_t remove_stale_temporaries(const std::string& dir);

}  // namespace lockstep

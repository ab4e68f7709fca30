// Writing output files whole or not at all.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace lockstep {

// Writes `bytes` to `path` atomically: a temporary file in the same
// directory, then a rename, so a reader never sees half a file. Creates the
// directory if needed; with `sync`, the data reaches the disk before the
// rename.
Status write_file_atomically(const std::string& path, std::string_view bytes, bool sync = false);

// A file written whole beside where it is to go (NAME.tmpPID in that
// directory), then put in place by place_new() or place_over(); one never
// placed is removed when the object goes. Its bytes are written (and, with
// `sync`, reach the disk) once, whichever place it ends up in, so a writer
// that must look at what is already there first writes only once.
class StagedFile {
 public:
  // Writes `bytes` beside `path`, creating the directory if needed.
  static Result<StagedFile> write(const std::string& path, std::string_view bytes, bool sync = false);
  StagedFile(StagedFile&& other) noexcept : temporary_(std::move(other.temporary_)) { other.temporary_.clear(); }
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
  explicit StagedFile(std::string temporary) : temporary_(std::move(temporary)) {}
  std::string temporary_;  // empty once placed by a rename
};

// Removes the temporary files (NAME.tmpPID) that a writer killed before
// its rename left in `dir`: those whose process is gone. Returns how many.
size_t remove_stale_temporaries(const std::string& dir);

}  // namespace lockstep

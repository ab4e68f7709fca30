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

// Writes `bytes` to `path` unless a file is already there, atomically
// (a temporary file, then link(2), which fails when `path` exists: two
// processes cannot both win). Returns false, writing nothing, when `path`
// exists.
Result<bool> write_new_file(const std::string& path, std::string_view bytes, bool sync = false);

// Removes the temporary files (NAME.tmpPID) that a writer killed before
// its rename left in `dir`: those whose process is gone. Returns how many.
size_t remove_stale_temporaries(const std::string& dir);

}  // namespace lockstep

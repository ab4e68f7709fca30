// A loaded scenario file, as the engine sees it: a list of tests, and a way
// to start a fresh System running one of them. The Lua layer implements it;
// the engine never sees Lua.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/system.h"
#include "engine/trace.h"

namespace lockstep {

// Options a test declares, or the command line overrides. Unset fields fall
// through: command line > test > default.
struct TestOptions {
  std::optional<std::string> strategy;
  std::optional<uint64_t> iterations;
  std::optional<uint64_t> seed;
  std::optional<uint64_t> max_steps;
  std::optional<uint32_t> pct_depth;
  std::optional<uint64_t> iter_timeout_ms;
  std::optional<bool> fail_on_max_steps;
  std::optional<bool> allow_crashes;
  std::optional<std::string> timers;
};

struct TestCase {
  std::string name;
  TestOptions options;
};

class Program {
 public:
  virtual ~Program() = default;
  virtual const std::string& path() const = 0;
  virtual uint64_t source_hash() const = 0;
  virtual const std::vector<TestCase>& tests() const = 0;

  // Starts one iteration of test `index`. The System stays valid until the
  // next call; a Program runs one iteration at a time.
  virtual Result<System*> start(size_t index, const RunOptions& options) = 0;
};

using ProgramLoader = std::function<Result<std::unique_ptr<Program>>(const std::string& path)>;

}  // namespace lockstep

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

#include "engine/options.h"
#include "engine/base/status.h"
#include "engine/system.h"
#include "engine/trace.h"

namespace lockstep {

// Options a test declares, or the command line overrides, as text by name
// (engine/options.h). Unset options fall through: command line > test >
// default.
using TestOptions = OptionValues;

struct TestCase {
  std::string name;
  TestOptions options;
  std::vector<GoalCount> goals;  // named in its body: reported even if never reached
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

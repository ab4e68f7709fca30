// Removes the temporary files the scenario tests wrote (cli_helpers.h)
// when the test process ends.
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

class TempFiles final : public ::testing::Environment {
 public:
  void TearDown() override {
    if (std::getenv("LOCKSTEP_KEEP_TEST_FILES")) return;
    std::error_code ignored;
    std::filesystem::remove_all(temp_root(), ignored);
  }
};

[[maybe_unused]] ::testing::Environment* const kTempFiles = ::testing::AddGlobalTestEnvironment(new TempFiles);

}  // namespace
}  // namespace lockstep::testing

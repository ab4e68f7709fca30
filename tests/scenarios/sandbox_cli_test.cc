// Hostile or careless scenarios: what the sandbox keeps out, and results
// that do not depend on where (which worker) a value was made.
#include <gtest/gtest.h>

#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

using namespace lockstep::testing;

TEST(Sandbox, AFailureMessageShowingATableIsTheSameWhateverJobs) {
  const std::string f = write_file("table_message", R"(
local ls = lockstep
ls.test("shows a table", { strategy = "random", iterations = 400 }, function()
  if ls.random_int(1, 60) == 60 then error("t is " .. tostring({})) end
end)
)");
  std::string traces[2], outs[2];
  for (int j = 1; j <= 2; ++j) {
    const std::string dir = fresh_dir("table_message_" + std::to_string(j));
    auto r = run_lockstep({"run", f, "--jobs", std::to_string(j), "--traces-dir", dir, "-q"});
    ASSERT_EQ(r.code, 1) << r.out;
    outs[j - 1] = r.out.substr(r.out.find("failure: "), r.out.find('\n', r.out.find("failure: ")) - r.out.find("failure: "));
    for (const auto& e : std::filesystem::directory_iterator(dir)) traces[j - 1] = slurp(e.path().string());
  }
  EXPECT_EQ(outs[0], outs[1]);
  EXPECT_NE(outs[0].find("t is table: #"), std::string::npos) << outs[0];
  EXPECT_EQ(traces[0], traces[1]);  // byte-identical
}

TEST(Sandbox, ARequiredModuleLoadsAsSourceOnly) {
  const std::string dir = fresh_dir("required");
  std::ofstream(dir + "/helper.lua") << "return { answer = 42 }\n";
  std::ofstream(dir + "/main.lua") << "local h = require('helper')\n"
                                      "lockstep.test('uses a module', function() assert(h.answer == 42) end)\n";
  EXPECT_EQ(run_lockstep({"run", dir + "/main.lua", "--iterations", "2"}).code, 0);
}

}  // namespace

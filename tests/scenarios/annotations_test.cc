// lua/meta/lockstep.lua (the LuaLS annotations) names exactly the functions
// the binary's `lockstep` table has, library modules included.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

TEST(Annotations, NameEveryFunctionTheBinaryExposesAndNoOther) {
  const std::string meta = slurp(std::string(LOCKSTEP_SOURCE_DIR) + "/lua/meta/lockstep.lua");
  ASSERT_EQ(meta.rfind("---@meta", 0), 0u);
  std::set<std::string> annotated, tables;
  const std::regex fn("\nfunction (lockstep(\\.[a-z0-9_]+)+)\\(");
  for (std::sregex_iterator it(meta.begin(), meta.end(), fn), end; it != end; ++it)
    annotated.insert((*it)[1]);
  const std::regex table("\n(lockstep)\\.([a-z_]+) = \\{\\}");
  for (std::sregex_iterator it(meta.begin(), meta.end(), table), end; it != end; ++it)
    tables.insert((*it)[2]);
  ASSERT_GT(annotated.size(), 100u);

  // Every library module (lua/lib/*.lua) and every table the file declares
  // is touched (modules load on first use), then the API is walked.
  std::string modules;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(LOCKSTEP_SOURCE_DIR) + "/lua/lib")) {
    if (e.path().stem() != "prelude") tables.insert(e.path().stem().string());
  }
  for (const std::string& t : tables) modules += "\"" + t + "\", ";
  const std::string scenario_path = write_file("api_walk", R"(
local ls = lockstep
local names = {}
for _, m in ipairs({ )" + modules + R"( }) do local _ = ls[m] end
local function walk(t, prefix, seen)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then
      if type(v) == "function" then names[#names + 1] = prefix .. k
      elseif type(v) == "table" then walk(v, prefix .. k .. ".", seen) end
    end
  end
end
walk(ls, "lockstep.", {})
ls.test("api", function() error(table.concat(names, " ")) end)
)");
  const auto r = run_lockstep({"run", scenario_path, "--iterations", "1", "--format", "json"});
  ASSERT_EQ(r.code, 1) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  std::istringstream words(doc->get("tests")->items[0].get("bug")->str("message"));
  std::set<std::string> exposed;
  for (std::string w; words >> w;) exposed.insert(w);
  ASSERT_GT(exposed.size(), 100u);
  for (const std::string& name : exposed)
    EXPECT_TRUE(annotated.count(name)) << name << " is not annotated";
  for (const std::string& name : annotated)
    EXPECT_TRUE(exposed.count(name)) << name << " is annotated but not in the API";
}

}  // namespace
}  // namespace lockstep::testing

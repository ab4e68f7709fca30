// Concuerror's DPOR tests ported to lockstep (tests/concuerror/): the dfs
// search must be complete and explore exactly the classes Concuerror
// explores (or what the file's `lockstep:` line says, with its reason), and
// every test in which Concuerror reports an error must fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using testing::run_lockstep;
using testing::slurp;

struct Expected {
  uint64_t schedules = 0, failing = 0;
};

struct Port {
  std::string path;
  Expected concuerror;
  std::optional<Expected> lockstep;  // where the semantics differ
};

std::vector<Port> ports() {
  std::vector<Port> out;
  const std::regex conc(R"(-- concuerror: (\d+) interleavings, (\d+) errors)");
  const std::regex mine(R"(-- lockstep: (\d+) schedules, (\d+) failing)");
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LOCKSTEP_SOURCE_DIR) + "/tests/concuerror")) {
    if (entry.path().extension() != ".lua") continue;
    const std::string text = slurp(entry.path().string());
    std::smatch m;
    Port p;
    p.path = entry.path().string();
    if (!std::regex_search(text, m, conc)) {
      ADD_FAILURE() << p.path << " has no `-- concuerror:` line";
      continue;
    }
    p.concuerror = {std::stoull(m[1]), std::stoull(m[2])};
    if (std::regex_search(text, m, mine)) p.lockstep = Expected{std::stoull(m[1]), std::stoull(m[2])};
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const Port& a, const Port& b) { return a.path < b.path; });
  return out;
}

TEST(Concuerror, AtLeastTwentyTestsArePorted) { EXPECT_GE(ports().size(), 20u); }

TEST(Concuerror, DfsExploresTheClassesConcuerrorExplores) {
  size_t same = 0;
  for (const Port& p : ports()) {
    SCOPED_TRACE(p.path);
    auto r = run_lockstep({"run", p.path, "--strategy", "dfs", "--keep-going", "--iterations", "100000", "--format",
                           "json", "--traces-dir", testing::fresh_dir("concuerror_traces")});
    auto doc = parse_json(r.out);
    ASSERT_TRUE(doc.ok()) << r.out << r.err;
    const JsonValue* tests = doc->get("tests");
    ASSERT_TRUE(tests && tests->items.size() == 1) << r.out;
    const JsonValue& t = tests->items[0];
    EXPECT_TRUE(t.flag("complete")) << r.out;
    const Expected want = p.lockstep.value_or(p.concuerror);
    EXPECT_EQ(t.u64("schedules_explored"), want.schedules);
    EXPECT_EQ(t.u64("failing_schedules"), want.failing);
    if (p.concuerror.failing > 0) {
      EXPECT_EQ(r.code, 1) << "Concuerror reports errors here: the run must fail";
      EXPECT_EQ(t.str("status"), "bug");
    } else {
      EXPECT_EQ(r.code, 0) << r.out << r.err;
    }
    if (!p.lockstep) ++same;
  }
  EXPECT_GE(same, 20u) << "tests where lockstep's counts are Concuerror's";
}

}  // namespace
}  // namespace lockstep

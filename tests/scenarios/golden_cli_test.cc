// The same scenario, strategy, seed and options give the same schedules
// release after release: each run listed in tests/data/golden/runs.tsv is
// run again and must give the per-test counts and the traces recorded
// there, field for field (all but the directory it ran in and the tool
// version). A change that alters schedules on purpose re-records them
// (tests/data/golden/record) and says so in its commit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace {

namespace fs = std::filesystem;
using namespace lockstep::testing;

const std::string kGolden = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/data/golden";

struct GoldenRun {
  std::string name;
  std::vector<std::string> args;
};

// How a failing run is named in test output (not as 56 bytes of hex).
void PrintTo(const GoldenRun& run, std::ostream* os) { *os << run.name; }

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

std::vector<GoldenRun> golden_runs() {
  std::vector<GoldenRun> runs;
  std::ifstream in(kGolden + "/runs.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = split_tabs(line);
    runs.push_back({fields[0], {fields.begin() + 1, fields.end()}});
  }
  return runs;
}

// Runs lockstep from the source directory (traces name scenario lines by
// the path as given, so recorded and new runs must give the same paths).
CliResult run_from_source(const std::vector<std::string>& args) {
  const std::string script = temp_path("run_from_source.sh");
  std::ofstream(script) << "cd " << shell_quote(LOCKSTEP_SOURCE_DIR) << " && exec \"$@\"\n";
  CliResult r;
  std::string cmd = "sh " + shell_quote(script) + " " + shell_quote(LOCKSTEP_BIN);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " 2>/dev/null </dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// One line per test of a JSON report, as tests/data/golden/record writes them.
std::string summary_of(const std::string& json) {
  auto doc = lockstep::parse_json(json);
  if (!doc.ok()) return "unparsable report: " + doc.status().message();
  std::string out;
  for (const lockstep::JsonValue& t : doc.value().get("tests")->items) {
    std::string line;
    for (const char* key : {"name", "status", "iterations_run", "steps", "schedules_explored", "abandoned"}) {
      const lockstep::JsonValue* v = t.get(key);
      std::string text = !v ? "" : v->type == lockstep::JsonValue::Type::kBool ? (v->boolean ? "True" : "False")
                                                                               : v->text;
      line += (line.empty() && key == std::string("name") ? "" : "\t") + text;
    }
    out += line + "\n";
  }
  return out;
}

// A trace's fields as dump-trace prints them, without those that depend on
// where and with which version it was recorded (and in which file format).
std::string trace_fields(const std::string& path) {
  CliResult r = run_lockstep({"dump-trace", "--trace", path, "--json"});
  EXPECT_EQ(r.code, 0) << path << ": " << r.err;
  static const std::regex unstable(R"re("(working_dir|tool_version)":"[^"]*",?|"format_version":[0-9]+,?)re");
  return std::regex_replace(r.out, unstable, "");
}

class GoldenRuns : public ::testing::TestWithParam<GoldenRun> {};

TEST_P(GoldenRuns, GiveTheRecordedCountsAndTraces) {
  const GoldenRun& run = GetParam();
  const std::string dir = fresh_dir("golden-" + run.name);
  std::vector<std::string> args = {"run"};
  args.insert(args.end(), run.args.begin(), run.args.end());
  args.insert(args.end(), {"--traces-dir", dir, "--format", "json"});
  CliResult r = run_from_source(args);
  ASSERT_TRUE(r.code == 0 || r.code == 1) << r.code << r.out;
  EXPECT_EQ(summary_of(r.out), slurp(kGolden + "/" + run.name + "/summary.tsv"));

  std::vector<std::string> recorded, written;
  for (const auto& e : fs::directory_iterator(kGolden + "/" + run.name)) {
    if (e.path().extension() == ".lockstep") recorded.push_back(e.path().filename().string());
  }
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".lockstep") written.push_back(e.path().filename().string());
  }
  std::sort(recorded.begin(), recorded.end());
  std::sort(written.begin(), written.end());
  ASSERT_EQ(written, recorded);
  for (const std::string& name : recorded) {
    EXPECT_EQ(trace_fields(dir + "/" + name), trace_fields(kGolden + "/" + run.name + "/" + name)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, GoldenRuns, ::testing::ValuesIn(golden_runs()),
                         [](const ::testing::TestParamInfo<GoldenRun>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace

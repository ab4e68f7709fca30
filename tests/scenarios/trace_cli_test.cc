// Scenario-level tests of replay, shrink and dump-trace on the real binary.
#include <gtest/gtest.h>

#include "tests/scenarios/cli_helpers.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace lockstep::testing;

// Runs a scenario and returns the path of the one trace it wrote.
std::string find_bug(const std::string& file, const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run", file, "--traces-dir", dir, "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_lockstep(args);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".lockstep") return e.path().string();
  }
  ADD_FAILURE() << "no trace written for " << file;
  return "";
}

uint64_t number_after(const std::string& text, const std::string& prefix) {
  const auto at = text.find(prefix);
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + prefix.size()));
}

class EveryBuggyScenario : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryBuggyScenario, ReplaysShrinksAndShrinksDeterministically) {
  const std::string dir = fresh_dir(std::string("every_") + GetParam());
  const std::string trace = find_bug(scenario(GetParam()), dir);
  ASSERT_FALSE(trace.empty());

  auto shown = run_lockstep({"replay", "--trace", trace});
  EXPECT_EQ(shown.code, 0) << shown.err;
  EXPECT_NE(shown.out.find("<-- FAILED HERE"), std::string::npos) << shown.out;

  auto replayed = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replayed.code, 1) << replayed.out << replayed.err;
  EXPECT_NE(replayed.out.find("reproduced: "), std::string::npos) << replayed.out;
  const uint64_t recorded_step = number_after(shown.out, "recorded failure at step ");
  EXPECT_EQ(number_after(replayed.out, "at step "), recorded_step) << replayed.out;

  const std::string min1 = dir + "/min1.lockstep", min2 = dir + "/min2.lockstep";
  auto s1 = run_lockstep({"shrink", "--trace", trace, "-o", min1, "-q"});
  ASSERT_EQ(s1.code, 0) << s1.out << s1.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(s1.out, m, std::regex(R"(shrunk (\d+) steps -> (\d+) steps \((\d+) -> (\d+) context switches[,)])")))
      << s1.out;
  EXPECT_LE(std::stoull(m[2]), std::stoull(m[1]));
  auto s2 = run_lockstep({"shrink", "--trace", trace, "-o", min2, "-q"});
  ASSERT_EQ(s2.code, 0);
  EXPECT_EQ(slurp(min1), slurp(min2)) << "shrinking is not deterministic";

  auto again = run_lockstep({"replay", "--trace", min1, "--run"});
  EXPECT_EQ(again.code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find("reproduced: "), std::string::npos) << again.out;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, EveryBuggyScenario,
                         ::testing::Values("lost_update.lua", "message_race.lua", "deadlock.lua", "crash.lua",
                                           "timeout_race.lua", "invariant.lua", "noisy_race.lua",
                                           "rate_limiter.lua", "ets_lost_update.lua", "bank_transfer.lua",
                                           "lost_wakeup.lua", "genserver_counter.lua", "supervisor_restart.lua",
                                           "agent_update.lua", "mutual_call.lua", "registry_race.lua",
                                           "stale_cache.lua", "monitor_race.lua", "split_brain.lua",
                                           "global_singleton.lua", "two_phase_commit.lua",
                                           "gossip_leave.lua", "partition_heal.lua", "raft_stale_read.lua",
                                           "lost_request.lua"));

TEST(Shrink, RemovesUnrelatedWorkDownToAFewSteps) {
  const std::string dir = fresh_dir("noisy");
  const std::string trace = find_bug(scenario("noisy_race.lua"), dir, {"--strategy", "pct", "--seed", "6"});
  auto r = run_lockstep({"shrink", "--trace", trace, "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(shrunk (\d+) steps -> (\d+) steps)"))) << r.out;
  const double before = std::stod(m[1]), after = std::stod(m[2]);
  EXPECT_GE(before, 200);
  EXPECT_LE(after, 0.15 * before) << r.out;
  EXPECT_TRUE(fs::exists(trace.substr(0, trace.size() - 9) + ".min.lockstep"));
}

TEST(Replay, AnEditedScenarioDivergesAtTheRightStep) {
  const std::string dir = fresh_dir("edited");
  const std::string file = dir + "/edited.lua";
  const std::string body =
      "local ls = lockstep\n"
      "ls.test('t', { strategy = 'random' }, function()\n"
      "  ls.send(ls.self(), 'x')\n"
      "  ls.receive()\n"
      "  local p = ls.spawn(function() end)\n"
      "  error('always')\n"
      "end)\n";
  std::ofstream(file) << body;
  const std::string trace = find_bug(file, dir);
  std::string edited = body;
  edited.replace(edited.find("ls.send(ls.self(), 'x')"), 23, "ls.whereis('nobody')   ");
  edited.replace(edited.find("  ls.receive()\n"), 15, "  ls.sleep(0)\n");
  std::ofstream(file) << edited;
  auto r = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("has changed since this trace was recorded"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("step 2: expected P0 (send), found P0 (whereis)"), std::string::npos) << r.out;
}

TEST(Replay, ContinueWithExploresPastTheRecording) {
  const std::string dir = fresh_dir("continue");
  const std::string file = dir + "/grow.lua";
  std::ofstream(file) << "local ls = lockstep\n"
                         "ls.test('t', function()\n"
                         "  ls.send(ls.self(), 1); ls.receive()\n"
                         "  error('boom')\n"
                         "end)\n";
  const std::string trace = find_bug(file, dir);
  std::ofstream(file) << "local ls = lockstep\n"
                         "ls.test('t', function()\n"
                         "  ls.send(ls.self(), 1); ls.receive()\n"
                         "  ls.send(ls.self(), 2); ls.receive()\n"
                         "  error('boom')\n"
                         "end)\n";
  auto strict = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(strict.code, 4) << strict.out;
  auto cont = run_lockstep({"replay", "--trace", trace, "--run", "--continue-with", "random"});
  EXPECT_EQ(cont.code, 1) << cont.out << cont.err;
  EXPECT_NE(cont.out.find("boom"), std::string::npos);
}

TEST(Replay, ScenarioFlagOverridesTheRecordedPath) {
  const std::string dir = fresh_dir("override");
  const std::string trace = find_bug(scenario("lost_update.lua"), dir);
  const std::string copy = dir + "/copy.lua";
  fs::copy_file(scenario("lost_update.lua"), copy);
  auto r = run_lockstep({"replay", "--trace", trace, "--run", "--scenario", copy});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("has changed"), std::string::npos) << r.err;  // same source, same hash
}

TEST(Replay, ShowsGuestLogsTaggedWithStepAndProcess) {
  const std::string dir = fresh_dir("logs");
  const std::string file = dir + "/logs.lua";
  std::ofstream(file) << "local ls = lockstep\n"
                         "ls.test('t', function()\n"
                         "  ls.label('main')\n"
                         "  ls.log('value is', 41 + 1)\n"
                         "  ls.send(ls.self(), 1); ls.receive()\n"
                         "  error('done')\n"
                         "end)\n";
  const std::string trace = find_bug(file, dir);
  auto r = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_NE(r.out.find("log  P0(root): value is 42"), std::string::npos) << r.out;
}

TEST(DumpTrace, PrintsEveryFieldAsTextAndJson) {
  const std::string dir = fresh_dir("dump");
  const std::string trace = find_bug(scenario("lost_update.lua"), dir);
  auto text = run_lockstep({"dump-trace", "--trace", trace});
  EXPECT_EQ(text.code, 0);
  for (const char* field : {"format version: 3", "scenario hash:", "test: two clients", "strategy: pct",
                            "iteration seed:", "options: max_steps=", "failure: assertion", "decisions (",
                            "events (", "facts (", "processes:"}) {
    EXPECT_NE(text.out.find(field), std::string::npos) << field;
  }
  auto json = run_lockstep({"dump-trace", "--trace", trace, "--json"});
  EXPECT_EQ(json.code, 0);
  EXPECT_EQ(json.out.front(), '{');
  for (const char* field : {"\"format_version\":3", "\"decisions\":[", "\"events\":[", "\"facts\":[", "\"failure\":{",
                            "\"kind\":\"assertion\"", "\"iteration_seed\":"}) {
    EXPECT_NE(json.out.find(field), std::string::npos) << field;
  }
}

class BadTraceFile : public ::testing::TestWithParam<const char*> {};

TEST_P(BadTraceFile, GetsOneLineAndExitTwo) {
  const std::string dir = fresh_dir(std::string("bad_") + GetParam());
  const std::string good = slurp(find_bug(scenario("lost_update.lua"), dir));
  std::map<std::string, std::string> files;
  files["empty"] = "";
  files["truncated"] = good.substr(0, good.size() / 2);
  std::string flipped = good;
  flipped[good.size() - 10] ^= 0x01;
  files["flipped"] = flipped;
  std::string future = good;
  future[8] = 99;
  files["future"] = future;
  files["magic"] = "NOTATRACE" + good.substr(9);
  files["text"] = "just some text\n";
  for (const auto& [name, bytes] : files) {
    const std::string path = dir + "/" + name + ".lockstep";
    std::ofstream(path, std::ios::binary) << bytes;
    std::vector<std::string> args = {GetParam(), "--trace", path};
    auto r = run_lockstep(args);
    EXPECT_EQ(r.code, 2) << GetParam() << " " << name << ": " << r.out << r.err;
    EXPECT_EQ(lines(r.err), 1u) << GetParam() << " " << name << ": " << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  }
  auto missing = run_lockstep({GetParam(), "--trace", dir + "/missing.lockstep"});
  EXPECT_EQ(missing.code, 2);
  auto directory = run_lockstep({GetParam(), "--trace", dir});
  EXPECT_EQ(directory.code, 2);
}

INSTANTIATE_TEST_SUITE_P(Commands, BadTraceFile, ::testing::Values("replay", "shrink", "dump-trace"));

}  // namespace

// Hostile or careless scenarios that need more than one run to check (the
// single-run cases are files in tests/hostile/, run by hostile_cli_test.cc):
// what the sandbox keeps out, and results that do not depend on where
// (which worker) a value was made.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <tuple>
#include <vector>

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
    auto r = run_lockstep({"run", f, "--jobs", std::to_string(j), "--traces-dir", dir});
    ASSERT_EQ(r.code, 1) << r.out;
    outs[j - 1] = r.out.substr(r.out.find("failure: "),
                               r.out.find('\n', r.out.find("failure: ")) - r.out.find("failure: "));
    for (const auto& e : std::filesystem::directory_iterator(dir))
      traces[j - 1] = slurp(e.path().string());
  }
  EXPECT_EQ(outs[0], outs[1]);
  EXPECT_NE(outs[0].find("t is table: #"), std::string::npos) << outs[0];
  EXPECT_EQ(traces[0], traces[1]);  // byte-identical
}

TEST(Sandbox, ARequiredModuleLoadsAsSourceOnly) {
  const std::string dir = fresh_dir("required");
  std::ofstream(dir + "/helper.lua") << "return { answer = 42 }\n";
  std::ofstream(dir + "/main.lua")
      << "local h = require('helper')\n"
         "lockstep.test('uses a module', function() assert(h.answer == 42) end)\n";
  EXPECT_EQ(run_lockstep({"run", dir + "/main.lua", "--iterations", "2"}).code, 0);
}

TEST(Limits, ABugPastTheFirstWindowOfIterationsIsTheSameWhateverJobs) {
  // Parallel iterations run in windows of 65,536 (memory stays bounded for
  // any --iterations): with seed 3 the first failure is iteration 165,413.
  const std::string f =
      write_file("rare",
                 "local ls = lockstep\n"
                 "ls.test('rare', { strategy = 'random', iterations = 300000 }, function()\n"
                 "  if ls.random_int(1, 100000) == 7 then error('rare') end\nend)\n");
  std::string trace[2];
  for (int j = 1; j <= 2; ++j) {
    const std::string dir = fresh_dir("rare_" + std::to_string(j));
    auto r = run_lockstep({"run", f, "--seed", "3", "--jobs", std::to_string(j), "--format", "json",
                           "--traces-dir", dir});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("\"iterations_run\":165414"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"iteration\":165413"), std::string::npos) << r.out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      trace[j - 1] = slurp(e.path().string());
  }
  EXPECT_EQ(trace[0], trace[1]);
  // A huge budget starts at once (nothing is listed in advance).
  auto huge = run_lockstep({"run", scenario("noisy_race.lua"), "--iterations", "1000000000000000",
                            "--jobs", "2", "--traces-dir", fresh_dir("huge_budget"), "-q"});
  EXPECT_EQ(huge.code, 1);
}

TEST(Limits, AnUnterminatedJsonLinesHistoryIsAnErrorNotAHang) {
  const std::string dir = fresh_dir("unterminated");
  std::ofstream(dir + "/h.jsonl")
      << "{\"type\": \"invoke\", \"process\": 1, \"f\": \"write\", \"value\": [1, 2\n";
  auto r = run_lockstep({"check", "--history", dir + "/h.jsonl"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("h.jsonl:1: not a JSON object (at byte"), std::string::npos) << r.err;
}

TEST(Limits, JsonLinesStringsAreUnescaped) {
  const std::string dir = fresh_dir("unescaped");
  std::ofstream(dir + "/kv.jsonl")
      << "{\"type\": \"invoke\", \"process\": 1, \"f\": \"put\", \"key\": \"x\", \"value\": "
         "\"\\u0041\\\"\"}\n"
         "{\"type\": \"ok\", \"process\": 1, \"f\": \"put\", \"key\": \"x\", \"value\": "
         "\"\\u0041\\\"\"}\n"
         "{\"type\": \"invoke\", \"process\": 2, \"f\": \"get\", \"key\": \"x\", \"value\": null}\n"
         "{\"type\": \"ok\", \"process\": 2, \"f\": \"get\", \"key\": \"x\", \"value\": "
         "\"A\\\"\"}\n";
  auto r = run_lockstep({"check", "--history", dir + "/kv.jsonl", "--model", "kv"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;  // "\u0041\"" is "A\""
}

TEST(Sandbox, ScenarioTextCannotWriteEscapeSequencesToTheTerminal) {
  const std::string f = write_file("escapes",
                                   "local ls = lockstep\n"
                                   "ls.test('esc\\27[31m', function()\n"
                                   "  ls.label('na\\0me\\27[2J')\n"
                                   "  ls.log('bell\\7 and \\27]0;title\\7')\n"
                                   "  error('red \\27[31mtext\\r')\nend)\n");
  auto r = run_lockstep({"run", f, "--iterations", "1", "--traces-dir", fresh_dir("escapes_t")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  EXPECT_NE(r.out.find("red \\x1b[31mtext\\x0d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--test $'esc\\x1b[31m'"), std::string::npos)
      << r.out;  // still names the test in bash
}

TEST(Limits, UnderAnAddressSpaceLimitTheArenaTakesLessOrSaysWhy) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory needs more address space than any limit tried here";
#endif
  // 4 GiB of address space (the arena used to reserve all of it): runs.
  const std::string cmd_ok = "ulimit -v 4194304; " + shell_quote(LOCKSTEP_BIN) + " run " +
                             shell_quote(scenario("lost_update_fixed.lua")) +
                             " --iterations 20 -q >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(("bash -c " + shell_quote(cmd_ok)).c_str())), 0);
  // 60 MB: one clear line, exit 2 (a limit, not a bad scenario).
  const std::string err = temp_path("ulimit_err.txt");
  const std::string cmd_low = "ulimit -v 60000; " + shell_quote(LOCKSTEP_BIN) + " run " +
                              shell_quote(scenario("lost_update_fixed.lua")) + " -q >/dev/null 2>" +
                              shell_quote(err);
  EXPECT_EQ(WEXITSTATUS(std::system(("bash -c " + shell_quote(cmd_low)).c_str())), 2);
  EXPECT_NE(slurp(err).find("raise the address-space limit (ulimit -v)"), std::string::npos)
      << slurp(err);
  EXPECT_EQ(lines(slurp(err)), 1u);
}

}  // namespace

namespace {

// --max-memory: a process that allocates past it ends the iteration as a
// `memory` bug naming it and its line, even when it catches the error with
// pcall; the trace replays it; ordinary scenarios are far below the default.
TEST(Limits, GuestMemoryPastMaxMemoryIsAMemoryBugNamingTheProcess) {
  const std::string file = write_file("hog", R"(
local ls = lockstep
local function hog()
  local t = {}
  for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end
end
ls.test("hog", function()
  ls.spawn(hog)
  ls.sleep(1)
end)
ls.test("hog in pcall", function()
  ls.spawn(function() while true do pcall(hog) end end)
  ls.sleep(1)
end)
)");
  const std::string dir = fresh_dir("hog_traces");
  const auto r =
      run_lockstep({"run", file, "--max-memory", "64", "--format", "json", "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_EQ(lines(r.err), 0u) << r.err;
  size_t bugs = 0;
  for (size_t at = r.out.find("\"kind\":\"memory\""); at != std::string::npos;
       at = r.out.find("\"kind\":\"memory\"", at + 1)) {
    ++bugs;
  }
  EXPECT_EQ(bugs, 2u) << r.out;
  EXPECT_NE(r.out.find("\"process\":\"P1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hog.lua:5\""), std::string::npos) << r.out;
  std::string trace;
  for (const auto& e : std::filesystem::directory_iterator(dir)) trace = e.path().string();
  const auto replay = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("reproduced: memory in P1"), std::string::npos) << replay.out;
  EXPECT_EQ(run_lockstep({"run", file, "--max-memory", "0"}).code, 2);
}

}  // namespace

namespace {

// Three runs with different strategies into one traces directory at once:
// three traces, none overwritten; temporary files of writers that were
// killed are removed, those of a live writer kept.
TEST(Limits, ConcurrentRunsIntoOneTracesDirectoryKeepEveryTrace) {
  const std::string dir = fresh_dir("shared_traces");
  std::ofstream(dir + "/killed.lockstep.tmp4194399") << "half a trace";  // no such pid
  const std::string live = dir + "/writing.lockstep.tmp" + std::to_string(::getpid());
  std::ofstream(live) << "being written";
  std::string cmd;
  for (const char* s : {"pct", "random", "pos"}) {
    cmd += shell_quote(LOCKSTEP_BIN) + " run " + shell_quote(scenario("lost_update.lua")) +
           " --strategy " + s + " --seed 1 --iteration 1 -q --traces-dir " + shell_quote(dir) +
           " >/dev/null 2>&1 & ";
  }
  ASSERT_EQ(std::system((cmd + "wait").c_str()), 0);
  std::set<std::string> strategies;
  size_t traces = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".lockstep") continue;
    ++traces;
    const auto dump = run_lockstep({"dump-trace", "--trace", e.path().string(), "--json"});
    const size_t at = dump.out.find("\"strategy\":\"");
    ASSERT_NE(at, std::string::npos);
    strategies.insert(dump.out.substr(at + 12, dump.out.find('"', at + 12) - at - 12));
  }
  EXPECT_EQ(traces, 3u);
  EXPECT_EQ(strategies, (std::set<std::string>{"pct", "random", "pos"}));
  EXPECT_FALSE(std::filesystem::exists(dir + "/killed.lockstep.tmp4194399"));
  EXPECT_TRUE(std::filesystem::exists(live));
}

TEST(Sandbox, FinalizersAreRefused) {
  // Lua runs __gc with hooks off: a loop in one could never be stopped.
  const std::string f = write_file("gc_loop", R"(
local ls = lockstep
ls.test("finalizer", function()
  setmetatable({}, { __gc = function() while true do end end })
  collectgarbage()
end)
)");
  auto r = run_lockstep({"run", f, "--iterations", "1", "--traces-dir", fresh_dir("gc_loop_t")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("setmetatable: __gc finalizers are not supported"), std::string::npos) << r.out;
  // Other metatables work as before.
  const std::string ok = write_file("mt_ok", R"(
local ls = lockstep
ls.test("metatable", function()
  local t = setmetatable({}, { __index = function() return 7 end })
  assert(t.x == 7 and getmetatable(t) ~= nil)
end)
)");
  EXPECT_EQ(run_lockstep({"run", ok, "--iterations", "1"}).code, 0);
}

}  // namespace

// What a new user trips over (wrong results): each has a test here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/scenarios/cli_helpers.h"

namespace {

namespace fs = std::filesystem;
using namespace lockstep::testing;

TEST(Newcomer, TwoScenariosWithTheSameTestNameWriteTwoTraces) {
  const std::string a = write_file("same_a", "lockstep.test('t', function() error('from a') end)\n");
  const std::string b = write_file("same_b", "lockstep.test('t', function() error('from b') end)\n");
  const std::string dir = fresh_dir("same_traces");
  auto r = run_lockstep({"run", a, b, "--traces-dir", dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  std::vector<std::string> traces;
  for (const auto& e : fs::directory_iterator(dir)) traces.push_back(e.path().string());
  ASSERT_EQ(traces.size(), 2u) << r.out;
  for (const std::string& t : traces) {
    auto replay = run_lockstep({"replay", "--trace", t, "--run"});
    EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
    const bool is_a = t.find("same_a.t-iter0-seed1.lockstep") != std::string::npos;
    EXPECT_NE(replay.out.find(is_a ? "from a" : "from b"), std::string::npos) << t << replay.out;
  }
}

TEST(Newcomer, ABugHiddenByATooSmallMaxStepsIsNotAPass) {
  auto all = run_lockstep({"run", scenario("lost_update.lua"), "--max-steps", "5"});
  EXPECT_EQ(all.code, 2) << all.out;
  // The error is one line on stderr (the summary on stdout counts it).
  EXPECT_NE(all.err.find("ERROR two clients adding 1 each end at 2"), std::string::npos) << all.err;
  EXPECT_NE(all.err.find("nothing was checked to the end"), std::string::npos) << all.err;
  EXPECT_EQ(all.out.find("ERROR"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("1 error"), std::string::npos) << all.out;
  auto json = run_lockstep({"run", scenario("lost_update.lua"), "--max-steps", "5", "--format", "json"});
  EXPECT_EQ(json.code, 2);
  EXPECT_NE(json.err.find("lockstep: error: lost_update.lua: \"two clients adding 1 each end at 2\": every iteration"),
            std::string::npos)
      << json.err;
  EXPECT_EQ(std::count(json.err.begin(), json.err.end(), '\n'), 1) << json.err;
  // Some iterations cut off, some run to the end: a pass that says how many were cut.
  const std::string some = write_file("some_cut", R"(
local ls = lockstep
ls.test("sometimes long", { strategy = "random", iterations = 50 }, function()
  if ls.random_bool() then for _ = 1, 20 do ls.send(ls.self(), 1); ls.receive() end end
end)
)");
  auto partly = run_lockstep({"run", some, "--max-steps", "10"});
  EXPECT_EQ(partly.code, 0) << partly.out;
  EXPECT_NE(partly.out.find("cut off at max steps"), std::string::npos) << partly.out;
}

TEST(Newcomer, ABareYieldInTheTestBodyIsABug) {
  const std::string f = write_file("bare_yield", "lockstep.test('y', function()\n  coroutine.yield()\n  error('never')\nend)\n");
  auto r = run_lockstep({"run", f, "--traces-dir", fresh_dir("bare_yield_traces")});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("coroutine.yield called outside a coroutine"), std::string::npos) << r.out;
}

TEST(Newcomer, OptionsAfterTheFunctionAreHonoured) {
  const std::string f = write_file("opts_after",
                                   "lockstep.test('after', function() end, { iterations = 7, strategy = 'random' })\n");
  auto r = run_lockstep({"run", f});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("after (opts_after.lua)  random, 7 iterations"), std::string::npos) << r.out;
}

TEST(Newcomer, CheckSaysWhenTheModelDoesNotKnowAnOperation) {
  const std::string dir = fresh_dir("check_unknown");
  const std::string h = dir + "/h.jsonl";
  std::ofstream(h) << "{\"type\": \"invoke\", \"process\": 1, \"f\": \"read\", \"value\": null}\n"
                      "{\"type\": \"ok\", \"process\": 1, \"f\": \"read\", \"value\": 5}\n";
  auto queue = run_lockstep({"check", "--history", h, "--model", "queue"});
  EXPECT_EQ(queue.code, 2) << queue.out;
  EXPECT_NE(queue.err.find("operation \"read\""), std::string::npos) << queue.err;
  EXPECT_NE(queue.err.find("unknown to the queue model"), std::string::npos) << queue.err;
  EXPECT_EQ(lines(queue.err), 1u);
  // The register starts at nil unless told otherwise.
  EXPECT_EQ(run_lockstep({"check", "--history", h}).code, 1);
  EXPECT_EQ(run_lockstep({"check", "--history", h, "--initial", "5"}).code, 0);
  EXPECT_EQ(run_lockstep({"check", "--history", h, "--initial", "five"}).code, 2);
}

TEST(Newcomer, BadNumbersAndUnknownCommandsGetAPlainLine) {
  auto zero = run_lockstep({"run", scenario("lost_update.lua"), "--iterations", "0"});
  EXPECT_EQ(zero.code, 2);
  EXPECT_NE(zero.err.find("iterations must be a positive integer, not \"0\""), std::string::npos) << zero.err;
  EXPECT_EQ(zero.err.find("179769"), std::string::npos) << zero.err;
  EXPECT_EQ(lines(zero.err), 1u);
  auto shard = run_lockstep({"run", scenario("lost_update.lua"), "--shard", "1/-2"});
  EXPECT_EQ(shard.code, 2) << shard.out;
  auto typo = run_lockstep({"runn", scenario("lost_update.lua")});
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("unknown command 'runn' (did you mean 'run'?)"), std::string::npos) << typo.err;
}

TEST(Newcomer, ReplayFindsTheScenarioFromAnotherDirectory) {
  // Record in one directory (a relative scenario path), replay from another.
  const std::string project = fresh_dir("moved_project");
  std::ofstream(project + "/buggy.lua") << "lockstep.test('t', function() error('found me') end)\n";
  ASSERT_EQ(::chdir(project.c_str()), 0);
  auto run = run_lockstep({"run", "buggy.lua"});
  ASSERT_EQ(run.code, 1) << run.out << run.err;
  const std::string trace = project + "/traces/buggy.t-iter0-seed1.lockstep";
  ASSERT_TRUE(fs::exists(trace)) << run.out;
  ASSERT_EQ(::chdir("/"), 0);
  auto replay = run_lockstep({"replay", "--trace", trace, "--run"});
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("reproduced: "), std::string::npos) << replay.out;
  // Copied away from both, it says where it was recorded and what to do.
  const std::string lone = fresh_dir("lone_trace") + "/t.lockstep";
  fs::copy_file(trace, lone);
  const std::string moved = project + "_elsewhere";
  fs::remove_all(moved);
  fs::rename(project, moved);
  auto lost = run_lockstep({"replay", "--trace", lone, "--run"});
  EXPECT_EQ(lost.code, 2);
  EXPECT_NE(lost.err.find("buggy.lua: no such file (the trace was recorded in " + project + ")"), std::string::npos)
      << lost.err;
  EXPECT_NE(lost.err.find("--scenario"), std::string::npos);
  EXPECT_EQ(run_lockstep({"replay", "--trace", lone, "--run", "--scenario", moved + "/buggy.lua"}).code, 1);
}

TEST(Newcomer, ALongScheduleIsSummarisedUnlessAskedInFull) {
  // Messages that differ with period 7: no short repeat to fold.
  const std::string f = write_file("spin", "lockstep.test('spin', function()\n"
                                           "  local i = 0\n"
                                           "  while true do\n"
                                           "    i = i + 1\n"
                                           "    lockstep.send(lockstep.self(), string.rep('x', i % 7))\n"
                                           "    lockstep.receive()\n"
                                           "  end\n"
                                           "end)\n");
  auto r = run_lockstep({"run", f, "--max-steps", "5000", "--fail-on-max-steps", "--traces-dir", fresh_dir("spin_t")});
  EXPECT_EQ(r.code, 1);
  EXPECT_LT(lines(r.out), 300u);
  EXPECT_NE(r.out.find("lines left out (-v prints them; --full"), std::string::npos) << r.out.substr(0, 2000);
  EXPECT_NE(r.out.find("step 5000 "), std::string::npos);  // the last steps are shown
  auto full = run_lockstep({"run", f, "--max-steps", "5000", "--fail-on-max-steps", "--full", "--traces-dir",
                            fresh_dir("spin_t2")});
  EXPECT_GT(lines(full.out), 5000u);
}

TEST(Newcomer, RepeatedStepsFoldIntoOneLineUnlessAskedInFull) {
  const std::string f = write_file("poll", "lockstep.test('poll', function()\n"
                                           "  local i = 0\n"
                                           "  while true do\n"
                                           "    i = i + 1\n"
                                           "    lockstep.send(lockstep.self(), i)\n"
                                           "    lockstep.receive()\n"
                                           "  end\n"
                                           "end)\n");
  auto r = run_lockstep({"run", f, "--max-steps", "300", "--fail-on-max-steps", "--traces-dir", fresh_dir("poll_t")});
  EXPECT_EQ(r.code, 1);
  // start, then one send/receive pair, then the fold, then the failing send.
  EXPECT_NE(r.out.find("... the 2 steps above again 148 times (steps 4-299) ..."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step 300 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("step 150 "), std::string::npos) << r.out;
  auto full = run_lockstep({"run", f, "--max-steps", "300", "--fail-on-max-steps", "--full", "--traces-dir",
                            fresh_dir("poll_t2")});
  EXPECT_EQ(full.out.find("again"), std::string::npos);
  EXPECT_NE(full.out.find("step 150 "), std::string::npos);
}

TEST(Newcomer, JUnitAndJsonListEveryTestAndEveryFileThatFailedToLoad) {
  const std::string bad = write_file("junit_bad", "this is not lua(\n");
  const std::string dir = fresh_dir("junit_out");
  const std::string xml = dir + "/reports/junit.xml";
  auto r = run_lockstep({"run", bad, scenario("lost_update.lua"), scenario("lost_update_fixed.lua"), "--junit", xml,
                         "--traces-dir", dir, "-q"});
  EXPECT_EQ(r.code, 3) << r.err;  // a file did not load
  const std::string doc = slurp(xml);
  EXPECT_NE(doc.find("<testsuites name=\"lockstep\" tests=\"3\" failures=\"1\" errors=\"1\""), std::string::npos)
      << doc.substr(0, 400);
  EXPECT_NE(doc.find("<failure type=\"assertion\" message=\"lost update; counter is 1\">"), std::string::npos);
  EXPECT_NE(doc.find("lockstep replay --trace "), std::string::npos);  // the failure says how to replay
  EXPECT_NE(doc.find("name=\"(load)\""), std::string::npos);
  auto json = run_lockstep({"run", bad, scenario("lost_update.lua"), "--format", "json", "--traces-dir", dir});
  EXPECT_NE(json.out.find("\"name\":null,\"status\":\"error\",\"error\":"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"iteration_seed_str\":\""), std::string::npos) << json.out;
}

TEST(Newcomer, MergedShardsGiveTheWholeRunsResult) {
  const std::string dir = fresh_dir("merge_shards");
  std::vector<std::string> shards;
  for (int k = 0; k < 3; ++k) {
    auto r = run_lockstep({"run", scenario("lost_update.lua"), scenario("lost_update_fixed.lua"), "--iterations", "90",
                           "--shard", std::to_string(k) + "/3", "--format", "json", "--traces-dir", dir});
    shards.push_back(dir + "/shard" + std::to_string(k) + ".json");
    std::ofstream(shards.back()) << r.out;
  }
  auto whole = run_lockstep({"run", scenario("lost_update.lua"), scenario("lost_update_fixed.lua"), "--iterations",
                             "90", "--format", "json", "--traces-dir", dir});
  std::vector<std::string> args = {"merge"};
  args.insert(args.end(), shards.begin(), shards.end());
  auto merged = run_lockstep(args);
  EXPECT_EQ(merged.code, 1) << merged.err;
  for (const char* field : {"\"bugs\":1", "\"passed\":1", "\"tests\":2"}) {
    EXPECT_NE(merged.out.find(field), std::string::npos) << field << merged.out;
    EXPECT_NE(whole.out.find(field), std::string::npos) << field << whole.out;
  }
  const auto bug_at = [](const std::string& out) { return out.substr(out.find("\"bug\":{"), 60); };
  EXPECT_EQ(bug_at(merged.out), bug_at(whole.out));
  auto text = run_lockstep({"merge", shards[0], shards[1], shards[2], "--format", "text"});
  EXPECT_NE(text.out.find("lockstep: 2 tests, 1 passed, 1 bug, 0 errors"), std::string::npos) << text.out;
}

TEST(Newcomer, LibraryErrorsNameTheCallersLine) {
  const std::string f = write_file("otp_lines", R"(local ls = lockstep
ls.test("call nil", function()
  ls.genserver.call(nil, "x")
end)
ls.test("call timeout", function()
  local s = ls.genserver.start({ init = function() return "ok", 0 end,
                                 handle_call = function(r, f, s) return "noreply", s end })
  ls.genserver.call(s, "x", 10)
end)
ls.test("infinity", function()
  local s = ls.genserver.start({ init = function() return "ok", 0 end,
                                 handle_call = function(r, f, s) return "reply", 1, s end })
  assert(ls.genserver.call(s, "x", "infinity") == 1)
end)
ls.test("server crash", { allow_crashes = true }, function()
  local s = ls.genserver.start({ init = function() return "ok", 0 end,
                                 handle_call = function(r, f, s) error("boom") end })
  ls.genserver.call(s, "x")
end)
)");
  auto r = run_lockstep({"run", f, "--iterations", "3", "--traces-dir", fresh_dir("otp_lines_t")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("assertion in P0(root): noproc (at " + f + ":3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("assertion in P0(root): timeout (at " + f + ":8)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok    infinity"), std::string::npos) << r.out;
  // The server's error is the message; the caller's line is where.
  EXPECT_NE(r.out.find(":17: boom (at " + f + ":18)"), std::string::npos) << r.out;
}

TEST(Newcomer, ALoopWithoutASyncPointTakesOneTimeoutAndNamesItsLine) {
  const std::string f = write_file("loop_line", "lockstep.test('spin', function()\n  local x = 0\n"
                                                "  while true do x = x + 1 end\nend)\n");
  const auto start = std::chrono::steady_clock::now();
  auto r = run_lockstep({"run", f, "--iter-timeout", "600", "--traces-dir", fresh_dir("loop_line_t")});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("without reaching a sync point (at " + f + ":3)"), std::string::npos) << r.out;
  EXPECT_LT(seconds, 1.1) << "the failing step must not be re-run until it times out again";
  EXPECT_EQ(r.out.find("not deterministic"), std::string::npos) << r.out;
}

TEST(Newcomer, VerboseShowsTheLogsOfPassingRuns) {
  const std::string f = write_file("talk", "lockstep.test('talk', { iterations = 2 }, function()\n"
                                           "  lockstep.spawn(function() lockstep.label('helper'); lockstep.log('from', 'helper') end)\n"
                                           "  print('from root')\nend)\n");
  auto v = run_lockstep({"run", f, "-v", "--jobs", "2"});
  EXPECT_EQ(v.code, 0) << v.err;
  EXPECT_NE(v.out.find("log   talk, iteration 0:"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("log   talk, iteration 1:"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("P0(root): from root"), std::string::npos) << v.out;
  auto quiet = run_lockstep({"run", f});
  EXPECT_EQ(quiet.out.find("from root"), std::string::npos) << quiet.out;
}

}  // namespace

// Warnings for what a passing test never exercised or did not prove
// (engine/warnings.h), on the real binary: each kind under its test, in
// JSON, and --strict failing the run (exit 1, WARN, a JUnit failure).
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep {
namespace {

using testing::fresh_dir;
using testing::run_lockstep;
using testing::scenario;
using testing::slurp;
using testing::temp_path;

const std::string kNeverExercised = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/warnings/never_exercised.lua";

// The kinds of the warnings of test `name` in a JSON report.
std::vector<std::string> warning_kinds(const std::string& json, const std::string& name) {
  std::vector<std::string> kinds;
  auto doc = parse_json(json);
  EXPECT_TRUE(doc.ok()) << json;
  if (!doc.ok()) return kinds;
  for (const JsonValue& t : doc->get("tests")->items) {
    if (t.str("name") != name || !t.get("warnings")) continue;
    for (const JsonValue& w : t.get("warnings")->items) kinds.push_back(w.str("kind"));
  }
  return kinds;
}

TEST(Warnings, EachTestThatNeverExercisedItsPointIsWarnedAbout) {
  auto text = run_lockstep({"run", kNeverExercised, "--traces-dir", fresh_dir("warn_text")});
  ASSERT_EQ(text.code, 0) << text.out << text.err;  // warnings alone do not fail a run
  for (const char* said : {"warning: faults = \"drop=2,partition=1\": no fault could be injected",
                           "warning: 1 iteration was cut off at max_steps (60)",
                           "warning: liveness monitors were judged only when each run ended: pct is not fair",
                           "warning: receive timeouts were armed 50 times and none fired"}) {
    EXPECT_NE(text.out.find(said), std::string::npos) << said << "\n" << text.out;
  }
  EXPECT_NE(text.out.find("0 errors, 4 warnings\n"), std::string::npos) << text.out;

  auto json = run_lockstep({"run", kNeverExercised, "--format", "json", "--traces-dir", fresh_dir("warn_json")});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(warning_kinds(json.out, "faults on one node"), std::vector<std::string>{"faults_unused"});
  EXPECT_EQ(warning_kinds(json.out, "a loop cut off at max_steps"), std::vector<std::string>{"max_steps"});
  EXPECT_EQ(warning_kinds(json.out, "a monitor under pct"), std::vector<std::string>{"unfair_liveness"});
  EXPECT_EQ(warning_kinds(json.out, "a retry that never runs"), std::vector<std::string>{"timeouts_never_fired"});
  EXPECT_NE(json.out.find("\"warnings\":4,\"strict\":false"), std::string::npos) << json.out;
  // What the iterations exercised is counted the same on two threads.
  auto jobs = run_lockstep({"run", kNeverExercised, "--format", "json", "--jobs", "2", "--traces-dir",
                            fresh_dir("warn_jobs")});
  for (const char* test : {"faults on one node", "a loop cut off at max_steps", "a monitor under pct",
                           "a retry that never runs"}) {
    EXPECT_EQ(warning_kinds(jobs.out, test), warning_kinds(json.out, test)) << test;
  }
}

TEST(Warnings, WhatWasExercisedIsNotWarnedAbout) {
  // Faults injected between nodes; a monitor under a fair strategy; the
  // retry run once timers may fire early; a proof.
  auto faults = run_lockstep({"run", scenario("gossip_leave_fixed.lua"), "--format", "json", "--traces-dir",
                              fresh_dir("warn_none_f")});
  EXPECT_EQ(faults.code, 0) << faults.out << faults.err;
  EXPECT_EQ(faults.out.find("\"warnings\":["), std::string::npos) << faults.out;
  auto fair = run_lockstep({"run", kNeverExercised, "--test", "a monitor under pct", "--strategy", "fair_pct",
                            "--format", "json", "--traces-dir", fresh_dir("warn_none_l")});
  EXPECT_TRUE(warning_kinds(fair.out, "a monitor under pct").empty()) << fair.out;
  auto any = run_lockstep({"run", kNeverExercised, "--test", "a retry that never runs", "--timers", "any",
                           "--format", "json", "--traces-dir", fresh_dir("warn_none_t")});
  const auto kinds = warning_kinds(any.out, "a retry that never runs");
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "timeouts_never_fired"), 0) << any.out;
  auto proof = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--strategy", "dfs", "--format", "json"});
  EXPECT_EQ(proof.out.find("\"warnings\":["), std::string::npos) << proof.out;
}

// A search cut off by its budget is no proof: said under the test, and
// --strict fails it.
TEST(Warnings, ABoundedSearchIsNotAPass) {
  auto r = run_lockstep({"run", scenario("split_brain_fixed.lua"), "--strategy", "dfs", "--iterations", "20",
                         "--traces-dir", fresh_dir("warn_bounded")});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("warning: no proof: the search stopped after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("because its budget of 20 iterations ran out"), std::string::npos) << r.out;
  auto strict = run_lockstep({"run", scenario("split_brain_fixed.lua"), "--strategy", "dfs", "--iterations", "20",
                              "--strict", "--traces-dir", fresh_dir("warn_bounded_s")});
  EXPECT_EQ(strict.code, 1) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("  WARN  failover keeps the register linearizable"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("1 warning (--strict: the run fails)"), std::string::npos) << strict.out;
}

// A strategy parameter the test's strategy does not take: a usage error
// next to --strategy, a warning under each test without it.
TEST(Warnings, AStrategyParameterTheStrategyDoesNotTakeIsNeverIgnoredSilently) {
  auto usage = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--strategy", "pct", "--delay-bound", "2"});
  EXPECT_EQ(usage.code, 2) << usage.out << usage.err;
  EXPECT_EQ(usage.err, "lockstep: error: --delay-bound is a parameter of dfs; --strategy pct does not take it\n");
  EXPECT_EQ(usage.out, "");
  auto shared = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--strategy", "dfs", "--pct-depth", "2"});
  EXPECT_EQ(shared.code, 2);
  EXPECT_NE(shared.err.find("--pct-depth is a parameter of pct or fair_pct; --strategy dfs does not take it"),
            std::string::npos)
      << shared.err;
  auto taken = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--strategy", "dfs", "--delay-bound", "2",
                             "--format", "json"});
  EXPECT_EQ(taken.code, 0) << taken.out << taken.err;
  EXPECT_EQ(taken.out.find("\"warnings\":["), std::string::npos) << taken.out;

  // Without --strategy, each test runs its own (here the default, pct).
  auto warned = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--delay-bound", "2", "--fewest-delays",
                              "on", "--traces-dir", fresh_dir("warn_ignored")});
  EXPECT_EQ(warned.code, 0) << warned.out << warned.err;
  EXPECT_NE(warned.out.find("warning: --delay-bound was given, but this test runs pct, which does not take it (a "
                            "parameter of dfs): give --strategy too"),
            std::string::npos)
      << warned.out;
  EXPECT_NE(warned.out.find("warning: --fewest-delays was given"), std::string::npos) << warned.out;
  auto json = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--delay-bound", "2", "--format", "json",
                            "--traces-dir", fresh_dir("warn_ignored_j")});
  EXPECT_EQ(warning_kinds(json.out, "two clients adding 1 each end at 2"),
            std::vector<std::string>{"ignored_option"})
      << json.out;
  auto strict = run_lockstep({"run", scenario("lost_update_fixed.lua"), "--delay-bound", "2", "--strict",
                              "--traces-dir", fresh_dir("warn_ignored_s")});
  EXPECT_EQ(strict.code, 1) << strict.out << strict.err;
}

TEST(Warnings, StrictFailsTheRunAndJUnitShowsEachAsAFailure) {
  const std::string junit = temp_path("warnings.xml");
  auto r = run_lockstep({"run", kNeverExercised, "--strict", "--junit", junit, "--format", "json", "--traces-dir",
                         fresh_dir("warn_strict")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"warnings\":4,\"strict\":true"), std::string::npos) << r.out;
  const std::string xml = slurp(junit);
  EXPECT_NE(xml.find("failures=\"4\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure type=\"faults_unused\" message=\"warning: faults = "), std::string::npos) << xml;
  // Without --strict the same run passes and JUnit shows no failure.
  const std::string lenient = temp_path("warnings_lenient.xml");
  auto plain = run_lockstep({"run", kNeverExercised, "--junit", lenient, "--traces-dir", fresh_dir("warn_plain")});
  EXPECT_EQ(plain.code, 0) << plain.out;
  EXPECT_EQ(slurp(lenient).find("<failure"), std::string::npos);
}

}  // namespace
}  // namespace lockstep

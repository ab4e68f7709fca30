// `lockstep view` and `dump-trace --shiviz` on real traces, and the page
// rendered in a real browser (headless Chromium) where one is installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "engine/base/json.h"
#include "tests/scenarios/cli_helpers.h"

namespace lockstep::testing {
namespace {

// A trace of `file` (a buggy scenario) found with seed 1.
std::string trace_of(const std::string& file, const std::string& strategy = "pct") {
  const std::string dir = fresh_dir("view_" + file);
  const auto r = run_lockstep({"run", scenario(file), "--strategy", strategy, "--seed", "1",
                               "--iterations", "300", "--traces-dir", dir, "-q"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".lockstep") return entry.path().string();
  }
  ADD_FAILURE() << "no trace written for " << file;
  return "";
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// What the trace itself says the page must draw: a lane per process seen,
// an arrow per step that took a message or was caused by another.
struct Expected {
  size_t lanes = 0, arrows = 0, steps = 0;
};
Expected expected_from_dump(const std::string& trace) {
  const auto dump = run_lockstep({"dump-trace", "--trace", trace, "--json"});
  EXPECT_EQ(dump.code, 0) << dump.err;
  auto doc = parse_json(dump.out);
  EXPECT_TRUE(doc.ok());
  Expected e;
  std::set<std::string> pids;
  for (const JsonValue& ev : doc->get("events")->items) {
    if (ev.get("pid")->text != "-1") pids.insert(ev.get("pid")->text);
    if (ev.get("peer")->text != "-1") pids.insert(ev.get("peer")->text);
    ++e.steps;
  }
  e.lanes = pids.size();
  for (const JsonValue& f : doc->get("facts")->items) {
    const std::string consumed = f.get("consumed")->text, cause = f.get("cause")->text;
    e.arrows += consumed != "0";
    e.arrows += cause != "0" && cause != consumed;
  }
  return e;
}

TEST(ViewCli, WritesOneSelfContainedPageBesideTheTrace) {
  const std::string trace = trace_of("message_race.lua");
  const auto r = run_lockstep({"view", "--trace", trace});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string html_path = trace.substr(0, trace.size() - std::string(".lockstep").size()) + ".html";
  EXPECT_NE(r.out.find("wrote " + html_path), std::string::npos) << r.out;
  const std::string page = slurp(html_path);
  const Expected e = expected_from_dump(trace);
  EXPECT_NE(
      r.out.find(std::to_string(e.lanes) + " processes, " + std::to_string(e.arrows) + " arrows"),
      std::string::npos)
      << r.out;
  EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.find("\"test\":"), std::string::npos);

  // -o - writes the page to stdout; --slice draws fewer steps.
  const auto out = run_lockstep({"view", "--trace", trace, "-o", "-"});
  ASSERT_EQ(out.code, 0);
  EXPECT_EQ(out.out, page);
  const std::string sliced = temp_path("sliced.html");
  const auto s = run_lockstep({"view", "--trace", trace, "--slice", "-o", sliced});
  ASSERT_EQ(s.code, 0) << s.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(s.out, m, std::regex("wrote .*: (\\d+) of (\\d+) steps"))) << s.out;
  EXPECT_LT(std::stoul(m[1]), std::stoul(m[2]));
  EXPECT_EQ(std::stoul(m[2]), e.steps);
}

TEST(ViewCli, BadInputIsOneErrorLine) {
  const std::string trace = trace_of("message_race.lua");
  const auto big =
      run_lockstep({"view", "--trace", trace, "--max-steps", "3", "-o", temp_path("x.html")});
  EXPECT_EQ(big.code, 2);
  EXPECT_NE(big.err.find("view draws at most 3"), std::string::npos) << big.err;
  EXPECT_EQ(lines(big.err), 1u);
  EXPECT_FALSE(std::filesystem::exists(temp_path("x.html")));
  const std::string junk = temp_path("junk.lockstep");
  std::ofstream(junk) << "not a trace";
  const auto bad = run_lockstep({"view", "--trace", junk});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  EXPECT_EQ(run_lockstep({"view"}).code, 2);
}

TEST(ViewCli, DumpTraceShivizGivesTwoLinesPerStep) {
  const std::string trace = trace_of("split_brain.lua");
  const auto r = run_lockstep({"dump-trace", "--trace", trace, "--shiviz"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Expected e = expected_from_dump(trace);
  EXPECT_EQ(r.out.rfind("(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n", 0), 0u);
  EXPECT_EQ(lines(r.out), 2 + 2 * e.steps);
  EXPECT_NE(r.out.find("\nP1@a(primary) {"), std::string::npos);
  EXPECT_EQ(run_lockstep({"dump-trace", "--trace", trace, "--shiviz", "--json"}).code, 2);
}

// The browser to render with: $LOCKSTEP_CHROMIUM, or chromium on the PATH.
// Renders the page of a cluster trace (nodes, deliveries, a partition) in
// headless Chromium: the script ran without errors and drew one lane per
// process and one arrow per causal link the trace records; a screenshot
// is taken.
TEST(ViewCli, ThePageRendersInARealBrowser) {
  if (chromium().empty()) {
    GTEST_SKIP() << "no chromium on the PATH (bash .ci/install-deps --test installs it; or set "
                    "LOCKSTEP_CHROMIUM)";
  }
  for (const std::string file : {"split_brain.lua", "deadlock.lua", "ets_lost_update.lua"}) {
    SCOPED_TRACE(file);
    const std::string trace = trace_of(file);
    const std::string html = temp_path("page.html");
    ASSERT_EQ(run_lockstep({"view", "--trace", trace, "-o", html}).code, 0);
    const std::string url = "file://" + std::filesystem::absolute(html).string();
    const std::string dom = run_browser("--dump-dom " + shell_quote(url));
    const Expected e = expected_from_dump(trace);
    EXPECT_NE(dom.find("data-rendered=\"1\""), std::string::npos) << dom.substr(0, 400);
    EXPECT_EQ(dom.find("data-errors=\""), std::string::npos) << dom.substr(0, 400);
    EXPECT_EQ(count(dom, "<g class=\"lane\""), e.lanes);
    EXPECT_EQ(count(dom, "<path class=\"arrow "), e.arrows);
    EXPECT_EQ(count(dom, "<g class=\"step "), e.steps);
    EXPECT_GE(count(dom, "class=\"failed-ring\"") + count(dom, "class=\"deadlock\""), 1u);
    const std::string png = temp_path("page.png");
    std::filesystem::remove(png);
    run_browser("--window-size=1400,900 --screenshot=" + shell_quote(png) + " " + shell_quote(url));
    const std::string image = slurp(png);
    ASSERT_GT(image.size(), 10000u);
    EXPECT_EQ(image.substr(1, 3), "PNG");
  }
}

// Nodes with long process names, a delivery dropped for want of a name,
// messages held by a partition and never received, timers that fire: the
// headers do not overlap, the dropped delivery is a cross on a lane (not in
// the gutter), each message never received has its open-ended mark, each
// timer that fired is labelled.
TEST(ViewCli, HeadersFitAndDroppedHeldAndTimerStepsHaveMarks) {
  if (chromium().empty()) {
    GTEST_SKIP() << "no chromium on the PATH (bash .ci/install-deps --test installs it; or set "
                    "LOCKSTEP_CHROMIUM)";
  }
  const std::string dir = fresh_dir("view_held");
  ASSERT_EQ(run_lockstep({"run", std::string(LOCKSTEP_SOURCE_DIR) + "/tests/view/held_and_dropped.lua",
                          "--traces-dir", dir, "-q"})
                .code,
            1);
  std::string trace;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) trace = entry.path().string();
  const std::string html = temp_path("held.html");
  ASSERT_EQ(run_lockstep({"view", "--trace", trace, "-o", html}).code, 0);
  const std::string dom = run_browser("--dump-dom " + shell_quote("file://" + std::filesystem::absolute(html).string()));
  EXPECT_NE(dom.find("data-rendered=\"1\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_EQ(dom.find("data-errors=\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_NE(dom.find("data-label-overlaps=\"0\""), std::string::npos) << dom.substr(0, 600);
  EXPECT_NE(dom.find(">P1(participant_with_a_long_name)<title>"), std::string::npos)
      << "the node's box names the node: the header leaves it out";
  EXPECT_EQ(count(dom, "<g class=\"dropped\">"), 1u);  // step 8: no such name
  EXPECT_EQ(count(dom, "<g class=\"pending"), 2u);     // steps 12 and 13: held by the partition
  EXPECT_EQ(count(dom, "class=\"timerlabel\""), 3u);   // T2 sleep ends, T3 send_after, T1 receive timeout
  EXPECT_NE(dom.find(">T1 receive timeout</text>"), std::string::npos);
  EXPECT_NE(dom.find(">T3 send_after</text>"), std::string::npos);
}

}  // namespace
}  // namespace lockstep::testing

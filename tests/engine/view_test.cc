// The space-time diagram's model, the HTML page's data and the ShiViz log.
#include "engine/report/view.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "engine/base/json.h"

namespace lockstep {
namespace {

// P0 (main) spawns P1 on node a and P2 on main; P1's message travels to P0
// (send, delivery, receive); P2 writes a table key P0 then reads; a
// partition cuts the nodes; P0 fails.
Trace sample() {
  Trace t;
  t.processes = {{0, "root", ""}, {1, "server", "a"}};  // P2 has no entry: unnamed, on main
  t.events = {{1, StepKind::kSpawn, 0, 1, ""},
              {2, StepKind::kSpawn, 0, 2, ""},
              {3, StepKind::kStart, 1, -1, ""},
              {4, StepKind::kSend, 1, 0, "\"hi\""},
              {5, StepKind::kDeliver, 1, 0, "\"hi\""},
              {6, StepKind::kStart, 2, -1, ""},
              {7, StepKind::kEtsInsert, 2, -1, "T1 {\"k\", 1}"},
              {8, StepKind::kPartition, -1, -1, "{a} | {main}"},
              {9, StepKind::kReceive, 0, 1, "\"hi\""},
              {10, StepKind::kEtsLookup, 0, -1, "T1 \"k\""},
              {11, StepKind::kSend, 2, 0, "</script><script>alert(1)</script>"},
              {12, StepKind::kExit, 0, -1, "reason=\"boom\""}};
  const Access mailbox{object::mailbox(0), true};
  const Access key_w{object::table_key(1, 7), true};
  const Access key_r{object::table_key(1, 7), false};
  const Access cut{object::node(1), true};
  auto one = [](const Access& a) { return std::span<const Access>(&a, 1); };
  t.facts.add({1, EventKey::process(0), StepKind::kSpawn, 0, 0, 0, {}, {}, {}});
  t.facts.add({2, EventKey::process(0), StepKind::kSpawn, 0, 0, 0, {}, {}, {}});
  t.facts.add({3, EventKey::process(1), StepKind::kStart, 1, 0, 1, {}, {}, {}});
  t.facts.add({4, EventKey::process(1), StepKind::kSend, 1, 0, 0, {}, {}, {}});
  t.facts.add({5, {EventKind::kDelivery, 1}, StepKind::kDeliver, -1, 0, 4, one(mailbox), {}, {}});
  t.facts.add({6, EventKey::process(2), StepKind::kStart, 2, 0, 2, {}, {}, {}});
  t.facts.add({7, EventKey::process(2), StepKind::kEtsInsert, 2, 0, 0, one(key_w), {}, {}});
  t.facts.add({8, EventKey::process(0), StepKind::kPartition, 0, 0, 0, one(cut), {}, {}});
  t.facts.add({9, EventKey::process(0), StepKind::kReceive, 0, 5, 5, one(mailbox), {}, {}});
  t.facts.add({10, EventKey::process(0), StepKind::kEtsLookup, 0, 0, 0, one(key_r), {}, {}});
  t.facts.add({11, EventKey::process(2), StepKind::kSend, 2, 0, 0, {}, {}, {}});
  t.facts.add({12, EventKey::process(0), StepKind::kExit, 0, 0, 0, {}, {}, {}});
  t.failure = {FailureKind::kAssertion, 12, 0, "boom", "", ""};
  return t;
}

TEST(View, LanesAreGroupedByNodeWithMainFirst) {
  const ViewModel m = build_view(sample(), {});
  ASSERT_EQ(m.lanes.size(), 3u);
  EXPECT_EQ(m.lanes[0].label, "P0@main(root)");
  EXPECT_EQ(m.lanes[1].label, "P2@main");  // a process the table does not list still gets a lane
  EXPECT_EQ(m.lanes[2].label, "P1@a(server)");
  EXPECT_EQ(m.lanes[2].node, "a");
}

TEST(View, ArrowsFollowWhatMadeEachStepHappen) {
  const ViewModel m = build_view(sample(), {});
  std::map<std::pair<uint32_t, uint32_t>, ArrowKind> arrows;
  for (const ViewArrow& a : m.arrows) arrows[{a.from, a.to}] = a.kind;
  EXPECT_EQ(arrows.size(), 4u);
  EXPECT_EQ(arrows.at({1, 3}), ArrowKind::kSpawn);
  EXPECT_EQ(arrows.at({2, 6}), ArrowKind::kSpawn);
  EXPECT_EQ(arrows.at({4, 5}), ArrowKind::kDelivery);
  EXPECT_EQ(arrows.at({5, 9}), ArrowKind::kMessage);
  // The delivery is drawn at its receiver; the partition across all lanes.
  EXPECT_EQ(m.steps[4].lane, 0);
  EXPECT_EQ(m.steps[7].lane, 0);  // it was run by P0, so it sits on P0's lane too
  // P0's read of the key P2 wrote is shared-state order, not an arrow.
  ASSERT_EQ(m.state_edges.size(), 1u);
  EXPECT_EQ(m.state_edges[0].from, 7u);
  EXPECT_EQ(m.state_edges[0].to, 10u);
  // P2's last message was never taken.
  EXPECT_EQ(m.unreceived, std::vector<uint32_t>{11});
  EXPECT_TRUE(m.steps[11].failed);
}

TEST(View, TheSliceDimsOrDropsStepsThatDidNotLeadToTheFailure) {
  const ViewModel all = build_view(sample(), {});
  EXPECT_FALSE(all.steps[10].in_slice);  // P2's last send
  EXPECT_TRUE(all.steps[6].in_slice);    // P2's write, read by the root
  ViewOptions only;
  only.slice_only = true;
  const ViewModel sliced = build_view(sample(), only);
  EXPECT_EQ(sliced.steps.size(), all.steps.size() - 1);
  EXPECT_EQ(sliced.total_steps, 12u);
  for (const ViewStep& s : sliced.steps) EXPECT_NE(s.step, 11u);
  EXPECT_TRUE(sliced.unreceived.empty());
}

TEST(View, ThePageEmbedsItsDataSoNoTextCanEndTheScript) {
  ViewModel m;
  auto page = render_view_html(sample(), {}, &m);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->find("alert(1)</script>"), std::string::npos);
  EXPECT_NE(page->find("\\u003c/script>\\u003cscript>alert(1)"), std::string::npos);
  EXPECT_EQ(page->find("/*LOCKSTEP_DATA*/"), std::string::npos);
  EXPECT_EQ(page->find("http://"), page->find("http://www.w3.org/2000/svg"));  // no other address
  EXPECT_EQ(page->find("<script src"), std::string::npos);
  EXPECT_EQ(page->find("<link"), std::string::npos);
  // The data parses as JSON and carries what the script draws.
  const size_t open = page->find("type=\"application/json\">") + 24;
  const size_t close = page->find("</script>", open);
  auto data = parse_json(std::string_view(*page).substr(open, close - open));
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(data->get("lanes")->items.size(), 3u);
  EXPECT_EQ(data->get("steps")->items.size(), 12u);
  EXPECT_EQ(data->get("arrows")->items.size(), m.arrows.size());
  EXPECT_EQ(data->get("failure")->str("kind"), "assertion");
}

TEST(View, ATraceTooLongToDrawIsRefusedWithAWayOut) {
  ViewOptions small;
  small.max_steps = 5;
  auto page = render_view_html(sample(), small);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("12 steps to draw"), std::string::npos);
  EXPECT_NE(page.status().message().find("--slice"), std::string::npos);
}

// ShiViz checks that a host's own clock entry counts its events 1, 2, 3...
// and that clocks never run ahead of what happened.
TEST(View, ShivizClocksCountEachHostsEventsAndFollowMessages) {
  const std::string log = render_shiviz(sample());
  std::istringstream in(log);
  std::string regex, delimiter;
  std::getline(in, regex);
  std::getline(in, delimiter);
  EXPECT_EQ(regex, "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})");
  EXPECT_EQ(delimiter, "");
  std::map<std::string, uint64_t> seen;  // host -> events so far
  std::map<uint32_t, JsonValue> clock_of;
  std::string event, host_line;
  uint32_t step = 0;
  while (std::getline(in, event) && std::getline(in, host_line)) {
    ++step;
    EXPECT_EQ(event.rfind("step " + std::to_string(step) + " ", 0), 0u) << event;
    const size_t space = host_line.find(' ');
    const std::string host = host_line.substr(0, space);
    auto clock = parse_json(host_line.substr(space + 1));
    ASSERT_TRUE(clock.ok()) << host_line;
    EXPECT_EQ(clock->u64(host), ++seen[host]) << host_line;
    for (const auto& [other, value] : clock->members) {
      if (other != host) EXPECT_LE(std::stoull(value.text), seen[other]) << host_line;
    }
    clock_of[step] = *clock;
  }
  EXPECT_EQ(step, 12u);
  // The receive (step 9, on P0) has seen the send (step 4, P1's second event).
  EXPECT_EQ(clock_of[9].u64("P1@a(server)"), 2u);
  // The unrelated start of P2 (step 6) has not.
  EXPECT_EQ(clock_of[6].u64("P1@a(server)"), 0u);
  EXPECT_NE(log.find("<-- FAILED HERE"), std::string::npos);
}

}  // namespace
}  // namespace lockstep

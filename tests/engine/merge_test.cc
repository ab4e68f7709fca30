// Merging shard results, and the JSON reader it uses.
#include "engine/report/merge.h"

#include <gtest/gtest.h>

#include "engine/base/json.h"

namespace lockstep {
namespace {

TEST(JsonReader, ReadsWhatTheWriterWritesAndKeepsBigNumbersExact) {
  JsonWriter w;
  w.begin_object().key("s").value("a \"q\"\n\\\\ \x01").key("n").value(uint64_t{18446744073709551615ull});
  w.key("list").begin_array().value(true).null().value(-3).end_array().end_object();
  auto v = parse_json(w.str());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->str("s"), "a \"q\"\n\\\\ \x01");
  EXPECT_EQ(v->u64("n"), 18446744073709551615ull);
  ASSERT_EQ(v->get("list")->items.size(), 3u);
  EXPECT_TRUE(v->get("list")->items[0].boolean);
  EXPECT_EQ(v->get("list")->items[1].type, JsonValue::Type::kNull);
}

// Scenario text may hold any bytes; the JSON written is valid UTF-8 all the
// same: well-formed sequences pass as they are, other bytes become \u00XX.
TEST(JsonWriter, WritesValidUtf8WhateverTheBytes) {
  JsonWriter w;
  w.value(std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 caf\xe9 \xff \xc0\xaf \xed\xa0\x80 \xe2\x82"));
  EXPECT_EQ(w.str(),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 caf\\u00e9 \\u00ff \\u00c0\\u00af "
            "\\u00ed\\u00a0\\u0080 \\u00e2\\u0082\"");
  auto back = parse_json(w.str());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->text.substr(0, 15), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ");
}

TEST(JsonReader, BadDocumentsSayWhere) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"open"}) {
    auto v = parse_json(bad);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_NE(v.status().message().find("at byte"), std::string::npos) << v.status().message();
    }
  }
  std::string deep(1000, '[');
  EXPECT_FALSE(parse_json(deep).ok());
}

std::string shard(const std::string& tests, double wall) {
  return "{\"tests\":[" + tests + "],\"summary\":{\"wall_seconds\":" + std::to_string(wall) + "}}";
}

std::string test(const std::string& name, const std::string& status, uint64_t iterations, const std::string& bug = "") {
  return "{\"file\":\"s.lua\",\"name\":\"" + name + "\",\"status\":\"" + status +
         "\",\"strategy\":\"pct\",\"seed\":1,\"iterations_run\":" + std::to_string(iterations) +
         ",\"steps\":10,\"max_steps_hits\":1,\"wall_seconds\":0.5" + (bug.empty() ? "" : ",\"bug\":" + bug) + "}";
}

std::string bug(uint64_t iteration) {
  return "{\"kind\":\"assertion\",\"iteration\":" + std::to_string(iteration) +
         ",\"iteration_seed\":1,\"iteration_seed_str\":\"18446744073709551615\",\"step\":3,\"process\":\"P0\","
         "\"message\":\"boom\",\"trace\":\"traces/x.lockstep\"}";
}

TEST(Merge, SumsCountsAndKeepsTheLowestIterationsBug) {
  auto r = merge_results({
      {"a.json", shard(test("t", "bug", 3, bug(9)) + "," + test("u", "passed", 5), 1.0)},
      {"b.json", shard(test("t", "bug", 2, bug(6)) + "," + test("u", "passed", 5), 2.0)},
      {"c.json", shard(test("t", "passed", 4) + "," + test("u", "passed", 5) +
                           ",{\"file\":\"bad.lua\",\"name\":null,\"status\":\"error\",\"error\":\"syntax\"}",
                       1.5)},
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->tests.size(), 2u);
  const TestReport& t = r->tests[0];
  EXPECT_EQ(t.status, TestReport::Status::kBug);
  EXPECT_EQ(t.iterations_run, 9u);
  EXPECT_EQ(t.max_steps_hits, 3u);
  ASSERT_TRUE(t.bug);
  EXPECT_EQ(t.bug->iteration, 6u);
  EXPECT_EQ(t.bug->iteration_seed, 18446744073709551615ull);
  EXPECT_EQ(r->tests[1].status, TestReport::Status::kPassed);
  EXPECT_EQ(r->bugs, 1u);
  EXPECT_EQ(r->passed, 1u);
  EXPECT_EQ(r->iterations, 24u);
  EXPECT_EQ(r->load_failures.size(), 1u);
  EXPECT_DOUBLE_EQ(r->wall_seconds, 2.0);
}

TEST(Merge, ShardsThatDisagreeOrAreNotResultsAreErrors) {
  auto other_seed = merge_results({{"a.json", shard(test("t", "passed", 1), 1)},
                                   {"b.json", shard(R"({"file":"s.lua","name":"t","status":"passed","strategy":"pct","seed":2})", 1)}});
  ASSERT_FALSE(other_seed.ok());
  EXPECT_NE(other_seed.status().message().find("b.json: test \"t\" ran with strategy pct seed 2"), std::string::npos)
      << other_seed.status().message();
  auto junk = merge_results({{"x.json", "not json"}});
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("x.json: not a lockstep JSON result"), std::string::npos);
}

// The parts of a split search (dfs --shard K/N): counts add up, the merge
// is complete only when every part was and every part is there, and a part
// given twice or parts of different splits are errors.
std::string search_part(uint64_t k, uint64_t n, uint64_t schedules, uint64_t failing, bool complete) {
  return "{\"file\":\"s.lua\",\"name\":\"t\",\"status\":\"" + std::string(failing ? "bug" : "passed") +
         "\",\"strategy\":\"dfs\",\"seed\":1,\"iterations_run\":" + std::to_string(schedules) +
         ",\"steps\":10,\"max_steps_hits\":0,\"wall_seconds\":0.5,\"schedules_explored\":" + std::to_string(schedules) +
         ",\"abandoned\":3,\"complete\":" + (complete ? "true" : "false") +
         ",\"failing_schedules\":" + std::to_string(failing) + ",\"shard\":\"" + std::to_string(k) + "/" +
         std::to_string(n) + "\"" +
         (failing ? ",\"bug\":{\"kind\":\"assertion\",\"iteration\":4,\"step\":2,\"process\":\"P0\"}" : "") + "}";
}

TEST(Merge, JoinsThePartsOfASplitSearch) {
  auto all = merge_results({{"a", shard(search_part(0, 3, 10, 0, true), 1)},
                            {"b", shard(search_part(1, 3, 20, 2, true), 1)},
                            {"c", shard(search_part(2, 3, 5, 1, true), 1)}});
  ASSERT_TRUE(all.ok()) << all.status().message();
  const TestReport& t = all->tests.at(0);
  EXPECT_EQ(t.schedules_explored, 35u);
  EXPECT_EQ(t.failing_schedules, 3u);
  EXPECT_EQ(t.abandoned, 9u);
  EXPECT_TRUE(t.complete);
  EXPECT_EQ(t.shards_missing, 0u);
  EXPECT_EQ(t.shard_count, 1u) << "the merge is the whole search";
  ASSERT_TRUE(t.bug);
  EXPECT_EQ(t.bug->shard_index, 1u) << "the bug keeps the part that found it";
  EXPECT_EQ(t.bug->shard_count, 3u);

  auto missing = merge_results({{"a", shard(search_part(0, 3, 10, 0, true), 1)},
                                {"c", shard(search_part(2, 3, 5, 0, true), 1)}});
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->tests.at(0).complete);
  EXPECT_EQ(missing->tests.at(0).shards_missing, 1u);

  auto short_part = merge_results({{"a", shard(search_part(0, 2, 10, 0, true), 1)},
                                   {"b", shard(search_part(1, 2, 5, 0, false), 1)}});
  ASSERT_TRUE(short_part.ok());
  EXPECT_FALSE(short_part->tests.at(0).complete);

  auto twice = merge_results({{"a", shard(search_part(0, 2, 10, 0, true), 1)},
                              {"b", shard(search_part(0, 2, 10, 0, true), 1)}});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("shard 0/2 is given twice"), std::string::npos) << twice.status().message();

  auto mixed = merge_results({{"a", shard(search_part(0, 2, 10, 0, true), 1)},
                              {"b", shard(search_part(1, 3, 10, 0, true), 1)}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("split into 3 shards"), std::string::npos) << mixed.status().message();
}

// A field that is not what lockstep writes is one error naming the file,
// the test and the field: never an exception, a wrapped or a zeroed count.
TEST(Merge, AFieldLockstepNeverWritesIsAnErrorNamingIt) {
  auto doc = [](const std::string& test_fields, const std::string& bug = "") {
    return R"({"tests":[{"file":"f.lua","name":"t","status":")" + std::string(bug.empty() ? "passed" : "bug") +
           R"(","strategy":"pct","seed":1)" + test_fields + (bug.empty() ? "" : R"(,"bug":{)" + bug + "}") +
           R"(}],"summary":{"wall_seconds":1}})";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {doc(R"(,"iterations_run":-5)"), "field \"iterations_run\" must be a non-negative integer"},
      {doc(R"(,"iterations_run":18446744073709551616)"), "within 64 bits, not \"18446744073709551616\""},
      {doc(R"(,"steps":"many")"), "field \"steps\" must be a non-negative integer, not \"many\""},
      {doc("", R"("kind":"assertion","step":3,"process":"Pxyz","iteration":0)"),
       "bug: field \"process\" must be a process such as \"P3\", not \"Pxyz\""},
      {doc("", R"("kind":"assertion","step":3,"process":"P1","iteration":0,"iteration_seed_str":"abc")"),
       "field \"iteration_seed_str\" must be a non-negative integer within 64 bits, not \"abc\""},
  };
  for (const auto& [text, wanted] : cases) {
    auto r = merge_results({{"part.json", text}});
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find("part.json: test \"t\""), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(wanted), std::string::npos) << r.status().message();
  }
  const std::string big = doc(R"(,"iterations_run":18446744073709551615)");
  auto sum = merge_results({{"a.json", big}, {"b.json", big}});
  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.status().message().find("add up past 64 bits"), std::string::npos) << sum.status().message();
  auto fine = merge_results({{"a.json", doc(R"(,"iterations_run":7)")}});
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->iterations, 7u);
}

}  // namespace
}  // namespace lockstep

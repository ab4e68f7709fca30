// The linearizability checker: verdicts on recorded histories, agreement with
// brute force on random small histories, and readable explanations.
#include "engine/checker/checker.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/checker/history_io.h"
#include "engine/base/prng.h"
#include "tests/engine/checker/search_only.h"

namespace lockstep::checker {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(LOCKSTEP_SOURCE_DIR) + "/../shared/data/histories";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Operation op(int64_t client, int64_t call, int64_t ret, std::string f, Value in, Value out, bool known = true) {
  Operation o;
  o.client = client;
  o.call = call;
  o.ret = known ? ret : kNever;
  o.f = std::move(f);
  o.input = std::move(in);
  o.output = std::move(out);
  o.known = known;
  return o;
}

TEST(Checker, RecordedHistoriesGetPorcupinesVerdicts) {
  if (!fs::exists(kData + "/verdicts.tsv")) GTEST_SKIP() << "shared/data/histories not found at " << kData;
  std::istringstream verdicts(slurp(kData + "/verdicts.tsv"));
  std::string line;
  int checked = 0;
  while (std::getline(verdicts, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string file = line.substr(0, line.find('\t'));
    const std::string verdict = line.substr(line.find('\t') + 1);
    auto ops = parse_history(slurp(kData + "/" + file), file);
    ASSERT_TRUE(ops.ok()) << ops.status().message();
    auto model = make_model(file.rfind("kv/", 0) == 0 ? "kv" : "register");
    const CheckResult r = linearizable(*ops, *model);
    EXPECT_EQ(r.ok ? "linearizable" : "not-linearizable", verdict) << file;
    ++checked;
  }
  EXPECT_EQ(checked, 64);
}

TEST(Checker, AStaleReadIsNotLinearizableAndTheReportSaysWhy) {
  // write 1 completes, then a read that starts later returns nil.
  std::vector<Operation> h = {
      op(0, 0, 1, "write", Value::integer(1), Value::nil()),
      op(1, 2, 3, "read", Value::nil(), Value::nil()),
  };
  // The search's report (the register procedure's own: scale_test.cc).
  SearchOnly model(make_register_model());
  const CheckResult r = linearizable(h, model);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.longest_prefix.size(), 1u);
  ASSERT_EQ(r.stuck.size(), 1u);
  EXPECT_EQ(r.stuck[0].f, "read");
  EXPECT_NE(r.explanation.find("client 1: read -> nil"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("leaving the state 1"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("client 0: write 1"), std::string::npos) << r.explanation;  // the prefix
}

TEST(Checker, ConcurrentOperationsMayTakeEitherOrder) {
  std::vector<Operation> h = {
      op(0, 0, 3, "write", Value::integer(1), Value::nil()),
      op(1, 1, 2, "read", Value::nil(), Value::nil()),  // overlaps the write: nil is fine
  };
  auto model = make_register_model();
  EXPECT_TRUE(linearizable(h, *model).ok);
}

TEST(Checker, UnknownOutcomesMayOrMayNotHaveHappened) {
  auto model = make_register_model();
  // The info write may have happened ...
  std::vector<Operation> happened = {
      op(0, 0, 0, "write", Value::integer(5), Value::nil(), false),
      op(1, 2, 3, "read", Value::nil(), Value::integer(5)),
  };
  EXPECT_TRUE(linearizable(happened, *model).ok);
  // ... or not.
  std::vector<Operation> did_not = {
      op(0, 0, 0, "write", Value::integer(5), Value::nil(), false),
      op(1, 2, 3, "read", Value::nil(), Value::nil()),
  };
  EXPECT_TRUE(linearizable(did_not, *model).ok);
}

TEST(Checker, SequentialConsistencyIgnoresRealTimeAcrossClients) {
  std::vector<Operation> h = {
      op(0, 0, 1, "write", Value::integer(1), Value::nil()),
      op(1, 2, 3, "read", Value::nil(), Value::nil()),  // stale in real time
  };
  auto model = make_register_model();
  EXPECT_FALSE(check(h, *model, Consistency::kLinearizable).ok);
  EXPECT_TRUE(check(h, *model, Consistency::kSequential).ok);
  // But a client's own order still counts.
  std::vector<Operation> own = {
      op(0, 0, 1, "write", Value::integer(1), Value::nil()),
      op(0, 2, 3, "read", Value::nil(), Value::nil()),
  };
  EXPECT_FALSE(check(own, *model, Consistency::kSequential).ok);
}

TEST(Checker, KvIsCheckedPerKey) {
  std::vector<Operation> h = {
      op(0, 0, 1, "put", Value::string("a"), Value::nil()),
      op(1, 2, 3, "get", Value::nil(), Value::string("")),
  };
  h[0].key = "x";
  h[1].key = "x";
  auto model = make_kv_model();
  const CheckResult r = linearizable(h, *model);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.partition, "x");
  h[1].key = "y";  // another key: independent
  EXPECT_TRUE(linearizable(h, *model).ok);
}

// Two adds of 2^63-1 are 2^64-2, not the -2 a wrapping int64 would give.
TEST(Checker, ACounterNeverWraps) {
  auto counter = make_counter_model();
  const int64_t max = INT64_MAX;
  std::vector<Operation> c = {op(0, 0, 1, "add", Value::integer(max), Value::nil()),
                              op(0, 2, 3, "add", Value::integer(max), Value::nil()),
                              op(1, 4, 5, "read", Value::nil(), Value::integer(-2))};
  EXPECT_FALSE(linearizable(c, *counter).ok);
  c[1].input = Value::integer(-max);  // back to 0
  c[2].output = Value::integer(0);
  EXPECT_TRUE(linearizable(c, *counter).ok);
}

TEST(Checker, OtherModels) {
  auto counter = make_counter_model();
  std::vector<Operation> c = {op(0, 0, 1, "add", Value::integer(2), Value::nil()),
                              op(1, 2, 3, "read", Value::nil(), Value::integer(2))};
  EXPECT_TRUE(linearizable(c, *counter).ok);
  c[1].output = Value::integer(3);
  EXPECT_FALSE(linearizable(c, *counter).ok);
  auto queue = make_queue_model();
  std::vector<Operation> q = {op(0, 0, 1, "enqueue", Value::integer(1), Value::nil()),
                              op(0, 2, 3, "enqueue", Value::integer(2), Value::nil()),
                              op(1, 4, 5, "dequeue", Value::nil(), Value::integer(2))};
  EXPECT_FALSE(linearizable(q, *queue).ok);
  q[2].output = Value::integer(1);
  EXPECT_TRUE(linearizable(q, *queue).ok);
  auto set = make_set_model();
  std::vector<Operation> s = {op(0, 0, 1, "add", Value::integer(7), Value::nil()),
                              op(1, 2, 3, "contains", Value::integer(7), Value::boolean(false))};
  EXPECT_FALSE(linearizable(s, *set).ok);
}

// Values from scenarios are atoms: compared by id, never equal to an
// integer with the same number, shown by their text in explanations.
TEST(Checker, ModelsHoldAtomsAsScenariosGiveThem) {
  const Value x = Value::atom(0, "\"x\""), y = Value::atom(1, "{1, 2}"), one = Value::atom(2, "1");
  auto reg = make_register_model(x);
  std::vector<Operation> r = {op(0, 0, 1, "cas", Value::atom_pair(0, 1, "[\"x\" {1, 2}]"), Value::boolean(true)),
                              op(1, 2, 3, "read", Value::nil(), y)};
  EXPECT_TRUE(linearizable(r, *reg).ok);
  r[1].output = x;  // the cas took effect before the read began
  CheckResult stale = linearizable(r, *reg);
  EXPECT_FALSE(stale.ok);
  EXPECT_NE(stale.explanation.find("\"x\""), std::string::npos) << stale.explanation;
  std::vector<Operation> kinds = {op(0, 0, 1, "write", one, Value::nil()),
                                  op(1, 2, 3, "read", Value::nil(), Value::integer(2))};
  EXPECT_FALSE(linearizable(kinds, *make_register_model()).ok);  // atom 2 is not the integer 2
  kinds[1].output = one;
  EXPECT_TRUE(linearizable(kinds, *make_register_model()).ok);
  // Booleans are values too (a register of booleans read back).
  std::vector<Operation> b = {op(0, 0, 1, "write", Value::boolean(true), Value::nil()),
                              op(1, 2, 3, "read", Value::nil(), Value::boolean(true))};
  EXPECT_TRUE(linearizable(b, *make_register_model()).ok);

  // Atoms without their texts (a scenario's check reads a history without
  // them first) are still told apart by id, by zones and by search alike.
  const Value zero_ = Value::atom(0, ""), one_ = Value::atom(1, ""), two_ = Value::atom(2, "");
  std::vector<Operation> untexted = {op(0, 0, 1, "read", Value::nil(), one_)};
  CheckResult never_written = linearizable(untexted, *make_register_model(zero_));
  EXPECT_FALSE(never_written.ok);
  EXPECT_EQ(never_written.by_zones, 1u);
  untexted = {op(0, 0, 1, "write", one_, Value::nil()), op(1, 2, 3, "write", two_, Value::nil()),
              op(1, 4, 5, "read", Value::nil(), one_)};
  EXPECT_FALSE(linearizable(untexted, *make_register_model(zero_)).ok);  // 2 was written after 1
  untexted[2].output = two_;
  EXPECT_TRUE(linearizable(untexted, *make_register_model(zero_)).ok);

  auto queue = make_queue_model();
  std::vector<Operation> q = {op(0, 0, 1, "enqueue", x, Value::nil()), op(0, 2, 3, "enqueue", y, Value::nil()),
                              op(1, 4, 5, "dequeue", Value::nil(), y)};
  CheckResult out_of_order = linearizable(q, *queue);
  EXPECT_FALSE(out_of_order.ok);
  EXPECT_NE(out_of_order.explanation.find("[\"x\" {1, 2}]"), std::string::npos) << out_of_order.explanation;
  auto set = make_set_model();
  std::vector<Operation> s = {op(0, 0, 1, "add", y, Value::nil()),
                              op(1, 2, 3, "contains", y, Value::boolean(true))};
  EXPECT_TRUE(linearizable(s, *set).ok);

  auto kv = make_kv_model();
  std::vector<Operation> k = {op(0, 0, 1, "put", y, Value::nil()), op(1, 2, 3, "get", Value::nil(), x)};
  k[0].key = k[1].key = "k";
  CheckResult wrong = linearizable(k, *kv);
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.explanation.find("returned \"x\", which no operation wrote"), std::string::npos)
      << wrong.explanation;
  k[1].output = y;
  EXPECT_TRUE(linearizable(k, *kv).ok);
  // x put twice: the search decides, and says the state by its text.
  k = {op(0, 0, 1, "put", x, Value::nil()), op(0, 2, 3, "put", y, Value::nil()), op(0, 4, 5, "put", x, Value::nil()),
       op(1, 6, 7, "get", Value::nil(), y)};
  for (auto& o : k) o.key = "k";
  CheckResult stale_get = linearizable(k, *kv);
  EXPECT_FALSE(stale_get.ok);
  EXPECT_NE(stale_get.explanation.find("leaving the state \"x\""), std::string::npos) << stale_get.explanation;
}

// Random register histories: run a random sequential execution, give each
// operation an interval around its linearization point, then sometimes
// corrupt a read or hide an outcome.
std::vector<Operation> random_history(Prng& prng) {
  const int n = 2 + static_cast<int>(prng.below(5));
  std::vector<Operation> h;
  int64_t state = -1;  // -1: nil
  for (int i = 0; i < n; ++i) {
    const int64_t point = 10 * i + 5;
    const int64_t call = point - static_cast<int64_t>(prng.below(12));
    const int64_t ret = point + static_cast<int64_t>(prng.below(12));
    const int64_t v = static_cast<int64_t>(prng.below(3));
    Operation o;
    o.client = i;
    o.call = call;
    o.ret = ret;
    switch (prng.below(3)) {
      case 0:
        o.f = "read";
        o.output = state < 0 ? Value::nil() : Value::integer(state);
        break;
      case 1:
        o.f = "write";
        o.input = Value::integer(v);
        state = v;
        break;
      default: {
        o.f = "cas";
        const int64_t to = static_cast<int64_t>(prng.below(3));
        o.input = Value::pair(v, to);
        const bool swapped = state == v;
        if (swapped) state = to;
        o.output = Value::boolean(swapped);
      }
    }
    if (prng.below(4) == 0) o.output = o.f == "cas" ? Value::boolean(prng.coin()) : Value::integer(prng.below(3));
    if (o.f == "write") o.output = Value::nil();
    if (prng.below(6) == 0) {
      o.known = false;
      o.ret = kNever;
    }
    o.id = i;
    h.push_back(o);
  }
  return h;
}

TEST(Checker, AgreesWithBruteForceOnRandomHistories) {
  Prng prng(2024);
  int valid = 0, invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    auto h = random_history(prng);
    auto model = make_register_model();
    const bool fast = linearizable(h, *model).ok;
    const bool slow = brute_force_linearizable(h, *model);
    ASSERT_EQ(fast, slow) << "round " << round;
    (fast ? valid : invalid)++;
  }
  EXPECT_GT(valid, 300);  // both verdicts are well represented
  EXPECT_GT(invalid, 300);
}

TEST(HistoryIo, BadLinesNameTheFileAndLine) {
  auto r = parse_history("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t[oops\n", "h.log");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("h.log:2:"), std::string::npos) << r.status().message();
  auto foreign = parse_history("hello world\n", "x.txt");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("x.txt:1:"), std::string::npos);
  auto orphan = parse_history("{\"type\":\"ok\",\"process\":1,\"f\":\"read\",\"value\":1}\n", "j.jsonl");
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.status().message().find("j.jsonl:1: process 1 completes an operation it never invoked"),
            std::string::npos)
      << orphan.status().message();
  auto twice = parse_history("# a comment\nINFO  jepsen.util - 4\t:invoke\t:read\tnil\n\n"
                             "INFO  jepsen.util - 4\t:invoke\t:write\t2\n",
                             "t.log");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("t.log:4: process 4 invokes again"), std::string::npos)
      << twice.status().message();
  // An empty file is an empty history, not an error (Porcupine's etcd_095.log).
  auto empty = parse_history("", "empty.log");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// A process whose operation ended with info may invoke again; written back,
// the info stays between the two (the fuzz target found it dropped).
TEST(HistoryIo, JsonLinesKeepAnInfoCompletion) {
  const std::string text =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
      "{\"type\":\"info\",\"process\":0,\"f\":\"write\",\"value\":null}\n"
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":null}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"read\",\"value\":1}\n";
  auto ops = parse_history(text, "h.jsonl");
  ASSERT_TRUE(ops.ok()) << ops.status().message();
  ASSERT_EQ(ops->size(), 2u);
  const std::string written = to_json_lines(*ops);
  EXPECT_NE(written.find("\"info\""), std::string::npos) << written;
  auto back = parse_history(written, "again.jsonl");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_FALSE((*back)[0].known);
  EXPECT_EQ((*back)[1].output, Value::integer(1));
}

TEST(HistoryIo, JsonLinesRoundTrip) {
  std::vector<Operation> h = {
      op(0, 0, 2, "write", Value::integer(3), Value::nil()),
      op(1, 1, 3, "cas", Value::pair(3, 4), Value::boolean(true)),
      op(2, 4, 0, "read", Value::nil(), Value::nil(), false),
  };
  auto back = parse_history(to_json_lines(h), "h.jsonl");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[1].input, Value::pair(3, 4));
  EXPECT_EQ((*back)[1].output, Value::boolean(true));
  EXPECT_FALSE((*back)[2].known);
}

}  // namespace
}  // namespace lockstep::checker

namespace lockstep::checker {
namespace {

TEST(FileCheck, ParsesChecksAndDescribesAHistory) {
  const std::string stale =
      "{\"type\":\"invoke\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
      "{\"type\":\"ok\",\"process\":0,\"f\":\"write\",\"value\":1}\n"
      "{\"type\":\"invoke\",\"process\":1,\"f\":\"read\",\"value\":null}\n"
      "{\"type\":\"ok\",\"process\":1,\"f\":\"read\",\"value\":0}\n";
  FileCheck check;
  check.file = "h.jsonl";
  check.initial = Value::integer(0);
  auto r = check_history(stale, check);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->verdict, "not linearizable");
  EXPECT_EQ(r->operations, 2u);
  EXPECT_EQ(file_check_text(check, *r).rfind("h.jsonl: NOT linearizable (2 operations, model register)\n", 0), 0u);
  const std::string json = file_check_json(check, *r);
  EXPECT_NE(json.find("\"verdict\":\"not linearizable\",\"valid\":false"), std::string::npos) << json;
  check.sequential = true;
  auto seq = check_history(stale, check);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(seq->verdict, "sequential");  // the read may come first in a sequential order
  check.model = "counter";
  auto unknown = check_history(stale, check);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message().rfind("h.jsonl: ", 0), 0u) << unknown.status().message();
}

}  // namespace
}  // namespace lockstep::checker

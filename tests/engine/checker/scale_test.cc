// The checker at scale: the register procedure for distinct writes against
// the general search and brute force, unknown-outcome reads, parts checked a
// slice at a time (the first bad part decides), and the time and memory
// bounds.
#include <gtest/gtest.h>

#include "engine/checker/checker.h"
#include "engine/checker/generate.h"
#include "engine/checker/history.h"
#include "engine/base/prng.h"
#include "tests/engine/checker/search_only.h"

namespace lockstep::checker {
namespace {

using Verdict = CheckResult::Verdict;

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

// Small register histories with distinct writes: a random sequential run
// stretched into intervals, then sometimes a read returns another written
// value (or one never written), and sometimes an outcome is lost.
std::vector<Operation> distinct_writes_history(Prng& prng) {
  const int n = 2 + static_cast<int>(prng.below(6));
  std::vector<Operation> h;
  int64_t state = 0, next = 1;  // 0: nil
  for (int i = 0; i < n; ++i) {
    const int64_t point = 10 * i + 5;
    const int64_t call = point - static_cast<int64_t>(prng.below(14));
    const int64_t ret = point + static_cast<int64_t>(prng.below(14));
    Operation o;
    o.client = i;
    o.call = call;
    o.ret = ret;
    if (prng.coin()) {
      o.f = "read";
      int64_t seen = state;
      if (prng.below(4) == 0) seen = static_cast<int64_t>(prng.below(static_cast<uint64_t>(next + 1)));
      o.output = seen == 0 ? Value::nil() : Value::integer(seen);
    } else {
      o.f = "write";
      state = next++;
      o.input = Value::integer(state);
    }
    if (prng.below(6) == 0) {
      o.known = false;
      o.ret = kNever;
      o.output = Value::nil();
    }
    o.id = i;
    h.push_back(o);
  }
  // Distinct call and return times, as in a recorded history.
  for (size_t i = 0; i < h.size(); ++i) {
    h[i].call = h[i].call * 64 + static_cast<int64_t>(i);
    if (h[i].ret != kNever) h[i].ret = h[i].ret * 64 + 32 + static_cast<int64_t>(i);
  }
  return h;
}

TEST(RegisterZones, AgreeWithTheSearchAndBruteForce) {
  Prng prng(77);
  int valid = 0, invalid = 0;
  for (int round = 0; round < 5000; ++round) {
    const auto h = distinct_writes_history(prng);
    auto model = make_register_model();
    const CheckResult zones = linearizable(h, *model);
    ASSERT_EQ(zones.by_zones, 1u) << "round " << round;
    SearchOnly search_model(make_register_model());
    const CheckResult search = linearizable(h, search_model);
    ASSERT_EQ(search.by_zones, 0u);
    auto reference = make_register_model();
    const bool brute = brute_force_linearizable(h, *reference);
    ASSERT_EQ(zones.ok, brute) << "round " << round << ": " << zones.explanation;
    ASSERT_EQ(search.ok, brute) << "round " << round;
    (brute ? valid : invalid)++;
  }
  EXPECT_GT(valid, 1000);  // both verdicts are well represented
  EXPECT_GT(invalid, 500);
}

TEST(RegisterZones, ExplainTheTwoBlocksThatCannotBeOrdered) {
  // write 1, then write 2, then a read of 1: the stale read.
  const std::vector<Operation> h = {
      op(1, 0, 1, "write", Value::integer(1), Value::nil()),
      op(1, 2, 3, "write", Value::integer(2), Value::nil()),
      op(2, 4, 5, "read", Value::nil(), Value::integer(1)),
  };
  auto model = make_register_model();
  const CheckResult r = linearizable(h, *model);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.by_zones, 1u);
  EXPECT_NE(r.explanation.find("the operations on value 1 (its write and its reads) must take effect before those "
                               "on value 2"),
            std::string::npos)
      << r.explanation;
  EXPECT_NE(r.explanation.find("client 1: write 2 -> nil\ncompleted before\n  client 2: read -> 1"), std::string::npos)
      << r.explanation;

  const std::vector<Operation> unwritten = {op(2, 0, 1, "read", Value::nil(), Value::integer(7))};
  const CheckResult u = linearizable(unwritten, *make_register_model());
  EXPECT_NE(u.explanation.find("returned 7, which no operation wrote"), std::string::npos) << u.explanation;
}

TEST(RegisterZones, StepAsideWhenWritesRepeatAValueOrCasIsUsed) {
  const std::vector<Operation> repeated = {
      op(1, 0, 1, "write", Value::integer(1), Value::nil()),
      op(1, 2, 3, "write", Value::integer(1), Value::nil()),
      op(2, 4, 5, "read", Value::nil(), Value::integer(1)),
  };
  const CheckResult r = linearizable(repeated, *make_register_model());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.by_zones, 0u);
  const std::vector<Operation> cas = {
      op(1, 0, 1, "write", Value::integer(1), Value::nil()),
      op(2, 2, 3, "cas", Value::pair(1, 2), Value::boolean(true)),
  };
  EXPECT_EQ(linearizable(cas, *make_register_model()).by_zones, 0u);
}

TEST(RegisterZones, DecideAHundredThousandOperations) {
  for (bool violation : {false, true}) {
    GenerateOptions o;
    o.clients = 50;
    o.operations = 100000;
    o.unknown = 0.01;
    o.violation = violation;
    auto ops = pair_history(generate_history(o));
    ASSERT_TRUE(ops.ok());
    const CheckResult r = linearizable(*ops, *make_register_model());
    EXPECT_EQ(r.by_zones, 1u);
    EXPECT_EQ(r.verdict, violation ? Verdict::kViolation : Verdict::kConsistent) << r.explanation;
  }
}

TEST(Checker, UnknownOutcomeReadsAreLeftOut) {
  // A timed-out read may return anything: it constrains nothing. A cas whose
  // outcome is unknown may have swapped, so it stays.
  std::vector<Operation> h = {op(1, 0, 1, "write", Value::integer(1), Value::nil())};
  for (int i = 0; i < 6; ++i) h.push_back(op(2 + i, 2 + i, 0, "read", Value::nil(), Value::nil(), false));
  h.push_back(op(9, 10, 0, "cas", Value::pair(1, 2), Value::nil(), false));
  h.push_back(op(10, 11, 12, "read", Value::nil(), Value::integer(2)));
  const CheckResult r = linearizable(h, *make_register_model());
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_EQ(r.dropped, 6u);
  EXPECT_EQ(r.by_zones, 0u);  // the cas needs the search
}

// A kv history whose key "a" is a search no machine finishes (twenty-four
// concurrent appends and a read no order explains) and whose key "b" holds
// a stale read.
std::vector<Operation> one_hopeless_key_and_one_bad_key() {
  std::vector<Operation> h;
  for (int i = 0; i < 24; ++i) {
    Operation o = op(i, i, 1000, "append", Value::string(std::string(1, static_cast<char>('a' + i))), Value::nil());
    o.key = "a";
    h.push_back(o);
  }
  Operation impossible = op(99, 50, 1001, "get", Value::nil(), Value::string("zz"));
  impossible.key = "a";
  h.push_back(impossible);
  int64_t t = 2000;
  for (const auto& [f, in, out] : {std::tuple{"put", "1", ""}, std::tuple{"put", "2", ""}, std::tuple{"get", "", "1"}}) {
    Operation o = op(200, t, t + 1, f, Value::string(in), std::string(f) == "get" ? Value::string(out) : Value::nil());
    o.key = "b";
    h.push_back(o);
    t += 2;
  }
  return h;
}

TEST(Checker, TheFirstPartThatFailsDecidesAtOnce) {
  auto model = make_kv_model();
  const CheckResult r = linearizable(one_hopeless_key_and_one_bad_key(), *model);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.partition, "b");
  EXPECT_EQ(r.parts, 2u);
  EXPECT_EQ(r.explanation.rfind("key \"b\": not linearizable", 0), 0u) << r.explanation;
}

TEST(Checker, TimeAndMemoryBoundsEndWithUnknown) {
  std::vector<Operation> hopeless = one_hopeless_key_and_one_bad_key();
  hopeless.resize(25);  // key "a" alone
  CheckLimits time;
  time.seconds = 0.2;
  auto model = make_kv_model();
  const CheckResult timed = check(hopeless, *model, Consistency::kLinearizable, time);
  EXPECT_EQ(timed.verdict, Verdict::kUnknown);
  EXPECT_EQ(timed.unknown, "timeout");
  EXPECT_FALSE(timed.ok);

  CheckLimits memory;
  memory.memory_bytes = 4 << 20;
  const CheckResult full = check(hopeless, *model, Consistency::kLinearizable, memory);
  EXPECT_EQ(full.verdict, Verdict::kUnknown);
  EXPECT_EQ(full.unknown, "memory");
  EXPECT_GT(full.memory, 4u << 20);
}

// With --jobs the parts run on several threads, and the answer is one
// thread's: verdict, part named, explanation, steps counted, peak memory.
TEST(Checker, SeveralThreadsGiveOneThreadsAnswer) {
  int violations = 0, multi_slice = 0;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    GenerateOptions o;
    o.model = "kv";
    o.clients = 6 + static_cast<int>(seed % 5);
    o.operations = 600 + 150 * static_cast<int64_t>(seed % 7);
    o.keys = 2 + static_cast<int>(seed % 9);
    o.unknown = seed % 3 == 0 ? 0.05 : 0.0;
    o.violation = seed % 2 == 0;
    o.seed = seed;
    auto h = pair_history(generate_history(o));
    ASSERT_TRUE(h.ok());
    SearchOnly model(make_kv_model());
    const CheckResult one = check(*h, model, Consistency::kLinearizable);
    violations += one.verdict == Verdict::kViolation;
    multi_slice += one.explored > (4u << 12) * one.parts;
    for (unsigned jobs : {2u, 3u, 8u}) {
      CheckLimits limits;
      limits.jobs = jobs;
      const CheckResult many = check(*h, model, Consistency::kLinearizable, limits);
      SCOPED_TRACE("seed " + std::to_string(seed) + ", " + std::to_string(jobs) + " jobs");
      EXPECT_EQ(many.verdict, one.verdict);
      EXPECT_EQ(many.partition, one.partition);
      EXPECT_EQ(many.explanation, one.explanation);
      EXPECT_EQ(many.explored, one.explored);
      EXPECT_EQ(many.memory, one.memory);
      EXPECT_EQ(many.parts, one.parts);
      EXPECT_EQ(many.dropped, one.dropped);
      EXPECT_EQ(many.longest_prefix.size(), one.longest_prefix.size());
      EXPECT_EQ(many.stuck.size(), one.stuck.size());
      EXPECT_EQ(many.state, one.state);
    }
  }
  EXPECT_GE(violations, 10);   // both verdicts, and parts that take several slices
  EXPECT_GE(multi_slice, 1);
}

// A part no thread finishes does not hold up a bad part after it, nor keep
// the check running once that part has decided.
TEST(Checker, SeveralThreadsStopAtTheDecidingPart) {
  auto model = make_kv_model();
  CheckLimits limits;
  limits.jobs = 2;
  const CheckResult r = check(one_hopeless_key_and_one_bad_key(), *model, Consistency::kLinearizable, limits);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.partition, "b");
  std::vector<Operation> hopeless = one_hopeless_key_and_one_bad_key();
  hopeless.resize(25);
  limits.seconds = 0.2;
  const CheckResult timed = check(hopeless, *model, Consistency::kLinearizable, limits);
  EXPECT_EQ(timed.unknown, "timeout");
}

TEST(Checker, AnEmptyHistoryIsLinearizable) {
  const CheckResult r = linearizable({}, *make_register_model());
  EXPECT_EQ(r.verdict, Verdict::kConsistent);
  EXPECT_TRUE(r.ok);
}

TEST(Generate, SameSeedSameHistoryAndTheViolationIsReal) {
  GenerateOptions o;
  o.model = "kv";
  o.clients = 5;
  o.operations = 400;
  o.keys = 3;
  o.seed = 9;
  const auto a = write_json_lines(generate_history(o));
  EXPECT_EQ(a, write_json_lines(generate_history(o)));
  o.violation = true;
  auto bad = pair_history(generate_history(o));
  ASSERT_TRUE(bad.ok());
  SearchOnly search(make_kv_model());
  EXPECT_EQ(linearizable(*bad, search).verdict, Verdict::kViolation);
  o.violation = false;
  auto good = pair_history(generate_history(o));
  EXPECT_EQ(linearizable(*good, search).verdict, Verdict::kConsistent);
}

}  // namespace
}  // namespace lockstep::checker

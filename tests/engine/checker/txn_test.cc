// The transactional checker (engine/checker/txn.h) on hand-written
// histories: each anomaly found and named, and each consistency model
// judging it as Adya and Elle do. Many cases follow Elle's own test suite
// (test/elle/list_append_test.clj, rw_register_test.clj), written here in
// a compact notation: "ax1ry12" is one transaction that appends 1 to x
// and reads y = [1 2]; "ry" reads y empty.
#include "engine/checker/txn.h"

#include "engine/checker/txn_generate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace lockstep::checker::txn {
namespace {

// "ax1ry12" -> [[:append :x 1] [:r :y [1 2]]] (for rw-register: "wx1ry2"
// -> [[:w :x 1] [:r :y 2]]); with `invoke`, reads are nil.
std::string mops(const std::string& s, bool invoke = false) {
  std::string out = "[";
  for (size_t i = 0; i < s.size();) {
    const char f = s[i++];
    const char k = s[i++];
    std::string digits;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) digits += s[i++];
    out += out.size() > 1 ? " [" : "[";
    if (f == 'a') out += ":append :" + std::string(1, k) + " " + digits;
    if (f == 'w') out += ":w :" + std::string(1, k) + " " + digits;
    if (f == 'r') {
      out += ":r :" + std::string(1, k) + " ";
      if (invoke || digits.empty()) {
        out += "nil";
      } else if (f == 'r' && s.find('w') == std::string::npos && s.find('a') != std::string::npos) {
        out += "[";
        for (size_t d = 0; d < digits.size(); ++d) out += (d ? " " : "") + digits.substr(d, 1);
        out += "]";
      } else {
        out += digits;
      }
    }
    out += "]";
  }
  return out + "]";
}

// Reads of list-append need "[...]": a helper for histories with reads only.
std::string list_reads(const std::string& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.size();) {
    const char f = t[i++];
    const char k = t[i++];
    std::string digits;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) digits += t[i++];
    out += out.size() > 1 ? " [" : "[";
    if (f == 'a') {
      out += ":append :" + std::string(1, k) + " " + digits + "]";
    } else {
      out += ":r :" + std::string(1, k) + " [";
      for (size_t d = 0; d < digits.size(); ++d) out += (d ? " " : "") + digits.substr(d, 1);
      out += "]]";
    }
  }
  return out + "]";
}

// A list-append history: one ok transaction per line, each its own process.
std::string la(const std::vector<std::string>& txns) {
  std::string out;
  int p = 0;
  for (const std::string& t : txns) {
    out += "{:type :ok, :f :txn, :process " + std::to_string(p++) + ", :value " + list_reads(t) + "}\n";
  }
  return out;
}

Report run(const std::string& text, Model model, Consistency c) {
  auto h = parse_history(text, "h", model);
  EXPECT_TRUE(h.ok()) << h.status().message();
  if (!h.ok()) return {};
  return check(*h, model, c);
}

std::vector<std::string> types(const Report& r) {
  std::vector<std::string> out;
  for (const Anomaly& a : r.anomalies) out.push_back(a.type);
  std::sort(out.begin(), out.end());
  return out;
}

const Anomaly* find(const Report& r, const std::string& type) {
  for (const Anomaly& a : r.anomalies) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

using C = Consistency;

TEST(TxnListAppend, AWriteCycleIsG0AndNotReadCommitted) {
  // x: 1 then 2, y: 2 then 1; T0 and T1 each overwrote the other.
  const Report r = run(la({"ax1ay1", "ax2ay2", "rx12ry21"}), Model::kListAppend, C::kReadCommitted);
  EXPECT_EQ(types(r), std::vector<std::string>{"G0"});
  EXPECT_FALSE(r.valid);
  const Anomaly* g0 = find(r, "G0");
  ASSERT_NE(g0, nullptr);
  ASSERT_EQ(g0->cycle.size(), 2u);
  for (const Dependency& d : g0->cycle) EXPECT_EQ(d.kind, kWW);
  EXPECT_NE(g0->explanation.find("T0 appended 1 to :x and T1 appended 2 right after it"), std::string::npos)
      << g0->explanation;
  EXPECT_EQ(r.ruled_out, (std::vector<std::string>{"read-committed", "snapshot-isolation", "serializable",
                                                   "strict-serializable"}));
}

TEST(TxnListAppend, ReadingAFailedAppendIsG1a) {
  const std::string h = "{:type :fail, :process 0, :value [[:append :x 1]]}\n" + la({"rx1"});
  const Report r = run(h, Model::kListAppend, C::kReadCommitted);
  EXPECT_EQ(types(r), std::vector<std::string>{"G1a"});
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.anomalies[0].explanation.find("appended by T0, which failed"), std::string::npos);
}

TEST(TxnListAppend, ReadingAnIntermediateAppendIsG1bAndGSingle) {
  // T0 appends 1 then 2; T1 sees only the 1.
  const std::string h =
      "{:type :invoke, :process 0, :value [[:append :x 1] [:append :x 2]]}\n"
      "{:type :ok, :process 0, :value [[:append :x 1] [:append :x 2]]}\n"
      "{:type :invoke, :process 1, :value [[:r :x nil]]}\n"
      "{:type :ok, :process 1, :value [[:r :x [1]]]}\n";
  const Report r = run(h, Model::kListAppend, C::kStrictSerializable);
  EXPECT_EQ(types(r), (std::vector<std::string>{"G-single", "G1b"}));
  EXPECT_FALSE(run(h, Model::kListAppend, C::kReadCommitted).valid);  // G1b
}

TEST(TxnListAppend, CircularInformationFlowIsG1c) {
  // T1 appends to x after T0, but T0 saw T1's append to y.
  const Report r = run(la({"ax1ry1", "ax2ay1", "rx12ry1"}), Model::kListAppend, C::kReadCommitted);
  EXPECT_EQ(types(r), std::vector<std::string>{"G1c"});
  const Anomaly* a = find(r, "G1c");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->cycle.size(), 2u);
  EXPECT_TRUE((a->cycle[0].kind == kWR && a->cycle[1].kind == kWW) ||
              (a->cycle[0].kind == kWW && a->cycle[1].kind == kWR));
}

TEST(TxnListAppend, OneAntiDependencyIsGSingleAllowedByReadCommitted) {
  // T0 appends x=1, y=1; T1 appends x=2 after it, yet read y empty.
  const Report r = run(la({"ax1ay1", "ax2ry", "rx12"}), Model::kListAppend, C::kSnapshotIsolation);
  EXPECT_EQ(types(r), std::vector<std::string>{"G-single"});
  EXPECT_FALSE(r.valid);
  EXPECT_TRUE(run(la({"ax1ay1", "ax2ry", "rx12"}), Model::kListAppend, C::kReadCommitted).valid);
  EXPECT_NE(find(r, "G-single")->explanation.find("T1 read :y without 1, which T0 appended"), std::string::npos)
      << find(r, "G-single")->explanation;
}

TEST(TxnListAppend, TwoAntiDependenciesAreAWriteSkewAllowedBySnapshotIsolation) {
  // Each read the other's key empty, then appended to its own.
  const std::string h = la({"ax1ry", "ay1rx"});
  EXPECT_TRUE(run(h, Model::kListAppend, C::kReadCommitted).valid);
  EXPECT_TRUE(run(h, Model::kListAppend, C::kSnapshotIsolation).valid);
  const Report r = run(h, Model::kListAppend, C::kSerializable);
  EXPECT_EQ(types(r), std::vector<std::string>{"G2-item"});
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.ruled_out, (std::vector<std::string>{"serializable", "strict-serializable"}));
  EXPECT_NE(find(r, "G2-item")->explanation.find("a write skew"), std::string::npos);
}

// A read that misses an append completed before it began: serializable,
// not strictly so (real time); the same within one process (process order).
TEST(TxnListAppend, RealTimeAndProcessOrderGiveTheirVariants) {
  const std::string realtime =
      "{:process 0, :type :invoke, :value [[:append :x 1]]}\n"
      "{:process 0, :type :ok, :value [[:append :x 1]]}\n"
      "{:process 1, :type :invoke, :value [[:append :x 2]]}\n"
      "{:process 1, :type :ok, :value [[:append :x 2]]}\n"
      "{:process 2, :type :invoke, :value [[:r :x nil]]}\n"
      "{:process 2, :type :ok, :value [[:r :x [1]]]}\n"
      "{:process 3, :type :invoke, :value [[:r :x nil]]}\n"
      "{:process 3, :type :ok, :value [[:r :x [1 2]]]}\n";
  EXPECT_TRUE(run(realtime, Model::kListAppend, C::kSerializable).valid);
  const Report strict = run(realtime, Model::kListAppend, C::kStrictSerializable);
  EXPECT_EQ(types(strict), std::vector<std::string>{"G-single-realtime"});
  EXPECT_FALSE(strict.valid);
  const Anomaly* a = find(strict, "G-single-realtime");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->explanation.find("completed (line 4) before"), std::string::npos) << a->explanation;

  std::string process = realtime;
  process.replace(process.find("{:process 2, :type :invoke"), 12, "{:process 1,");
  process.replace(process.find("{:process 2, :type :ok"), 12, "{:process 1,");
  // Without invocations there is no real time, only each process's order.
  std::string completions;
  for (size_t at = 0, end; (end = process.find('\n', at)) != std::string::npos; at = end + 1) {
    const std::string line = process.substr(at, end - at);
    if (line.find(":invoke") == std::string::npos) completions += line + "\n";
  }
  const Report p = run(completions, Model::kListAppend, C::kStrictSerializable);
  EXPECT_EQ(types(p), std::vector<std::string>{"G-single-process"});
  EXPECT_TRUE(run(completions, Model::kListAppend, C::kSerializable).valid);
}

TEST(TxnListAppend, InfoReadsSayNothingButInfoAppendsMayHaveHappened) {
  // T0 (outcome unknown) appended 2 after T1's 1: T1 < T0. Its read of y
  // = nil is not known, so T0 < T1 does not follow.
  const std::string h =
      "{:type :info, :process 0, :value [[:append :x 2] [:r :y nil]]}\n"
      "{:type :ok, :process 1, :value [[:append :x 1] [:append :y 1]]}\n"
      "{:type :ok, :process 2, :value [[:r :x [1 2]] [:r :y [1]]]}\n";
  const Report r = run(h, Model::kListAppend, C::kSerializable);
  EXPECT_TRUE(r.valid) << report_text("h", *parse_history(h, "h", Model::kListAppend), r);
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(TxnListAppend, ATransactionThatDoesNotSeeItsOwnAppendsIsInternal) {
  // Read [1 2], append 3, read [1 2] again (a stale read of itself).
  const std::string h =
      "{:type :ok, :process 0, :value [[:r :x [1 2]] [:append :x 3] [:r :x [1 2]]]}\n"
      "{:type :ok, :process 1, :value [[:append :x 1] [:append :x 2]]}\n";
  const Report r = run(h, Model::kListAppend, C::kReadCommitted);
  EXPECT_EQ(types(r), std::vector<std::string>{"internal"});
  EXPECT_NE(r.anomalies[0].explanation.find("make it [1 2 3]"), std::string::npos) << r.anomalies[0].explanation;
  // An append then a read that does not end with it.
  const Report r2 =
      run("{:type :ok, :process 0, :value [[:append :x 3] [:r :x [1 2 3 4]]]}\n", Model::kListAppend, C::kReadCommitted);
  EXPECT_EQ(types(r2), std::vector<std::string>{"internal"});
}

TEST(TxnListAppend, ReadsThatNoOrderOfAppendsGivesAreIncompatible) {
  const Report r = run(la({"ax1", "ax2", "rx12", "rx21"}), Model::kListAppend, C::kReadCommitted);
  EXPECT_NE(find(r, "incompatible-order"), nullptr) << ::testing::PrintToString(types(r));
  EXPECT_FALSE(r.valid);
}

TEST(TxnListAppend, AnElementReadTwiceIsADuplicate) {
  const Report r = run(la({"ax1", "ax2", "rx121"}), Model::kListAppend, C::kReadCommitted);
  EXPECT_NE(find(r, "duplicate-elements"), nullptr) << ::testing::PrintToString(types(r));
}

TEST(TxnListAppend, AValueNoOneAppendedIsAGarbageRead) {
  const Report r = run(la({"ax1", "rx13"}), Model::kListAppend, C::kReadCommitted);
  EXPECT_NE(find(r, "garbage-read"), nullptr) << ::testing::PrintToString(types(r));
}

TEST(TxnListAppend, OneAppendNoOneReadStillFollowsAnEmptyRead) {
  // T0 read x empty; the only append to x (T1's) must come after it. With
  // T0 also seeing T1's append to y, the two form a cycle.
  const Report r = run(la({"rxry1", "ax1ay1"}), Model::kListAppend, C::kSnapshotIsolation);
  EXPECT_EQ(types(r), std::vector<std::string>{"G-single"});
}

TEST(TxnListAppend, ValidHistoriesAreValidUnderEveryModel) {
  const std::string h = la({"ax1", "rx1ay1", "rx1ry1", "ax2ry1", "rx12ry1"});
  for (C c : {C::kReadCommitted, C::kSnapshotIsolation, C::kSerializable, C::kStrictSerializable}) {
    const Report r = run(h, Model::kListAppend, c);
    EXPECT_TRUE(r.valid) << consistency_name(c);
    EXPECT_TRUE(r.anomalies.empty());
  }
}

// The example of Elle's paper (its histories/paper-example.edn): four
// transactions on keys 250-256 whose reads close a cycle of two
// anti-dependencies and a write-read one; with real time, also a read skew.
TEST(TxnListAppend, TheElleExampleIsAWriteSkewAndARealTimeReadSkew) {
  const std::string h =
      "{:index 0 :type :invoke :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] "
      "[:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}\n"
      "{:index 1 :type :ok :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] "
      "[:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}\n"
      "{:index 2 :type :invoke, :value [[:append 255 8] [:r 253 nil]]}\n"
      "{:index 3 :type :ok, :value [[:append 255 8] [:r 253 [1 3 4]]]}\n"
      "{:index 4 :type :invoke, :value [[:append 256 4] [:r 255 nil] [:r 256 nil] [:r 253 nil]]}\n"
      "{:index 5 :type :ok, :value [[:append 256 4] [:r 255 [2 3 4 5 8]] [:r 256 [1 2 4]] [:r 253 [1 3 4]]]}\n"
      "{:index 6 :type :invoke, :value [[:append 250 10] [:r 253 nil] [:r 255 nil] [:append 256 3]]}\n"
      "{:index 7 :type :ok :value [[:append 250 10] [:r 253 [1 3 4]] [:r 255 [2 3 4 5]] [:append 256 3]]}\n";
  const Report r = run(h, Model::kListAppend, C::kStrictSerializable);
  EXPECT_EQ(types(r), (std::vector<std::string>{"G-single-realtime", "G2-item"}));
  const Anomaly* g2 = find(r, "G2-item");
  ASSERT_NE(g2, nullptr);
  EXPECT_EQ(g2->cycle.size(), 3u);
  // T5 saw 256 as [1 2] before its own append of 4 (so not T7's 3).
  EXPECT_NE(g2->explanation.find("T5 read 256 without 3, which T7 appended"), std::string::npos) << g2->explanation;
  EXPECT_TRUE(run(h, Model::kListAppend, C::kSnapshotIsolation).valid);
}

TEST(TxnListAppend, EachValueMayBeAppendedOnceAndBadInputIsOneError) {
  auto dup = parse_history("{:type :ok, :value [[:append :x 1]]}\n{:type :ok, :value [[:append :x 1]]}\n", "h.edn",
                           Model::kListAppend);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("h.edn:2: appends 1 to :x, as line 1 did"), std::string::npos)
      << dup.status().message();
  const std::string deep(300, '[');  // outlives the loop (a temporary's c_str() would not)
  for (const char* bad : {"{:type :ok, :value [[:append :x 1]]", "{:type :maybe, :value []}",
                          "{:type :ok, :value [[:frob :x 1]]}", "{:type :ok, :value [[:r :x 3]]}",
                          "{:type :ok, :value [[:w :x 3]]}", deep.c_str()}) {
    auto h = parse_history(bad, "h.edn", Model::kListAppend);
    EXPECT_FALSE(h.ok()) << bad;
    if (!h.ok()) {
      EXPECT_EQ(h.status().message().find("h.edn:"), 0u) << h.status().message();
    }
  }
}

TEST(TxnListAppend, JsonLinesReadLikeEdn) {
  const std::string json =
      "{\"type\": \"ok\", \"process\": 0, \"value\": [[\"append\", \"x\", 1], [\"r\", \"y\", null]]}\n"
      "{\"type\": \"ok\", \"process\": 1, \"value\": [[\"append\", \"y\", 1], [\"r\", \"x\", null]]}\n"
      "{\"type\": \"ok\", \"process\": 2, \"value\": [[\"r\", \"x\", [1]], [\"r\", \"y\", [1]]]}\n";
  const Report r = run(json, Model::kListAppend, C::kSerializable);
  EXPECT_EQ(types(r), std::vector<std::string>{"G2-item"});
}

// --- rw-register ---

std::string rw(const std::vector<std::string>& txns) {
  std::string out;
  int p = 0;
  for (const std::string& t : txns) {
    out += "{:type :ok, :f :txn, :process " + std::to_string(p++) + ", :value " + mops(t) + "}\n";
  }
  return out;
}

TEST(TxnRwRegister, ReadingAFailedWriteIsG1aAndAnIntermediateOneG1b) {
  const Report a = run("{:type :fail, :process 0, :value [[:w :x 1]]}\n" + rw({"rx1"}), Model::kRwRegister,
                       C::kReadCommitted);
  EXPECT_EQ(types(a), std::vector<std::string>{"G1a"});
  const Report b = run(rw({"wx1wx2", "rx1"}), Model::kRwRegister, C::kReadCommitted);
  EXPECT_EQ(types(b), std::vector<std::string>{"G1b"});
}

TEST(TxnRwRegister, ALostUpdateIsFoundAndRuledOutBySnapshotIsolation) {
  // Both read x = nil and wrote over it: each read a version the other's write follows.
  const Report r = run(rw({"rxwx1", "rxwx2"}), Model::kRwRegister, C::kSnapshotIsolation);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(types(r), (std::vector<std::string>{"G2-item", "lost-update"}));
  EXPECT_NE(find(r, "lost-update")->explanation.find("T0 and T1 both read :x at the version before any write"),
            std::string::npos)
      << find(r, "lost-update")->explanation;
  EXPECT_TRUE(run(rw({"rxwx1", "rxwx2"}), Model::kRwRegister, C::kReadCommitted).valid);
  EXPECT_TRUE(run(rw({"rxwx1", "rx1wx2"}), Model::kRwRegister, C::kSerializable).valid);
}

TEST(TxnRwRegister, AWriteSkewIsG2Item) {
  const std::string h = rw({"rxrywx1", "rxrywy1"});
  EXPECT_TRUE(run(h, Model::kRwRegister, C::kSnapshotIsolation).valid);
  const Report r = run(h, Model::kRwRegister, C::kSerializable);
  EXPECT_EQ(types(r), std::vector<std::string>{"G2-item"});
}

TEST(TxnRwRegister, ReadingOwnWriteAndCircularFlow) {
  EXPECT_EQ(types(run(rw({"wx1rx2", "wx2"}), Model::kRwRegister, C::kReadCommitted)),
            std::vector<std::string>{"internal"});
  // T0 read y = 1 (T1's) and T1 read x = 1 (T0's): each saw the other's write.
  EXPECT_EQ(types(run(rw({"wx1ry1", "wy1rx1"}), Model::kRwRegister, C::kReadCommitted)),
            std::vector<std::string>{"G1c"});
}

TEST(TxnListAppend, TwoAppendsAfterReadingOneVersionLoseAnUpdate) {
  const Report r = run(la({"ax1", "rx1ax2", "rx1ax3", "rx123"}), Model::kListAppend, C::kSnapshotIsolation);
  EXPECT_NE(find(r, "lost-update"), nullptr) << ::testing::PrintToString(types(r));
  EXPECT_NE(find(r, "G-single"), nullptr) << ::testing::PrintToString(types(r));
  EXPECT_FALSE(r.valid);
}

// A store that takes each transaction atomically between its invocation
// and completion is strictly serializable: every history it gives is valid
// under every model, with lost outcomes (:info) and many clients.
TEST(TxnProperties, HistoriesOfASerializableStoreAreValid) {
  for (Model model : {Model::kListAppend, Model::kRwRegister}) {
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      GenerateOptions o;
      o.model = model;
      o.transactions = 300;
      o.clients = 1 + static_cast<int>(seed % 9);
      o.keys = 3 + static_cast<int>(seed % 5);
      o.unknown = seed % 3 == 0 ? 0.1 : 0.0;
      o.seed = seed;
      const std::string text = generate_history(o);
      auto h = parse_history(text, "gen", model);
      ASSERT_TRUE(h.ok()) << h.status().message();
      const Report r = check(*h, model, C::kStrictSerializable);
      EXPECT_TRUE(r.valid && r.anomalies.empty())
          << model_name(model) << " seed " << seed << "\n" << report_text("gen", *h, r);
    }
  }
}

// One anomaly added to such a history is always found and named, with at
// most the anomalies it implies beside it.
TEST(TxnProperties, AnInjectedAnomalyIsAlwaysFoundAndNamed) {
  struct Case {
    Model model;
    const char* inject;
    std::vector<std::string> found;  // exactly these types
  };
  const std::vector<Case> cases = {
      {Model::kListAppend, "G0", {"G0"}},
      {Model::kListAppend, "G1a", {"G1a"}},
      {Model::kListAppend, "G1b", {"G-single", "G1b"}},
      {Model::kListAppend, "G1c", {"G1c"}},
      {Model::kListAppend, "G-single", {"G-single"}},
      {Model::kListAppend, "G2-item", {"G2-item"}},
      {Model::kListAppend, "internal", {"internal"}},
      {Model::kListAppend, "lost-update", {"G-single", "lost-update"}},
      {Model::kListAppend, "incompatible-order", {"incompatible-order"}},
      {Model::kListAppend, "duplicate-elements", {"duplicate-elements"}},
      {Model::kRwRegister, "G1a", {"G1a"}},
      {Model::kRwRegister, "G1b", {"G1b"}},
      {Model::kRwRegister, "G1c", {"G1c"}},
      {Model::kRwRegister, "G2-item", {"G2-item"}},
      {Model::kRwRegister, "internal", {"internal"}},
      {Model::kRwRegister, "lost-update", {"G2-item", "lost-update"}},
  };
  for (const Case& c : cases) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      GenerateOptions o;
      o.model = c.model;
      o.transactions = 200;
      o.clients = 5;
      o.keys = 4;
      o.inject = c.inject;
      o.seed = seed;
      const std::string text = generate_history(o);
      auto h = parse_history(text, "gen", c.model);
      ASSERT_TRUE(h.ok()) << h.status().message();
      const Report r = check(*h, c.model, C::kStrictSerializable);
      EXPECT_EQ(types(r), c.found) << model_name(c.model) << " " << c.inject << " seed " << seed << "\n"
                                   << report_text("gen", *h, r);
      EXPECT_FALSE(r.valid);
      // And a model the anomaly does not rule out still accepts the history.
      if (std::string(c.inject) == "G2-item") {
        EXPECT_TRUE(check(*h, c.model, C::kSnapshotIsolation).valid);
      }
    }
  }
}

TEST(TxnModels, EachAnomalyIsRuledOutByTheModelsThatForbidIt) {
  EXPECT_TRUE(forbids(C::kReadCommitted, "G0"));
  EXPECT_TRUE(forbids(C::kReadCommitted, "G1c"));
  EXPECT_FALSE(forbids(C::kReadCommitted, "G-single"));
  EXPECT_TRUE(forbids(C::kSnapshotIsolation, "G-single"));
  EXPECT_FALSE(forbids(C::kSnapshotIsolation, "G2-item"));
  EXPECT_TRUE(forbids(C::kSerializable, "G2-item"));
  EXPECT_FALSE(forbids(C::kSerializable, "G2-item-realtime"));
  EXPECT_TRUE(forbids(C::kStrictSerializable, "G-single-process"));
  EXPECT_TRUE(forbids(C::kReadCommitted, "internal"));
}

}  // namespace
}  // namespace lockstep::checker::txn

// What a checker reads from the order of a history's events is real time:
// which completions come before which invocations, and each process's own
// order. The scheduler relies on it: it treats two invocations of one
// ls.history with no completion between them as commuting, and two
// completions likewise (vm/ops_shared.cc), so exhaustive search runs one
// order of each such run of events. These tests check the premise on every
// checker a scenario can call: permuting the events within each run of
// invocations (and each run of completions) never changes a verdict, while
// moving a completion past an invocation does change some.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/prng.h"
#include "engine/checker/checker.h"
#include "engine/checker/generate.h"
#include "engine/checker/history.h"
#include "engine/checker/txn.h"
#include "engine/checker/txn_generate.h"

namespace lockstep::checker {
namespace {

// Shuffles each maximal run of items of one kind (`invocation(i)`), the
// permutations the scheduler treats as one class.
template <typename T, typename IsInvocation>
void shuffle_runs(std::vector<T>& items, IsInvocation invocation, Prng& prng) {
  size_t start = 0;
  while (start < items.size()) {
    size_t end = start + 1;
    while (end < items.size() && invocation(items[end]) == invocation(items[start])) ++end;
    for (size_t i = end - 1; i > start; --i) std::swap(items[i], items[start + prng.below(i - start + 1)]);
    start = end;
  }
}

bool is_invocation(const HistoryEvent& e) { return e.type == HistoryEvent::Type::kInvoke; }

void renumber(std::vector<HistoryEvent>& events) {
  for (size_t i = 0; i < events.size(); ++i) events[i].position = static_cast<int64_t>(i);
}

CheckResult::Verdict verdict(const std::vector<HistoryEvent>& events, const std::string& model, Consistency c) {
  auto ops = pair_history(events);
  EXPECT_TRUE(ops.ok()) << ops.status().message();
  if (!ops.ok()) return CheckResult::Verdict::kUnknown;
  auto m = make_model(model);
  return check(*ops, *m, c).verdict;
}

std::vector<HistoryEvent> generated(const std::string& model, uint64_t seed, int64_t operations = 60) {
  GenerateOptions o;
  o.model = model;
  o.clients = 2 + static_cast<int>(seed % 5);
  o.operations = operations;
  o.keys = 3;
  o.unknown = seed % 3 == 0 ? 0.1 : 0.0;
  o.violation = seed % 2 == 0;
  o.seed = seed;
  return generate_history(o);
}

TEST(HistoryOrder, LinearizableAndSequentialVerdictsKeepOnlyRealTime) {
  Prng prng(38);
  int valid = 0, invalid = 0;
  for (const std::string model : {"register", "kv"}) {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      for (Consistency c : {Consistency::kLinearizable, Consistency::kSequential}) {
        // Sequential consistency drops real time, and its search grows
        // fast: shorter histories.
        const std::vector<HistoryEvent> events =
            generated(model, seed, c == Consistency::kLinearizable ? 60 : 16);
        const CheckResult::Verdict v = verdict(events, model, c);
        (v == CheckResult::Verdict::kConsistent ? valid : invalid)++;
        for (int round = 0; round < 5; ++round) {
          std::vector<HistoryEvent> permuted = events;
          shuffle_runs(permuted, is_invocation, prng);
          renumber(permuted);
          ASSERT_EQ(verdict(permuted, model, c), v) << model << " seed " << seed << " round " << round;
        }
      }
    }
  }
  EXPECT_GT(valid, 40);  // both verdicts are well represented
  EXPECT_GT(invalid, 20);
}

// The other side: the order of a completion and a later invocation is
// what real time is, and moving one past the other changes verdicts.
TEST(HistoryOrder, MovingACompletionPastAnInvocationChangesSomeVerdicts) {
  int changed = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<HistoryEvent> events = generated("register", seed);
    const CheckResult::Verdict v = verdict(events, "register", Consistency::kLinearizable);
    // Each invocation moved after the completions just after it (those of
    // other processes): they now precede it in real time.
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      if (!is_invocation(events[i])) continue;
      size_t j = i;
      while (j + 1 < events.size() && !is_invocation(events[j + 1]) && events[j + 1].process != events[i].process) ++j;
      if (j == i) continue;
      std::vector<HistoryEvent> moved = events;
      std::rotate(moved.begin() + static_cast<std::ptrdiff_t>(i), moved.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                  moved.begin() + static_cast<std::ptrdiff_t>(j) + 1);
      renumber(moved);
      if (verdict(moved, "register", Consistency::kLinearizable) != v) ++changed;
    }
  }
  EXPECT_GT(changed, 8);  // 16 of them
}

namespace t = txn;

// A transactional history as EDN lines (txn_generate.h), each line's kind
// read from its :type.
bool line_invokes(const std::string& line) { return line.find(":type :invoke") != std::string::npos; }

std::vector<std::string> anomaly_types(const t::Report& r) {
  std::vector<std::string> out;
  for (const t::Anomaly& a : r.anomalies) out.push_back(a.type);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(HistoryOrder, TransactionalVerdictsKeepOnlyRealTime) {
  Prng prng(41);
  // Anomalies each model's generator can inject (txn_generate.h).
  const char* list_append[] = {"", "G0", "G1c", "G-single", "G2-item", "lost-update"};
  const char* rw_register[] = {"", "G1a", "G1c", "G2-item", "internal", "lost-update"};
  int anomalous = 0;
  for (t::Model model : {t::Model::kListAppend, t::Model::kRwRegister}) {
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      t::GenerateOptions o;
      o.model = model;
      o.transactions = 80;
      o.clients = 2 + static_cast<int>(seed % 4);
      o.keys = 3;
      o.unknown = seed % 3 == 0 ? 0.1 : 0.0;
      o.inject = (model == t::Model::kListAppend ? list_append : rw_register)[seed % 6];
      o.seed = seed;
      std::vector<std::string> lines;
      std::istringstream in(t::generate_history(o));
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
      }
      auto text = [](const std::vector<std::string>& ls) {
        std::string s;
        for (const std::string& l : ls) s += l + "\n";
        return s;
      };
      auto h = t::parse_history(text(lines), "gen", model);
      ASSERT_TRUE(h.ok()) << h.status().message();
      for (t::Consistency c : {t::Consistency::kSerializable, t::Consistency::kStrictSerializable}) {
        const t::Report r = t::check(*h, model, c);
        if (!r.valid) ++anomalous;
        for (int round = 0; round < 3; ++round) {
          std::vector<std::string> permuted = lines;
          shuffle_runs(permuted, line_invokes, prng);
          auto p = t::parse_history(text(permuted), "gen", model);
          ASSERT_TRUE(p.ok()) << p.status().message();
          const t::Report q = t::check(*p, model, c);
          ASSERT_EQ(q.valid, r.valid) << t::model_name(model) << " seed " << seed;
          ASSERT_EQ(anomaly_types(q), anomaly_types(r)) << t::model_name(model) << " seed " << seed;
        }
      }
    }
  }
  EXPECT_GT(anomalous, 10);
}

}  // namespace
}  // namespace lockstep::checker

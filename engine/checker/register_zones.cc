#include "engine/checker/register_zones.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>

namespace lockstep::checker {
namespace {

constexpr int64_t kBeforeAll = std::numeric_limits<int64_t>::min();

struct Cluster {
  std::string value;
  int write = -1;               // index of its write; -1: the initial value
  int reads = 0;
  int64_t min_ret = kNever;     // earliest completion, and the op with it
  int min_ret_op = -1;
  int64_t max_call = kBeforeAll;  // latest invocation, and the op with it
  int max_call_op = -1;

  void add(const Operation& op, int i) {
    if (op.ret < min_ret) min_ret = op.ret, min_ret_op = i;
    if (op.call > max_call) max_call = op.call, max_call_op = i;
  }
  bool forward() const { return min_ret < max_call; }
  int64_t left() const { return forward() ? min_ret : max_call; }
  int64_t right() const { return forward() ? max_call : min_ret; }
};

CheckResult violation(std::string explanation, std::vector<Operation> stuck) {
  CheckResult r;
  r.ok = false;
  r.verdict = CheckResult::Verdict::kViolation;
  r.explanation = "not linearizable: " + std::move(explanation);
  r.stuck = std::move(stuck);
  return r;
}

std::string name(const Cluster& c) {
  return c.write < 0 ? "the initial value " + c.value + " (the reads of it)"
                     : "value " + c.value + " (its write and its reads)";
}

// A must come before B (one of A's operations completed before one of B's
// began) and B before A: the two blocks cannot be ordered.
CheckResult cycle(const std::vector<Operation>& ops, const Cluster& a, const Cluster& b) {
  std::vector<Operation> stuck;
  std::vector<int> listed;
  for (int i : {a.min_ret_op, b.max_call_op, b.min_ret_op, a.max_call_op}) {
    if (i < 0 || std::find(listed.begin(), listed.end(), i) != listed.end()) continue;
    listed.push_back(i);
    stuck.push_back(ops[i]);
  }
  auto since = [&](int first, int second) {
    return ", since\n  " + ops[first].str() + "\ncompleted before\n  " + ops[second].str() + "\nbegan";
  };
  // The initial value's block comes first whatever the history says.
  return violation("the operations on " + name(a) + " must take effect before those on " + name(b) +
                       (a.write < 0 ? "" : since(a.min_ret_op, b.max_call_op)) + "; and after them" +
                       since(b.min_ret_op, a.max_call_op),
                   std::move(stuck));
}

}  // namespace

std::optional<CheckResult> check_register_by_zones(const std::vector<Operation>& ops, const Model& model) {
  const std::optional<std::string> initial = model.register_initial();
  if (!initial) return std::nullopt;
  std::vector<Cluster> clusters(1);
  clusters[0].value = *initial;
  clusters[0].min_ret = kBeforeAll;  // the initial write completed before everything
  std::unordered_map<std::string, int> by_value{{*initial, 0}};
  std::vector<char> is_write(ops.size());
  std::vector<std::string> values(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    bool write = false;
    if (!model.register_value(ops[i], write, values[i])) return std::nullopt;
    if (!write) {
      if (!ops[i].known) return std::nullopt;  // the caller drops these
      continue;
    }
    is_write[i] = 1;
    auto [it, fresh] = by_value.try_emplace(values[i], static_cast<int>(clusters.size()));
    if (!fresh) return std::nullopt;  // two writes of one value: reads do not say which
    Cluster c;
    c.value = values[i];
    c.write = static_cast<int>(i);
    c.add(ops[i], static_cast<int>(i));
    clusters.push_back(std::move(c));
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (is_write[i]) continue;
    const auto it = by_value.find(values[i]);
    if (it == by_value.end()) {
      return violation(ops[i].str() + " returned " + values[i] + ", which no operation wrote", {ops[i]});
    }
    Cluster& c = clusters[it->second];
    if (c.write >= 0 && ops[i].ret < ops[c.write].call) {
      return violation(ops[i].str() + " completed before\n  " + ops[c.write].str() + "\nbegan",
                       {ops[i], ops[c.write]});
    }
    c.add(ops[i], static_cast<int>(i));
    ++c.reads;
  }

  // Zones. A write whose outcome is unknown and that no read saw may have
  // taken effect at the very end: it constrains nothing.
  std::vector<const Cluster*> forward, backward;
  for (const Cluster& c : clusters) {
    if (c.write < 0 ? c.reads == 0 : (!ops[c.write].known && c.reads == 0)) continue;
    (c.forward() ? forward : backward).push_back(&c);
  }
  auto by_left = [](const Cluster* a, const Cluster* b) { return a->left() < b->left(); };
  std::sort(forward.begin(), forward.end(), by_left);
  for (size_t k = 1; k < forward.size(); ++k) {
    if (forward[k]->left() < forward[k - 1]->right()) return cycle(ops, *forward[k - 1], *forward[k]);
  }
  // Forward zones are disjoint now: the one that could contain a backward
  // zone is the last to start before it.
  for (const Cluster* b : backward) {
    auto it = std::lower_bound(forward.begin(), forward.end(), b, by_left);
    if (it == forward.begin()) continue;
    const Cluster* f = *std::prev(it);
    if (b->right() < f->right()) return cycle(ops, *f, *b);
  }
  CheckResult ok;
  ok.explored = ops.size();
  return ok;
}

}  // namespace lockstep::checker

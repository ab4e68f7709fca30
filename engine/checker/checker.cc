#include "engine/checker/checker.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <unordered_map>

#include "engine/prng.h"

namespace lockstep::checker {

std::string Value::str() const {
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kInt: return std::to_string(i);
    case Kind::kString: return "\"" + s + "\"";
    case Kind::kBool: return i ? "true" : "false";
    case Kind::kPair: return "[" + std::to_string(i) + " " + std::to_string(j) + "]";
  }
  return "?";
}

std::string Operation::str() const {
  std::string out = "client " + std::to_string(client) + ": " + f;
  if (!key.empty()) out += " \"" + key + "\"";
  if (input.kind != Value::Kind::kNil || f == "write" || f == "put") out += " " + input.str();
  out += known ? " -> " + output.str() : " -> ? (outcome unknown)";
  return out;
}

namespace {

// --- Linearizability: Wing-Gong / Lowe with a (linearized, state) cache ------

struct Entry {
  int op = -1;
  bool is_call = true;
  int64_t time = 0;
  Entry* match = nullptr;  // call -> its return
  Entry* prev = nullptr;
  Entry* next = nullptr;
};

// The set of linearized operations, as words.
class Bitset {
 public:
  explicit Bitset(size_t n) : words_((n + 63) / 64, 0) {}
  void set(size_t i) { words_[i / 64] |= 1ull << (i % 64); }
  void clear(size_t i) { words_[i / 64] &= ~(1ull << (i % 64)); }
  const uint64_t* data() const { return words_.data(); }
  size_t words() const { return words_.size(); }

 private:
  std::vector<uint64_t> words_;
};

// The set of explored (linearized set, state) pairs: open addressing over
// entry indices, with every bitset stored in one flat pool (no allocation
// per entry).
class Cache {
 public:
  explicit Cache(size_t words) : words_(words) { slots_.assign(1 << 12, kEmpty); }

  // False if (bits, state) was already explored.
  bool insert(uint64_t hash, const Bitset& bits, uint32_t state) {
    const uint64_t h = hash ^ (static_cast<uint64_t>(state) * 0x9e3779b97f4a7c15ull);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t e = slots_[i];
      if (e == kEmpty) break;
      if (hashes_[e] == h && states_[e] == state &&
          std::equal(bits.data(), bits.data() + words_, pool_.data() + static_cast<size_t>(e) * words_)) {
        return false;
      }
    }
    const auto e = static_cast<uint32_t>(states_.size());
    hashes_.push_back(h);
    states_.push_back(state);
    pool_.insert(pool_.end(), bits.data(), bits.data() + words_);
    if (states_.size() * 2 > slots_.size()) grow();
    mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = e;
    return true;
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  void grow() {
    std::vector<uint32_t> bigger(slots_.size() * 2, kEmpty);
    const size_t mask = bigger.size() - 1;
    for (uint32_t e : slots_) {
      if (e == kEmpty) continue;
      size_t i = hashes_[e] & mask;
      while (bigger[i] != kEmpty) i = (i + 1) & mask;
      bigger[i] = e;
    }
    slots_.swap(bigger);
  }
  size_t words_;
  std::vector<uint32_t> slots_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> states_;
  std::vector<uint64_t> pool_;
};

void lift(Entry* call) {
  call->prev->next = call->next;
  if (call->next) call->next->prev = call->prev;
  Entry* ret = call->match;
  ret->prev->next = ret->next;
  if (ret->next) ret->next->prev = ret->prev;
}

void unlift(Entry* call) {
  Entry* ret = call->match;
  ret->prev->next = ret;
  if (ret->next) ret->next->prev = ret;
  call->prev->next = call;
  if (call->next) call->next->prev = call;
}

CheckResult explain(const std::vector<Operation>& ops, const std::vector<int>& best, Model& model,
                    const std::string& what) {
  CheckResult r;
  r.ok = false;
  std::vector<bool> placed(ops.size(), false);
  uint32_t state = model.init();
  for (int i : best) {
    placed[i] = true;
    r.longest_prefix.push_back(ops[i]);
    uint32_t next;
    if (model.step(state, ops[i], next)) state = next;
  }
  r.state = model.describe_state(state);
  // The op that must come next (earliest completion among the rest) and
  // every op invoked before it: one of them had to be placed, none fits.
  int64_t deadline = kNever;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!placed[i]) deadline = std::min(deadline, ops[i].ret);
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!placed[i] && ops[i].call < deadline && ops[i].known) r.stuck.push_back(ops[i]);
  }
  r.explanation = "not " + what + ": " + std::to_string(best.size()) + " of " + std::to_string(ops.size()) +
                  " operations can be ordered";
  if (!r.longest_prefix.empty()) {
    const size_t shown = std::min<size_t>(r.longest_prefix.size(), 5);
    r.explanation += shown < r.longest_prefix.size() ? " (the last 5 of them:" : " (";
    for (size_t k = r.longest_prefix.size() - shown; k < r.longest_prefix.size(); ++k) {
      r.explanation += "\n  " + r.longest_prefix[k].str();
    }
    r.explanation += "\n)";
  }
  r.explanation += ", leaving the state " + r.state + ", but none of these can come next:";
  for (const auto& op : r.stuck) r.explanation += "\n  " + op.str();
  return r;
}

CheckResult check_linearizable(std::vector<Operation> ops, Model& model) {
  const size_t n = ops.size();
  CheckResult result;
  if (n == 0) return result;
  for (auto& op : ops) model.prepare(op);

  // Events in time order; unknown outcomes complete after everything else.
  std::vector<Entry> entries(2 * n);
  std::vector<Entry*> order;
  order.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    Entry& c = entries[2 * i];
    Entry& r = entries[2 * i + 1];
    c.op = r.op = static_cast<int>(i);
    c.is_call = true;
    r.is_call = false;
    c.time = ops[i].call;
    r.time = ops[i].ret;
    c.match = &r;
    order.push_back(&c);
    order.push_back(&r);
  }
  std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    if (a->time != b->time) return a->time < b->time;
    return a->is_call && !b->is_call;  // a call at the same instant overlaps
  });
  Entry head;
  Entry* prev = &head;
  for (Entry* e : order) {
    prev->next = e;
    e->prev = prev;
    prev = e;
  }

  // Zobrist hashing keeps the set's hash current in O(1).
  std::vector<uint64_t> zobrist(n);
  Prng prng(0x5eed);
  for (auto& z : zobrist) z = prng.next();

  Bitset linearized(n);
  uint64_t hash = 0;
  Cache cache(linearized.words());
  struct Frame {
    Entry* call;
    uint32_t state;
  };
  std::vector<Frame> stack;
  std::vector<int> best;
  uint32_t state = model.init();
  Entry* entry = head.next;
  while (head.next != nullptr) {
    ++result.explored;
    if (entry->is_call) {
      uint32_t next_state;
      const int i = entry->op;
      if (model.step(state, ops[i], next_state)) {
        linearized.set(i);
        const uint64_t next_hash = hash ^ zobrist[i];
        if (cache.insert(next_hash, linearized, next_state)) {
          stack.push_back({entry, state});
          hash = next_hash;
          state = next_state;
          lift(entry);
          if (stack.size() > best.size()) {
            best.clear();
            for (const Frame& f : stack) best.push_back(f.call->op);
          }
          entry = head.next;
          continue;
        }
        linearized.clear(i);
      }
      entry = entry->next;
    } else {
      // A return with its call not yet linearized: backtrack.
      if (stack.empty()) {
        CheckResult r = explain(ops, best, model, "linearizable");
        r.explored = result.explored;
        return r;
      }
      const Frame f = stack.back();
      stack.pop_back();
      linearized.clear(f.call->op);
      hash ^= zobrist[f.call->op];
      state = f.state;
      unlift(f.call);
      entry = f.call->next;
    }
  }
  return result;
}

// --- Sequential consistency: per-client program order only -----------------

CheckResult check_sequential(std::vector<Operation> ops, Model& model) {
  CheckResult result;
  for (auto& op : ops) model.prepare(op);
  std::vector<int64_t> clients;
  for (const auto& op : ops) clients.push_back(op.client);
  std::sort(clients.begin(), clients.end());
  clients.erase(std::unique(clients.begin(), clients.end()), clients.end());
  std::vector<std::vector<int>> per(clients.size());
  std::vector<int> order(ops.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return ops[a].call < ops[b].call; });
  for (int i : order) {
    const size_t c = std::lower_bound(clients.begin(), clients.end(), ops[i].client) - clients.begin();
    per[c].push_back(i);
  }
  size_t known_total = 0;
  for (const auto& op : ops) known_total += op.known;

  std::vector<uint64_t> zobrist(ops.size());
  Prng prng(0x5eed);
  for (auto& z : zobrist) z = prng.next();
  Bitset taken(ops.size());
  Cache cache(taken.words());
  std::vector<size_t> pos(per.size(), 0);
  std::vector<int> path, best;
  size_t known_done = 0;

  // Depth-first search with an explicit stack: a history of n operations
  // goes n levels deep, too deep for the machine stack of a process.
  struct Frame {
    uint32_t state;
    uint64_t hash;
    size_t client = 0;  // next client to try from this frame
    int place = 1;      // next way to try its next operation: 1 place it, 0 skip it
    int op = -1;        // how this frame was entered (undone when it is left)
    bool placed = false;
    size_t from = 0;
  };
  std::vector<Frame> stack;
  stack.push_back({model.init(), 0});
  ++result.explored;
  if (known_done == known_total) return result;
  while (!stack.empty()) {
    bool descended = false;
    while (stack.back().client < per.size()) {
      Frame& f = stack.back();
      const size_t c = f.client;
      if (pos[c] >= per[c].size()) {
        ++f.client;
        f.place = 1;
        continue;
      }
      const int i = per[c][pos[c]];
      // An unknown-outcome op may also be skipped: it may never have happened.
      if (f.place < (ops[i].known ? 1 : 0)) {
        ++f.client;
        f.place = 1;
        continue;
      }
      const int place = f.place--;
      uint32_t next = f.state;
      if (place && !model.step(f.state, ops[i], next)) continue;
      taken.set(i);
      const uint64_t h = f.hash ^ zobrist[i] ^ (place ? 0 : 0x51ed270b27cd43e1ull * (i + 1));
      if (!cache.insert(h, taken, next)) {
        taken.clear(i);
        continue;
      }
      ++pos[c];
      if (place) path.push_back(i);
      known_done += ops[i].known;
      if (path.size() > best.size()) best = path;
      stack.push_back({next, h, 0, 1, i, place != 0, c});
      ++result.explored;
      if (known_done == known_total) return result;
      descended = true;
      break;
    }
    if (descended) continue;
    const Frame done = stack.back();
    stack.pop_back();
    if (done.op >= 0) {
      known_done -= ops[done.op].known;
      if (done.placed) path.pop_back();
      --pos[done.from];
      taken.clear(done.op);
    }
  }
  CheckResult r = explain(ops, best, model, "sequentially consistent");
  r.explored = result.explored;
  return r;
}

}  // namespace

CheckResult check(const std::vector<Operation>& ops, Model& model, Consistency consistency) {
  CheckResult total;
  for (auto& part : model.partition(ops)) {
    auto m = model.fresh();
    CheckResult r = consistency == Consistency::kLinearizable ? check_linearizable(part, *m)
                                                              : check_sequential(part, *m);
    total.explored += r.explored;
    if (!r.ok) {
      if (!part.empty() && !part.front().key.empty()) {
        r.partition = part.front().key;
        r.explanation = "key \"" + r.partition + "\": " + r.explanation;
      }
      r.explored = total.explored;
      return r;
    }
  }
  return total;
}

bool brute_force_linearizable(const std::vector<Operation>& ops, Model& model) {
  const size_t n = ops.size();
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  // Every subset of the unknown-outcome ops may be left out.
  std::vector<int> unknown;
  for (size_t i = 0; i < n; ++i) {
    if (!ops[i].known) unknown.push_back(static_cast<int>(i));
  }
  for (uint64_t mask = 0; mask < (1ull << unknown.size()); ++mask) {
    std::vector<int> chosen;
    for (size_t i = 0; i < n; ++i) {
      auto u = std::find(unknown.begin(), unknown.end(), static_cast<int>(i));
      if (u != unknown.end() && (mask >> (u - unknown.begin()) & 1)) continue;
      chosen.push_back(static_cast<int>(i));
    }
    std::sort(chosen.begin(), chosen.end());
    do {
      bool ok = true;
      for (size_t a = 0; a < chosen.size() && ok; ++a) {
        for (size_t b = a + 1; b < chosen.size() && ok; ++b) {
          if (ops[chosen[b]].ret < ops[chosen[a]].call) ok = false;  // b finished before a began
        }
      }
      if (!ok) continue;
      auto m = model.fresh();
      uint32_t state = m->init();
      for (int i : chosen) {
        uint32_t next;
        Operation op = ops[i];
        m->prepare(op);
        if (!m->step(state, op, next)) {
          ok = false;
          break;
        }
        state = next;
      }
      if (ok) return true;
    } while (std::next_permutation(chosen.begin(), chosen.end()));
  }
  return false;
}

}  // namespace lockstep::checker

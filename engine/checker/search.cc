#include "engine/checker/search.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <numeric>

#include "engine/base/prng.h"

namespace lockstep::checker {
namespace {

// A set of operation indices. It tracks `low` (every index below it is in
// the set) and `top` (none at or above it is), so the set is named by `low`
// and the words from low's to top's: in a linearizability search, whose
// sets are nearly prefixes of the history in call order, a few words.
class Bitset {
 public:
  explicit Bitset(size_t n) : words_(n / 64 + 1, 0) {}
  void set(size_t i) {
    words_[i / 64] |= bit(i);
    if (i + 1 > top_) top_ = i + 1;
    if (i == low_) advance_low();
  }
  void clear(size_t i) {
    words_[i / 64] &= ~bit(i);
    if (i < low_) low_ = i;
    if (i + 1 == top_) shrink_top();
  }
  // The words that, with low(), identify the set.
  const uint64_t* window(uint32_t& len) const {
    const size_t first = low_ / 64;
    const size_t last = top_ > low_ ? (top_ - 1) / 64 : first;
    len = static_cast<uint32_t>(last - first + 1);
    return words_.data() + first;
  }
  size_t low() const { return low_; }
  uint64_t memory() const { return words_.capacity() * sizeof(uint64_t); }

 private:
  static uint64_t bit(size_t i) { return 1ull << (i % 64); }
  void advance_low() {
    for (;;) {
      const size_t off = low_ % 64;
      const uint64_t w = words_[low_ / 64] >> off;
      const auto ones = static_cast<size_t>(std::countr_one(w));
      if (ones < 64 - off) {
        low_ += ones;
        return;
      }
      low_ += 64 - off;  // the padding word is never set: this ends
    }
  }
  void shrink_top() {
    while (top_ > low_) {
      const size_t last = top_ - 1;
      const uint64_t w = words_[last / 64] & (~0ull >> (63 - last % 64));
      if (w != 0) {
        top_ = last / 64 * 64 + (63 - static_cast<size_t>(std::countl_zero(w))) + 1;
        return;
      }
      top_ = last / 64 * 64;
    }
  }
  std::vector<uint64_t> words_;
  size_t low_ = 0, top_ = 0;
};

// The explored (set, state) pairs: open addressing over 8-byte slots, each
// the top half of a record's hash and its index. The hash half also places
// the slot (tables stay far below 2^32 slots), so growing never reads a
// record. Records lie in the order they were made: a search mostly meets
// again what it made lately, and that is still in the cache. A set whose
// window is one word (most sets of a linearizability search, which are
// nearly prefixes) lives in its record; a longer window lives in blocks
// that are never moved.
class Cache {
 public:
  Cache() { slots_.assign(1 << 6, kEmpty); }

  // False if (bits, state) was already explored.
  [[gnu::always_inline]] bool insert(uint64_t hash, const Bitset& bits, uint32_t state) {
    const uint64_t h = hash ^ (static_cast<uint64_t>(state) * 0x9e3779b97f4a7c15ull);
    uint32_t len = 0;
    const uint64_t* words = bits.window(len);
    if (len >> kLenBits) throw std::bad_alloc();  // a history of billions of operations: "unknown (memory)"
    const uint64_t where = static_cast<uint64_t>(bits.low()) << kLenBits | len;
    const uint64_t tag = h >> 32;
    size_t mask = slots_.size() - 1;
    size_t i = tag & mask;
    for (;; i = (i + 1) & mask) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) break;
      if (slot >> 32 != tag) continue;
      const Record& r = record(static_cast<uint32_t>(slot));
      if (r.state != state || r.where != where) continue;
      if (len == 1 ? r.word == words[0] : same(words, stored(r.word), len)) return false;
    }
    if (count_ + 1 > kMaxRecords) throw std::bad_alloc();
    if ((count_ + 1) * 2 > slots_.size()) {
      grow();
      mask = slots_.size() - 1;
      for (i = tag & mask; slots_[i] != kEmpty; i = (i + 1) & mask) {
      }
    }
    if (count_ % kChunk == 0) chunks_.emplace_back(new Record[kChunk]);  // default-initialized: not written
    record(static_cast<uint32_t>(count_)) = Record{state, where, len == 1 ? words[0] : store(words, len)};
    slots_[i] = tag << 32 | count_;
    ++count_;
    return true;
  }

  uint64_t memory() const {
    return slots_.capacity() * sizeof(uint64_t) + chunks_.size() * kChunk * sizeof(Record) + block_bytes_;
  }

 private:
  struct Record {  // trivial: a new chunk is not written until used
    uint32_t state;
    uint64_t where;  // low << kLenBits | the window's length in words
    uint64_t word;   // a one-word window; else where its words are (block << 32 | offset)
  };
  static constexpr uint64_t kEmpty = UINT64_MAX;
  static constexpr size_t kChunk = 256;  // records a chunk: growing never moves one
  static constexpr uint64_t kMaxRecords = UINT32_MAX;
  static constexpr int kLenBits = 24;  // windows of up to 2^24 words: histories of a billion operations
  static constexpr uint32_t kBlockWords = 1 << 16;

  Record& record(uint32_t e) { return chunks_[e / kChunk][e % kChunk]; }
  // A window is a few words: a loop beats a call to memcmp.
  static bool same(const uint64_t* a, const uint64_t* b, uint32_t len) {
    for (uint32_t k = 0; k < len; ++k) {
      if (a[k] != b[k]) return false;
    }
    return true;
  }
  const uint64_t* stored(uint64_t at) const { return blocks_[at >> 32].get() + static_cast<uint32_t>(at); }
  uint64_t store(const uint64_t* words, uint32_t len) {
    if (blocks_.empty() || used_ + len > block_size_) {
      block_size_ = std::max(kBlockWords, len);
      blocks_.emplace_back(new uint64_t[block_size_]);
      block_bytes_ += static_cast<uint64_t>(block_size_) * sizeof(uint64_t);
      used_ = 0;
    }
    const uint64_t at = static_cast<uint64_t>(blocks_.size() - 1) << 32 | used_;
    std::memcpy(blocks_.back().get() + used_, words, len * sizeof(uint64_t));
    used_ += len;
    return at;
  }
  void grow() {
    std::vector<uint64_t> bigger(slots_.size() * 2, kEmpty);
    const size_t mask = bigger.size() - 1;
    for (const uint64_t slot : slots_) {
      if (slot == kEmpty) continue;
      size_t i = (slot >> 32) & mask;
      while (bigger[i] != kEmpty) i = (i + 1) & mask;
      bigger[i] = slot;
    }
    slots_.swap(bigger);
  }

  std::vector<uint64_t> slots_;
  std::vector<std::unique_ptr<Record[]>> chunks_;
  uint64_t count_ = 0;
  std::vector<std::unique_ptr<uint64_t[]>> blocks_;
  uint32_t block_size_ = 0, used_ = 0;
  uint64_t block_bytes_ = 0;
};

// The longest path the search has held, kept in step with it: a frame is
// copied at most once per push, so keeping it is linear in the search, not
// quadratic in its depth.
class LongestPath {
 public:
  void popped(size_t depth) { agree_ = std::min(agree_, depth); }
  template <typename At>
  void pushed(size_t depth, At at) {
    if (depth <= best_.size()) return;
    best_.resize(depth);
    for (size_t k = agree_; k < depth; ++k) best_[k] = at(k);
    agree_ = depth;
  }
  const std::vector<int>& get() const { return best_; }

 private:
  std::vector<int> best_;
  size_t agree_ = 0;  // best_ and the path agree below this depth
};

std::vector<uint64_t> zobrist_keys(size_t n) {
  std::vector<uint64_t> keys(n);
  Prng prng(0x5eed);
  for (auto& k : keys) k = prng.next();
  return keys;
}

CheckResult explain(const std::vector<Operation>& ops, const std::vector<int>& best, Model& model,
                    const std::string& what) {
  CheckResult r;
  r.ok = false;
  r.verdict = CheckResult::Verdict::kViolation;
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

// --- Linearizability: Wing-Gong / Lowe with a (linearized, state) cache ------

class Linearizability final : public Search {
 public:
  Linearizability(std::vector<Operation> ops, Model& model)
      : ops_(std::move(ops)), model_(model), entries_(2 * ops_.size()), linearized_(ops_.size()) {
    // Operations in call order: the linearized set is then nearly a prefix.
    // (A recorded history usually is: then nothing moves.)
    const auto by_call = [](const Operation& a, const Operation& b) { return a.call < b.call; };
    if (!std::is_sorted(ops_.begin(), ops_.end(), by_call)) std::stable_sort(ops_.begin(), ops_.end(), by_call);
    for (auto& op : ops_) model_.prepare(op);
    const size_t n = ops_.size();
    // Events in time order; unknown outcomes complete after everything else.
    std::vector<Entry*> order;
    order.reserve(2 * n);
    for (size_t i = 0; i < n; ++i) {
      Entry& c = entries_[2 * i];
      Entry& r = entries_[2 * i + 1];
      c.op = r.op = static_cast<int>(i);
      c.is_call = true;
      r.is_call = false;
      c.time = ops_[i].call;
      r.time = ops_[i].ret;
      c.match = &r;
      order.push_back(&c);
      order.push_back(&r);
    }
    std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
      if (a->time != b->time) return a->time < b->time;
      return a->is_call && !b->is_call;  // a call at the same instant overlaps
    });
    Entry* prev = &head_;
    for (Entry* e : order) {
      prev->next = e;
      e->prev = prev;
      prev = e;
    }
    zobrist_ = zobrist_keys(n);
    state_ = model_.init();
    entry_ = head_.next;
  }

  Progress run(uint64_t budget) override {
    for (; budget > 0; --budget) {
      if (head_.next == nullptr) return Progress::kConsistent;
      ++explored_;
      if (entry_->is_call) {
        uint32_t next_state;
        const int i = entry_->op;
        if (model_.step(state_, ops_[i], next_state)) {
          linearized_.set(i);
          const uint64_t next_hash = hash_ ^ zobrist_[i];
          if (cache_.insert(next_hash, linearized_, next_state)) {
            stack_.push_back({entry_, state_});
            longest_.pushed(stack_.size(), [&](size_t k) { return stack_[k].call->op; });
            hash_ = next_hash;
            state_ = next_state;
            lift(entry_);
            entry_ = head_.next;
            continue;
          }
          linearized_.clear(i);
        }
        entry_ = entry_->next;
      } else {
        // A return with its call not yet linearized: backtrack.
        if (stack_.empty()) return Progress::kViolation;
        const Frame f = stack_.back();
        stack_.pop_back();
        longest_.popped(stack_.size());
        linearized_.clear(f.call->op);
        hash_ ^= zobrist_[f.call->op];
        state_ = f.state;
        unlift(f.call);
        entry_ = f.call->next;
      }
    }
    return head_.next == nullptr ? Progress::kConsistent : Progress::kRunning;
  }

  uint64_t memory() const override {
    return cache_.memory() + linearized_.memory() + stack_.capacity() * sizeof(Frame) +
           entries_.capacity() * sizeof(Entry) + ops_.capacity() * sizeof(Operation);
  }
  CheckResult violation() override {
    CheckResult r = explain(ops_, longest_.get(), model_, "linearizable");
    r.explored = explored_;
    return r;
  }
  uint64_t explored() const override { return explored_; }

 private:
  struct Entry {
    int op = -1;
    bool is_call = true;
    int64_t time = 0;
    Entry* match = nullptr;  // call -> its return
    Entry* prev = nullptr;
    Entry* next = nullptr;
  };
  struct Frame {
    Entry* call;
    uint32_t state;
  };
  static void lift(Entry* call) {
    call->prev->next = call->next;
    if (call->next) call->next->prev = call->prev;
    Entry* ret = call->match;
    ret->prev->next = ret->next;
    if (ret->next) ret->next->prev = ret->prev;
  }
  static void unlift(Entry* call) {
    Entry* ret = call->match;
    ret->prev->next = ret;
    if (ret->next) ret->next->prev = ret;
    call->prev->next = call;
    if (call->next) call->next->prev = call;
  }

  std::vector<Operation> ops_;
  Model& model_;
  std::vector<Entry> entries_;
  Entry head_;
  std::vector<uint64_t> zobrist_;
  Bitset linearized_;
  uint64_t hash_ = 0;
  Cache cache_;
  std::vector<Frame> stack_;
  LongestPath longest_;
  uint32_t state_ = 0;
  Entry* entry_ = nullptr;
  uint64_t explored_ = 0;
};

// --- Sequential consistency: per-client program order only -----------------

class Sequential final : public Search {
 public:
  Sequential(std::vector<Operation> ops, Model& model) : ops_(std::move(ops)), model_(model), taken_(ops_.size()) {
    for (auto& op : ops_) model_.prepare(op);
    std::vector<int64_t> clients;
    for (const auto& op : ops_) clients.push_back(op.client);
    std::sort(clients.begin(), clients.end());
    clients.erase(std::unique(clients.begin(), clients.end()), clients.end());
    per_.resize(clients.size());
    std::vector<int> order(ops_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return ops_[a].call < ops_[b].call; });
    for (int i : order) {
      const size_t c = std::lower_bound(clients.begin(), clients.end(), ops_[i].client) - clients.begin();
      per_[c].push_back(i);
    }
    for (const auto& op : ops_) known_total_ += op.known;
    zobrist_ = zobrist_keys(ops_.size());
    pos_.assign(per_.size(), 0);
    stack_.push_back({model_.init(), 0});
    ++explored_;
  }

  // Depth-first search with an explicit stack: a history of n operations
  // goes n levels deep, too deep for the machine stack of a process.
  Progress run(uint64_t budget) override {
    if (known_done_ == known_total_) return Progress::kConsistent;
    while (!stack_.empty()) {
      if (budget-- == 0) return Progress::kRunning;
      bool descended = false;
      while (stack_.back().client < per_.size()) {
        Frame& f = stack_.back();
        const size_t c = f.client;
        if (pos_[c] >= per_[c].size()) {
          ++f.client;
          f.place = 1;
          continue;
        }
        const int i = per_[c][pos_[c]];
        // An unknown-outcome op may also be skipped: it may never have happened.
        if (f.place < (ops_[i].known ? 1 : 0)) {
          ++f.client;
          f.place = 1;
          continue;
        }
        const int place = f.place--;
        uint32_t next = f.state;
        if (place && !model_.step(f.state, ops_[i], next)) continue;
        taken_.set(i);
        const uint64_t h = f.hash ^ zobrist_[i] ^ (place ? 0 : 0x51ed270b27cd43e1ull * (i + 1));
        if (!cache_.insert(h, taken_, next)) {
          taken_.clear(i);
          continue;
        }
        ++pos_[c];
        if (place) {
          path_.push_back(i);
          longest_.pushed(path_.size(), [&](size_t k) { return path_[k]; });
        }
        known_done_ += ops_[i].known;
        stack_.push_back({next, h, 0, 1, i, place != 0, c});
        ++explored_;
        if (known_done_ == known_total_) return Progress::kConsistent;
        descended = true;
        break;
      }
      if (descended) continue;
      const Frame done = stack_.back();
      stack_.pop_back();
      if (done.op >= 0) {
        known_done_ -= ops_[done.op].known;
        if (done.placed) {
          path_.pop_back();
          longest_.popped(path_.size());
        }
        --pos_[done.from];
        taken_.clear(done.op);
      }
    }
    return Progress::kViolation;
  }

  uint64_t memory() const override {
    return cache_.memory() + taken_.memory() + stack_.capacity() * sizeof(Frame) + ops_.capacity() * sizeof(Operation);
  }
  CheckResult violation() override {
    CheckResult r = explain(ops_, longest_.get(), model_, "sequentially consistent");
    r.explored = explored_;
    return r;
  }
  uint64_t explored() const override { return explored_; }

 private:
  struct Frame {
    uint32_t state;
    uint64_t hash;
    size_t client = 0;  // next client to try from this frame
    int place = 1;      // next way to try its next operation: 1 place it, 0 skip it
    int op = -1;        // how this frame was entered (undone when it is left)
    bool placed = false;
    size_t from = 0;
  };

  std::vector<Operation> ops_;
  Model& model_;
  std::vector<std::vector<int>> per_;
  std::vector<size_t> pos_;
  std::vector<uint64_t> zobrist_;
  Bitset taken_;
  Cache cache_;
  std::vector<Frame> stack_;
  std::vector<int> path_;
  LongestPath longest_;
  size_t known_total_ = 0, known_done_ = 0;
  uint64_t explored_ = 0;
};

}  // namespace

std::unique_ptr<Search> linearizability_search(std::vector<Operation> ops, Model& model) {
  return std::make_unique<Linearizability>(std::move(ops), model);
}

std::unique_ptr<Search> sequential_search(std::vector<Operation> ops, Model& model) {
  return std::make_unique<Sequential>(std::move(ops), model);
}

}  // namespace lockstep::checker

// Shared state outside processes (SPEC 5.3): atomics arrays and persistent
// terms (ETS tables are in ets.h). Plain data structures with no knowledge
// of scheduling: the VM calls them when an operation's step runs, so each
// call is one atomic step. Guest values are ValueRefs owned by the guest;
// keys arrive as canonical byte strings (see LuaGuest::encode_key).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vm/state_hash.h"

namespace lockstep::vm {

class Atomics {
 public:
  // A new array of n zeroed 64-bit cells; returns its id (>= 1).
  uint64_t create(size_t n, bool is_signed);
  bool valid(uint64_t id, int64_t index) const;
  bool is_signed(uint64_t id) const { return arrays_[id - 1].is_signed; }
  size_t size(uint64_t id) const { return arrays_[id - 1].cells.size(); }
  // Cells hold two's-complement bits; arithmetic wraps modulo 2^64 for
  // signed and unsigned arrays alike, as in Erlang.
  uint64_t get(uint64_t id, int64_t index) const { return cell(id, index); }
  void put(uint64_t id, int64_t index, uint64_t v) { cell(id, index) = v; }
  uint64_t add_get(uint64_t id, int64_t index, uint64_t delta) { return cell(id, index) += delta; }
  uint64_t exchange(uint64_t id, int64_t index, uint64_t v) {
    const uint64_t old = cell(id, index);
    cell(id, index) = v;
    return old;
  }
  // Swaps in `desired` if the cell holds `expected`; returns the old value.
  uint64_t compare_exchange(uint64_t id, int64_t index, uint64_t expected, uint64_t desired) {
    const uint64_t old = cell(id, index);
    if (old == expected) cell(id, index) = desired;
    return old;
  }
  // Every array (its cells and signedness), as a multiset named through
  // the hasher's naming.
  void hash(StateHasher& h) const;
  std::string describe() const;

 private:
  struct Array {
    bool is_signed = true;
    std::vector<uint64_t> cells;
  };
  uint64_t& cell(uint64_t id, int64_t index) { return arrays_[id - 1].cells[static_cast<size_t>(index - 1)]; }
  uint64_t cell(uint64_t id, int64_t index) const { return arrays_[id - 1].cells[static_cast<size_t>(index - 1)]; }
  std::vector<Array> arrays_;
};

// persistent_term: a global key -> value store. The caller owns the
// lifetime of values: put returns the value it replaced (to release).
class PersistentTerms {
 public:
  std::optional<ValueRef> put(const std::string& key, ValueRef value);
  std::optional<ValueRef> get(const std::string& key) const;
  std::optional<ValueRef> erase(const std::string& key);
  // Every term, in key order.
  void hash(StateHasher& h, ValueHasher& values) const;
  std::string describe() const { return std::to_string(terms_.size()) + " persistent terms\n"; }
  template <typename F>
  void for_each(F f) const {
    for (const auto& [k, v] : terms_) f(v);
  }

 private:
  std::map<std::string, ValueRef> terms_;
};

}  // namespace lockstep::vm

#include "engine/strategies/dfs_states.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>

#include "engine/base/hash.h"

namespace lockstep::dfs {

size_t StateTable::entry_bytes(size_t n) {
  constexpr size_t kNode = sizeof(StateId) + sizeof(Entry) + 2 * sizeof(void*) + 16;  // node, bucket, allocator
  return kNode + (n ? n * sizeof(uint64_t) + 16 : 0);
}

void StateTable::use_bits(size_t bytes) {
  map_.clear();
  // The largest power of two of 64-bit words that fits.
  const size_t words = std::bit_floor(std::max<size_t>(bytes / sizeof(uint64_t), 1));
  bits_.assign(words, 0);
  bits_set_ = bit_states_ = 0;
  bytes_ = words * sizeof(uint64_t);
}

double StateTable::omission_probability() const {
  if (bits_.empty()) return 0;
  const double fill = static_cast<double>(bits_set_) / (static_cast<double>(bits_.size()) * 64);
  return fill * fill * fill;
}

// Three bits of a state and its sleep set, by double hashing (Kirsch and
// Mitzenmacher): a state met again with another sleep set is another key,
// explored from every event awake, as a new state would be.
StateTable::Visit StateTable::visit_bits(const StateId& id, const std::vector<uint64_t>& sleep) {
  uint64_t h1 = mix64(id.lo ^ 0x9e3779b97f4a7c15ull), h2 = mix64(id.hi + 0xbf58476d1ce4e5b9ull);
  for (uint64_t s : sleep) {
    h1 = mix64(h1 ^ s);
    h2 = mix64(h2 + s);
  }
  h2 |= 1;
  const uint64_t mask = static_cast<uint64_t>(bits_.size()) * 64 - 1;
  bool known = true;
  for (uint64_t i = 0; i < 3; ++i) {
    const uint64_t bit = (h1 + i * h2) & mask;
    uint64_t& word = bits_[bit >> 6];
    const uint64_t one = uint64_t{1} << (bit & 63);
    if (word & one) continue;
    known = false;
    word |= one;
    ++bits_set_;
  }
  if (known) return Visit::kKnown;
  ++bit_states_;
  return Visit::kNew;
}

StateTable::Visit StateTable::visit(const StateId& id, uint32_t depth, bool rounds, bool cut,
                                    const std::vector<uint64_t>& sleep, std::vector<uint64_t>& wake, bool& every) {
  wake.clear();
  every = false;
  if (!bits_.empty()) return visit_bits(id, sleep);
  auto [it, fresh] = map_.try_emplace(id);
  Entry& e = it->second;
  if (fresh) {
    e.depth = depth;
    e.sleep = sleep;
    bytes_ += entry_bytes(sleep.size());
    return Visit::kNew;
  }
  if (depth < e.depth && !cut) {
    e.depth = depth;  // its future ended within the bound: judged by the sleep set below
  } else if (depth < e.depth) {  // more of its future fits under max_steps now
    bytes_ -= entry_bytes(e.sleep.size());
    e.depth = depth;
    e.sleep = sleep;
    bytes_ += entry_bytes(sleep.size());
    every = true;
    return Visit::kAgain;
  }
  std::set_difference(e.sleep.begin(), e.sleep.end(), sleep.begin(), sleep.end(), std::back_inserter(wake));
  if (wake.empty()) return Visit::kKnown;
  // Met deeper than at its first visit in a round of a shortest-first
  // search: what is explored from here now has fewer steps left under the
  // round's depth than the record promises for the events it holds, so
  // the record keeps them asleep. Otherwise (max_steps is the only limit,
  // and a run it cuts off is reported) the record takes them as explored:
  // a loop back to a state on the run's own path then ends the run the
  // next time round, where it went on round the loop to max_steps.
  if (depth > e.depth && rounds) return Visit::kAgain;
  std::vector<uint64_t> both;
  std::set_intersection(e.sleep.begin(), e.sleep.end(), sleep.begin(), sleep.end(), std::back_inserter(both));
  bytes_ -= entry_bytes(e.sleep.size());
  e.sleep = std::move(both);
  bytes_ += entry_bytes(e.sleep.size());
  return Visit::kAgain;
}

bool StateCache::unexplored(const StateId& id, uint32_t depth, std::span<const uint64_t> names,
                            const std::vector<bool>& asleep, bool& restricted, std::vector<size_t>& only) {
  // A sleeper not enabled here cannot run here: leaving it out of the set
  // only explores more.
  sleep_.clear();
  for (size_t i = 0; i < names.size(); ++i) {
    if (asleep[i]) sleep_.push_back(names[i]);
  }
  std::sort(sleep_.begin(), sleep_.end());
  sleep_.erase(std::unique(sleep_.begin(), sleep_.end()), sleep_.end());
  bool every = false;
  const StateTable::Visit visit = table_.visit(id, depth, shortest_, cut_, sleep_, wake_, every);
  if (visit == StateTable::Visit::kKnown) {
    ++hits_;
    return false;
  }
  restricted = visit == StateTable::Visit::kAgain && !every;
  only.clear();
  for (size_t i = 0; restricted && i < names.size(); ++i) {
    if (std::binary_search(wake_.begin(), wake_.end(), names[i])) only.push_back(i);
  }
  return true;
}

void StateCache::forget(const StateOptions& options) {
  table_ = StateTable{};
  if (bits_bytes_) table_.use_bits(bits_bytes_);
  hits_ = 0;
  options_ = options;
  depth_limit_ = shortest_ ? 1 : UINT32_MAX;
  cut_in_round_ = false;
  cut_ = false;
  failed_in_round_ = false;
}

void StateCache::deepen() {
  const uint32_t next = depth_limit_ + 1;
  forget(options_);
  depth_limit_ = next;
}

}  // namespace lockstep::dfs

// The states a dfs with a state cache has explored (--state-cache on;
// engine/strategies/dfs.cc), with what is needed to tell when a state met
// again needs nothing more.
//
// Sleep sets and state caching, combined as Godefroid's "Partial-Order
// Methods for the Verification of Concurrent Systems" (LNCS 1032, 1996,
// section 5.3) does: a state is explored from the events not asleep
// there; met again with sleep set Z, after a first visit with Z', the
// events in Z' but not in Z were never explored from it, so they are now
// (and the state's record keeps Z' ∩ Z); when Z' is within Z, there is
// nothing to do. A run is bounded by max_steps (and a shortest-first
// round by its depth), so a state met again sooner (fewer steps from the
// start) than before has more future than was explored: it is explored
// again from every event not asleep; met again later, the events it
// explores then had fewer steps left, so the record does not count them.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "engine/system.h"

namespace lockstep::dfs {

class StateTable {
 public:
  enum class Visit : uint8_t {
    kNew,    // not met before: explore it (now recorded)
    kKnown,  // explored before with no fewer events awake, no later: nothing to do
    kAgain,  // explored before, but not from every event now awake: `wake` says which
  };

  // At state `id`, reached after `depth` steps with the events `sleep`
  // asleep (sorted, no duplicates; named as the system names them, the
  // same for one event of one state however it was reached). With kAgain, `wake` holds the events to
  // explore from it now (the others awake were explored from it before),
  // or is cleared with `every` set when all those awake are to be.
  Visit visit(const StateId& id, uint32_t depth, const std::vector<uint64_t>& sleep, std::vector<uint64_t>& wake,
              bool& every);

  uint64_t size() const { return map_.size(); }
  // What the table holds, in bytes (an estimate of the allocator's share included).
  size_t bytes() const { return bytes_; }
  // What a new entry with a sleep set of `n` events adds to bytes().
  static size_t entry_bytes(size_t n);

 private:
  struct Entry {
    uint32_t depth = 0;
    std::vector<uint64_t> sleep;  // sorted
  };
  struct Hash {
    size_t operator()(const StateId& id) const { return static_cast<size_t>(id.lo ^ (id.hi >> 7)); }
  };
  std::unordered_map<StateId, Entry, Hash> map_;
  size_t bytes_ = 0;
};

}  // namespace lockstep::dfs

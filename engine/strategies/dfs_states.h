// The states a dfs with a state cache has explored (--state-cache on or
// full; engine/strategies/dfs.cc says which states each records), with
// what is needed to tell when a state met again needs nothing more.
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
// Until a run has been cut off, though, every future explored from a
// state ended within the bound, so one met sooner has no more of them:
// it is judged by its sleep set alone.
//
// With --bitstate the table is a bit array instead (Holzmann's bitstate
// hashing: "An Analysis of Bitstate Hashing", Formal Methods in System
// Design 13(3), 1998): a state and its sleep set set three bits, and one
// whose three bits are all set is taken as explored. It never forgets a
// state for lack of room, but a state may be taken for another that set
// the same bits and be skipped: the search is then no proof, and says how
// likely that was (the fill of the array, cubed, is the probability that
// a new state at the end was taken for an explored one).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/strategy.h"
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
  // With `rounds` (a shortest-first search, whose rounds cut runs at a
  // depth), what is explored from a state met deeper than before is not
  // recorded as explored from it: it had fewer steps left. Without `cut`
  // (no run has been cut off at max_steps or a round's depth since the
  // table was empty), a state met sooner than before is not explored
  // again for that: its future, explored whole, ended within the bound.
  Visit visit(const StateId& id, uint32_t depth, bool rounds, bool cut, const std::vector<uint64_t>& sleep,
              std::vector<uint64_t>& wake, bool& every);

  // Keeps the table as bits from now on (empty): the largest power of two
  // of them that fits in `bytes` bytes.
  void use_bits(size_t bytes);
  bool lossy() const { return !bits_.empty(); }
  // The probability that a state not met before is taken for an explored
  // one now (0 for an exact table).
  double omission_probability() const;

  uint64_t size() const { return lossy() ? bit_states_ : map_.size(); }
  // What the table holds, in bytes (an estimate of the allocator's share included).
  size_t bytes() const { return bytes_; }
  // What a new entry with a sleep set of `n` events adds to bytes().
  static size_t entry_bytes(size_t n);

 private:
  struct Entry {
    uint32_t depth = 0;
    std::vector<uint64_t> sleep;  // sorted
  };
  Visit visit_bits(const StateId& id, const std::vector<uint64_t>& sleep);

  std::unordered_map<StateId, Entry, StateIdHash> map_;
  size_t bytes_ = 0;
  std::vector<uint64_t> bits_;  // bitstate: a power of two of bits
  uint64_t bits_set_ = 0;
  uint64_t bit_states_ = 0;  // states that set a bit
};

// The state cache as a search uses it: the table of states explored, the
// runs it stopped, whether fingerprints hold the virtual time, and the
// rounds of a shortest-first search (each explores every run up to a
// depth, one step deeper than the last).
class StateCache {
 public:
  explicit StateCache(bool shortest) : shortest_(shortest) { forget({}); }
  // A bit table of `bytes` bytes instead of the exact one (--bitstate).
  void use_bits(size_t bytes) {
    bits_bytes_ = bytes;
    table_.use_bits(bytes);
  }
  bool lossy() const { return table_.lossy(); }

  // At state `id`, met after `depth` steps, whose enabled events the
  // system names `names` (one per event; asleep[i]: event i sleeps here):
  // whether any is left to explore from it. When one is, `restricted`
  // says whether only some are, and `only` lists those (indexes into
  // `names`). A state with none left is a hit (counted).
  bool unexplored(const StateId& id, uint32_t depth, std::span<const uint64_t> names, const std::vector<bool>& asleep,
                  bool& restricted, std::vector<size_t>& only);
  // A run stopped where every event awake had been explored from an
  // equivalent state (a hit that unexplored() did not see).
  void count_hit() { ++hits_; }

  // Forgets every state: the search starts again, with fingerprints taken
  // with `options` from now on (the time in them once a run read the
  // clock, the numbering once one read that), and a shortest-first search
  // from its first round.
  void forget(const StateOptions& options);
  const StateOptions& options() const { return options_; }

  // Shortest first: the depth this round goes to (no limit otherwise); a
  // run cut there, or failing, in this round; and whether the round is
  // over with no bug while runs went deeper, when the next round (deepen)
  // is one step deeper.
  uint32_t depth_limit() const { return depth_limit_; }
  void note_cut() { cut_in_round_ = cut_ = true; }
  // A run was cut off at max_steps.
  void note_max_steps() { cut_ = true; }
  void note_failure() { failed_in_round_ = true; }
  bool round_over(bool exhausted) const { return shortest_ && !failed_in_round_ && cut_in_round_ && exhausted; }
  void deepen();

  Search::StateCounts counts() const {
    Search::StateCounts c{table_.size(), hits_, options_.absolute_time, options_.ids, shortest_ ? depth_limit_ : 0};
    c.bitstate_bytes = table_.lossy() ? table_.bytes() : 0;  // the power of two of bits that fits
    c.omission_probability = table_.omission_probability();
    return c;
  }
  uint64_t size() const { return table_.size(); }
  size_t bytes() const { return table_.bytes(); }

 private:
  StateTable table_;
  size_t bits_bytes_ = 0;  // --bitstate: the bit table's size (0: exact)
  uint64_t hits_ = 0;  // runs stopped at a state explored before
  StateOptions options_;
  bool shortest_ = false;
  uint32_t depth_limit_ = UINT32_MAX;
  bool cut_in_round_ = false;
  bool cut_ = false;  // a run was cut off since the table was empty
  bool failed_in_round_ = false;
  std::vector<uint64_t> sleep_, wake_;  // scratch for unexplored()
};

}  // namespace lockstep::dfs

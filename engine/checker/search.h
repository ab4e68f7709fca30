// The searches behind the checkers, as resumable objects: check() runs
// each part of a history a slice at a time, so the first part that is not
// consistent decides at once, and a time or memory bound can end the check
// between slices.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/checker/checker.h"

namespace lockstep::checker {

class Search {
 public:
  enum class Progress { kRunning, kConsistent, kViolation };
  virtual ~Search() = default;
  // Runs at most about `budget` search steps.
  virtual Progress run(uint64_t budget) = 0;
  // Bytes held by the search's cache and stacks.
  virtual uint64_t memory() const = 0;
  // After kViolation: the explanation (longest prefix, stuck operations).
  virtual CheckResult violation() = 0;
  virtual uint64_t explored() const = 0;
};

// Wing-Gong / Lowe linearizability search with a cache of (linearized set,
// model state), as in Porcupine. `model` must outlive the search.
std::unique_ptr<Search> linearizability_search(std::vector<Operation> ops, Model& model);

// Sequential consistency: each client's order, no real time across clients.
std::unique_ptr<Search> sequential_search(std::vector<Operation> ops, Model& model);

}  // namespace lockstep::checker

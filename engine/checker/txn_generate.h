// Synthetic transactional histories for tests and benchmarks: a store
// that is strictly serializable by construction (each transaction takes
// effect atomically at a moment between its invocation and completion),
// driven by concurrent clients, with one anomaly injected on request.
#pragma once

#include <cstdint>
#include <string>

#include "engine/checker/txn.h"

namespace lockstep::checker::txn {

struct GenerateOptions {
  Model model = Model::kListAppend;
  int64_t transactions = 1000;
  int clients = 10;
  int keys = 20;          // keys in use at once; a key retires after `appends_per_key` writes
  int mops = 4;           // micro-operations per transaction, at most
  double reads = 0.5;     // fraction of micro-operations that read
  int appends_per_key = 32;
  double unknown = 0.0;   // fraction of transactions whose outcome is lost (:info)
  // An anomaly to add, on keys of its own, part way through: "" (none), "G0",
  // "G1a", "G1b", "G1c", "G-single", "G2-item", "internal", "lost-update",
  // "incompatible-order" (list-append), "duplicate-elements" (list-append).
  std::string inject;
  uint64_t seed = 1;
};

// EDN lines, one operation per line, with :index, :process, :type.
std::string generate_history(const GenerateOptions& options);

}  // namespace lockstep::checker::txn

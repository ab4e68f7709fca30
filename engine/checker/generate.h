// Synthetic Jepsen-style histories for tests and benchmarks (bench/): a
// register or per-key registers driven by concurrent clients, linearizable
// by construction unless a stale read is injected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/checker/history.h"

namespace lockstep::checker {

struct GenerateOptions {
  std::string model = "register";  // "register" (read/write) or "kv" (get/put per key)
  int clients = 10;
  int64_t operations = 1000;
  int keys = 8;                    // kv only
  double reads = 0.5;              // fraction of operations that read
  double unknown = 0.0;            // fraction whose outcome is lost (:info; the client is then replaced)
  bool violation = false;          // one read, halfway, returns a value overwritten before it began
  uint64_t seed = 1;
};

// Each step of the simulation picks a client at random and moves it on:
// idle -> invoked -> took effect (now, in the model) -> completed. Written
// values are distinct (1, 2, 3, ...); the initial value is nil (kv: absent).
std::vector<HistoryEvent> generate_history(const GenerateOptions& options);

// The events as a Jepsen log (register: the etcd tests' format) or EDN lines
// (kv: Porcupine's kv format), both of which `lockstep check` reads.
std::string to_jepsen_text(const std::vector<HistoryEvent>& events, const std::string& model);

}  // namespace lockstep::checker

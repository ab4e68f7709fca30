#include "engine/checker/checker.h"

#include <algorithm>
#include <numeric>

namespace lockstep::checker {

std::string Value::str() const {
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kInt: return std::to_string(i);
    case Kind::kString: return "\"" + s + "\"";
    case Kind::kBool: return i ? "true" : "false";
    case Kind::kPair: return "[" + std::to_string(i) + " " + std::to_string(j) + "]";
    case Kind::kAtom:
    case Kind::kAtomPair: return s;
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

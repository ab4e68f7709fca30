#include "engine/checker/checker.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <numeric>

#include "engine/checker/register_zones.h"
#include "engine/checker/search.h"

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

namespace {

// Search steps per slice: small at first, so an easy part's verdict is not
// kept waiting by a hard one; larger later, so switching costs nothing.
constexpr uint64_t kFirstSlice = 1 << 12, kLastSlice = 1 << 18;

CheckResult unknown(const char* why, CheckResult total) {
  total.ok = false;
  total.verdict = CheckResult::Verdict::kUnknown;
  total.unknown = why;
  total.explanation = std::string("no verdict: the check reached its ") +
                      (total.unknown == "timeout" ? "time" : "memory") + " bound";
  return total;
}

CheckResult check_parts(const std::vector<Operation>& ops, Model& model, Consistency consistency,
                        const CheckLimits& limits) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto out_of_time = [&] {
    return limits.seconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() > limits.seconds;
  };
  CheckResult total;
  struct Part {
    std::string key;
    std::unique_ptr<Model> model;
    std::unique_ptr<Search> search;
    uint64_t memory = 0;
  };
  uint64_t memory = 0;  // held by the searches now
  auto failed = [&](CheckResult r, const std::string& key) {
    if (!key.empty()) {
      r.partition = key;
      r.explanation = "key \"" + key + "\": " + r.explanation;
    }
    r.explored += total.explored;
    r.parts = total.parts;
    r.dropped = total.dropped;
    r.by_zones = total.by_zones;
    r.memory = total.memory;
    return r;
  };
  std::vector<Part> searching;
  for (auto& part : model.partition(ops)) {
    ++total.parts;
    const std::string key = part.empty() ? "" : part.front().key;
    auto m = model.fresh();
    // An unknown-outcome read constrains nothing: leave it out.
    for (Operation& op : part) m->prepare(op);
    const auto kept = std::remove_if(part.begin(), part.end(),
                                     [&](const Operation& op) { return !op.known && m->read_only(op); });
    total.dropped += static_cast<size_t>(part.end() - kept);
    part.erase(kept, part.end());
    if (consistency == Consistency::kLinearizable) {
      if (auto decided = check_register_by_zones(part, *m)) {
        ++total.by_zones;
        total.explored += decided->explored;
        if (!decided->ok) return failed(std::move(*decided), key);
        continue;
      }
    }
    auto search = consistency == Consistency::kLinearizable ? linearizability_search(std::move(part), *m)
                                                            : sequential_search(std::move(part), *m);
    const uint64_t held = search->memory();
    memory += held;
    searching.push_back({key, std::move(m), std::move(search), held});
  }
  if (out_of_time()) return unknown("timeout", total);
  // Every part a slice at a time, in order, until one fails or all pass.
  for (uint64_t slice = kFirstSlice; !searching.empty(); slice = std::min(slice * 2, kLastSlice)) {
    for (size_t k = 0; k < searching.size();) {
      Search& search = *searching[k].search;
      const uint64_t before = search.explored();
      const Search::Progress p = search.run(slice);
      total.explored += search.explored() - before;
      if (p == Search::Progress::kViolation) {
        CheckResult r = search.violation();
        r.explored = 0;
        return failed(std::move(r), searching[k].key);
      }
      const uint64_t held = search.memory();
      memory = memory - searching[k].memory + held;
      searching[k].memory = held;
      total.memory = std::max(total.memory, memory);
      if (p == Search::Progress::kConsistent) {
        memory -= held;
        searching.erase(searching.begin() + static_cast<std::ptrdiff_t>(k));
        continue;
      }
      if (limits.memory_bytes > 0 && memory > limits.memory_bytes) return unknown("memory", total);
      if (out_of_time()) return unknown("timeout", total);
      ++k;
    }
  }
  return total;
}

}  // namespace

CheckResult check(const std::vector<Operation>& ops, Model& model, Consistency consistency,
                  const CheckLimits& limits) {
  try {
    return check_parts(ops, model, consistency, limits);
  } catch (const std::bad_alloc&) {
    return unknown("memory", CheckResult{});
  }
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

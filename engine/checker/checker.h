// Consistency checkers for Jepsen-style histories (SPEC 5.8).
//
// A history is a list of operations, each with the client that ran it, the
// times it was invoked and completed, its input and (if known) its output.
// An operation whose outcome is unknown (Jepsen's :info, a timed-out read,
// an invocation never completed) may or may not have taken effect: it never
// returns, so it can be linearized at any point after its call, or at the
// very end, where it constrains nothing. A failed operation (:fail) took no
// effect and is left out by the parsers.
//
// check() partitions the history with the model (per key for kv), drops
// operations with an unknown outcome that cannot change the state (a read),
// decides register parts with distinct writes in O(n log n)
// (register_zones.h), and runs the Wing-Gong / Lowe search with a cache of
// (linearized set, model state), as Porcupine does, on the rest: the parts a
// slice at a time, so the first part that is not linearizable decides at
// once. The engine knows nothing of Lua: models written in Lua implement the
// same Model interface.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::checker {

// A small value: what register and kv histories carry. Values from a
// scenario (any Lua value) are atoms: interned by the scenario's notion of
// equality, compared by id, shown as the scenario shows them.
struct Value {
  enum class Kind : uint8_t { kNil, kInt, kString, kBool, kPair, kAtom, kAtomPair } kind = Kind::kNil;
  int64_t i = 0, j = 0;  // kInt (i); kPair (i, j); kBool (i != 0); kAtom (id i); kAtomPair (ids i, j)
  std::string s;         // kString; kAtom and kAtomPair: how it reads

  static Value nil() { return {}; }
  static Value integer(int64_t v) { return {Kind::kInt, v, 0, {}}; }
  static Value string(std::string v) { return {Kind::kString, 0, 0, std::move(v)}; }
  static Value boolean(bool v) { return {Kind::kBool, v ? 1 : 0, 0, {}}; }
  static Value pair(int64_t a, int64_t b) { return {Kind::kPair, a, b, {}}; }
  static Value atom(int64_t id, std::string text) { return {Kind::kAtom, id, 0, std::move(text)}; }
  static Value atom_pair(int64_t a, int64_t b, std::string text) { return {Kind::kAtomPair, a, b, std::move(text)}; }
  bool operator==(const Value& o) const { return kind == o.kind && i == o.i && j == o.j && s == o.s; }
  std::string str() const;
};

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Operation {
  int64_t client = 0;
  int64_t call = 0;       // invocation time (any increasing clock: event index)
  int64_t ret = kNever;   // completion time; kNever when the outcome is unknown
  std::string f;          // "read", "write", "cas", "get", "put", "append", ...
  std::string key;        // for keyed models
  Value input;
  Value output;
  bool known = true;      // false: the output is unknown (and the op may not have happened)
  int64_t id = 0;         // position in the original history, for reports
  int64_t invoke_event = -1;    // pair_history: index of its invocation among the events
  int64_t complete_event = -1;  // and of its completion (-1: none)
  int code = -1;          // the model's own code for `f` (set by Model::prepare)
  uint32_t prepared[2] = {0, 0};  // what Model::prepare resolved the input and output to (its own ids)

  std::string str() const;  // "client 3: cas [1 2] -> false"
};

// A sequential specification. States are interned by the model as small
// integer ids, so the search can cache (linearized set, state) pairs.
class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual uint32_t init() = 0;
  // Called once per operation before a search: lets the model resolve `f`
  // into `code`, and values into its own ids in `prepared`, so step()
  // never compares strings or looks a value up.
  virtual void prepare(Operation& op) {}
  // Applies `op` to state `s`: false if its output is impossible there.
  // An op with an unknown output accepts any output.
  virtual bool step(uint32_t s, const Operation& op, uint32_t& next) = 0;
  virtual std::string describe_state(uint32_t s) const = 0;
  // Independent sub-histories (kv: one per key); by default the whole one.
  virtual std::vector<std::vector<Operation>> partition(const std::vector<Operation>& ops) const { return {ops}; }
  // A fresh model of the same kind, for checking one partition.
  virtual std::unique_ptr<Model> fresh() const = 0;
  // The operations (f) it knows; empty: any (a model that judges each).
  virtual std::vector<std::string> operations() const { return {}; }
  // True if `op` leaves every state as it is, whatever its output (a read).
  // With an unknown outcome such an operation constrains nothing, and the
  // checker leaves it out (as Knossos and Porcupine do).
  virtual bool read_only(const Operation& op) const { return false; }
  // For a model that is a register (a read returns the last write's value):
  // the initial value's name, and whether `op` is a plain write or read of
  // which value (false: neither). The checker then decides histories whose
  // writes are distinct in polynomial time (register_zones.h).
  virtual std::optional<std::string> register_initial() const { return std::nullopt; }
  virtual bool register_value(const Operation& op, bool& write, std::string& value) const { return false; }
};

// An error naming the first operation `model` does not know (a history
// checked against the wrong model is not "not linearizable").
Status check_operations(const std::vector<Operation>& ops, const Model& model);

// The built-in models for recorded histories and scenarios.
std::unique_ptr<Model> make_register_model(Value initial = Value::nil());  // read / write / cas
std::unique_ptr<Model> make_kv_model();                                    // get / put / append per key
std::unique_ptr<Model> make_counter_model(int64_t initial = 0);            // read / add (or increment)
std::unique_ptr<Model> make_queue_model();                                 // enqueue / dequeue
std::unique_ptr<Model> make_set_model();                                   // add / remove / contains / read
// By name, or nullptr; `initial` is the register's or counter's first value.
std::unique_ptr<Model> make_model(const std::string& name, const Value& initial = Value::nil());

struct CheckResult {
  // kUnknown: a bound (time, memory) ended the check before a verdict.
  enum class Verdict { kConsistent, kViolation, kUnknown };
  Verdict verdict = Verdict::kConsistent;
  bool ok = true;                         // verdict == kConsistent
  std::string unknown;                    // kUnknown: "timeout" or "memory"
  // On a violation: which partition, how far the search got, what could
  // not be placed, in a readable form.
  std::string partition;                 // e.g. key "x", empty when unpartitioned
  std::vector<Operation> longest_prefix;  // the longest linearizable prefix found
  std::vector<Operation> stuck;           // operations that could not be placed next
  std::string state;                      // model state after the prefix
  std::string explanation;
  uint64_t explored = 0;                  // search steps, for diagnostics
  size_t parts = 0;                       // independent parts (keys) checked
  size_t dropped = 0;                     // unknown-outcome reads left out
  size_t by_zones = 0;                    // parts decided by the register procedure
  uint64_t memory = 0;                    // peak bytes held by the searches
};

// Bounds on one check; 0 means none. Past either, the verdict is kUnknown.
struct CheckLimits {
  double seconds = 0;
  uint64_t memory_bytes = 0;
  // Threads deciding independent parts (kv keys) at once. The verdict and
  // report are those of one thread; the memory bound then counts what all
  // threads' searches hold.
  unsigned jobs = 1;
};

enum class Consistency { kLinearizable, kSequential };

// Checks `ops` against `model`. Sequential consistency drops real-time
// order between clients and keeps each client's program order.
CheckResult check(const std::vector<Operation>& ops, Model& model, Consistency consistency,
                  const CheckLimits& limits = {});

inline CheckResult linearizable(const std::vector<Operation>& ops, Model& model) {
  return check(ops, model, Consistency::kLinearizable);
}

// Every order of every subset of unknown-outcome operations, by brute force:
// the reference the property tests compare check() with. Small histories only.
bool brute_force_linearizable(const std::vector<Operation>& ops, Model& model);

}  // namespace lockstep::checker

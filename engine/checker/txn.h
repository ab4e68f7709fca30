// Transactional histories: which isolation level a history of
// transactions violates, and why (lockstep check --model list-append |
// rw-register; ls.checker.txn).
//
// The method is Elle's (Kingsbury and Alvaro, "Elle: Inferring Isolation
// Anomalies from Experimental Observations", VLDB 2020): each transaction
// is a list of micro-operations on keys; from what the reads saw, infer a
// version order per key (list-append: a read of a list shows the order of
// every append in it; rw-register: writes are unique, and a transaction
// that read v1 and then wrote v2 puts v1 before v2), then the dependencies
// between transactions Adya defines — write-write (ww), write-read (wr),
// read-write anti-dependencies (rw) — plus, for the -process and -realtime
// variants, each process's order and real-time order (one transaction
// completed before another began). A cycle in that graph is an anomaly,
// named by its edges (G0: ww only; G1c: ww and wr; G-single: exactly one
// rw; G2-item: more), and so are reads no serial order explains (G1a: a
// read of a failed transaction's write; G1b: of an intermediate write;
// internal: a transaction that does not see its own writes; incompatible
// orders and duplicate elements in list reads; garbage reads of values no
// one wrote). Each consistency model rules out a set of them (see
// docs/checkers.md). Strongly connected components first, then a
// breadth-first search for the shortest cycle of each kind inside each:
// about linear in the history's size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace lockstep::checker::txn {

enum class Model : uint8_t { kListAppend, kRwRegister };
enum class Consistency : uint8_t { kReadCommitted, kSnapshotIsolation, kSerializable, kStrictSerializable };

std::string_view model_name(Model m);
std::string_view consistency_name(Consistency c);
bool parse_model(std::string_view name, Model& out);
bool parse_consistency(std::string_view name, Consistency& out);

inline constexpr int64_t kNil = -1;  // a register read of nothing; no element

// One micro-operation: [:append k v], [:w k v] or [:r k result].
struct Mop {
  enum class F : uint8_t { kAppend, kWrite, kRead };
  F f = F::kRead;
  uint32_t key = 0;    // into History::keys
  int64_t value = kNil;  // append/write: the element (into History::values); register read: what it saw
  bool known = false;  // a read whose result is known (in a completed transaction)
  std::vector<int64_t> list;  // list-append read: the elements it saw, in order
};

struct Txn {
  enum class Type : uint8_t { kOk, kFail, kInfo };
  Type type = Type::kOk;
  int64_t process = INT64_MIN;  // none
  int64_t index = -1;           // the history's :index, or the transaction's number
  int64_t invoke = -1;          // event positions: real-time order
  int64_t complete = -1;        // -1: never completed (info)
  size_t line = 0;              // where it completed (or was invoked, if it never did)
  std::vector<Mop> mops;
};

struct History {
  std::vector<Txn> txns;
  std::vector<std::string> keys;    // as written in the history
  std::vector<std::string> values;  // elements, as written
  bool has_invocations = false;     // real-time order is known
};

// Reads a history: Jepsen EDN (one map per line, or one vector of maps)
// with :type, :f :txn, :value [[:append k v] [:r k nil] ...], :process and
// optional :index; or JSON lines ({"type": "ok", "process": 0, "value":
// [["append", "x", 1], ["r", "x", [1]]]}). Invocations are paired with the
// completions of the same process; a completion with no invocation counts
// as its own. Errors name the file and line.
Result<History> parse_history(std::string_view text, const std::string& name, Model model);

enum Edge : uint8_t { kWW = 1, kWR = 2, kRW = 4, kProcess = 8, kRealtime = 16 };

struct Dependency {
  uint32_t from = 0, to = 0;  // transactions
  Edge kind = kWW;
  uint32_t key = 0;
  int64_t value = kNil;  // the element (or register value) that shows it
};

struct Anomaly {
  std::string type;  // "G0", "G1c-process", "G-single-realtime", "G1a", "incompatible-order", ...
  std::vector<uint32_t> txns;        // the transactions involved (a cycle: in order)
  std::vector<Dependency> cycle;     // a cycle's edges, in order (empty for other anomalies)
  std::string explanation;           // in words
};

struct Limits {
  double seconds = 0;          // 0: none
  uint64_t memory_bytes = 0;   // 0: none
};

struct Report {
  Model model = Model::kListAppend;
  Consistency consistency = Consistency::kSerializable;
  bool valid = true;   // no anomaly the consistency model rules out
  bool unknown = false;
  std::string unknown_why;               // "timeout", "memory"
  std::vector<Anomaly> anomalies;        // the smallest found of each type
  std::vector<std::string> ruled_out;    // models the anomalies found rule out, weakest first
  size_t transactions = 0;
  size_t dependencies = 0;
  double seconds = 0;
};

// The strongest model a history can be judged by: strict-serializable
// when it records invocations (real-time order), else serializable.
Consistency strongest(const History& h);

Report check(const History& h, Model model, Consistency consistency, const Limits& limits = {});

// Which models an anomaly type rules out (weakest first), and whether
// `consistency` is one of them.
std::vector<Consistency> ruled_out_by(std::string_view anomaly);
bool forbids(Consistency consistency, std::string_view anomaly);

// The report as `check` prints it, as JSON, and the cycles as a Graphviz
// DOT graph.
std::string report_text(const std::string& file, const History& h, const Report& r);
std::string report_json(const std::string& file, const History& h, const Report& r);
std::string report_dot(const History& h, const Report& r);

}  // namespace lockstep::checker::txn

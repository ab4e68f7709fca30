// Options, declared once. Every option a test can set (ls.test) and the
// command line can override is one OptionSpec row: the general ones in
// test_options(), a strategy's parameters in its row of the strategy table.
// From these rows come the `run` flags and their help, ls.test's checks and
// error texts, resolution (flag > test > default), and how traces and
// dump-trace record the values.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/base/status.h"

namespace lockstep {

enum class OptionType : uint8_t {
  kCount,   // an integer >= 1
  kNumber,  // an integer >= 0
  kFlag,    // true / false (a flag without a value on the command line)
  kChoice,  // one of `choices` ("a|b|c")
  kName,    // a name checked elsewhere (the strategy)
  kFaults,  // a fault budget: "drop=2,crash=1" or "none" (FaultBudget)
};

// What a resolved value sets (see ResolvedOptions in engine/runner.h).
enum class OptionTarget : uint8_t {
  kStrategy,    // ResolvedOptions::strategy
  kIterations,  // ResolvedOptions::iterations
  kSeed,        // ResolvedOptions::seed
  kTimeBudget,  // ResolvedOptions::max_seconds: how long the test may run (not in traces)
  kRun,         // RunOptions, by name (engine/trace.h): recorded in traces
  kParam,       // StrategyParams, by name: recorded in traces
};

// When timers may fire: once nothing else can run, or at any step.
enum class TimerMode : uint8_t { kQuiescent, kAny };
// Messages between nodes: in order per sender and receiver, or in any order.
enum class NetworkMode : uint8_t { kFifo, kReorder };

// How many faults of each kind the strategy may inject in one iteration
// (docs/cluster.md, "Faults the strategy chooses"). A crash may be followed
// by the node's restart and an isolation by its heal, at no extra cost.
struct FaultBudget {
  uint32_t drop = 0;       // lose a message in flight instead of delivering it
  uint32_t duplicate = 0;  // deliver a message in flight and keep it in flight
  uint32_t crash = 0;      // stop a node (not the root's); it may restart
  uint32_t partition = 0;  // cut a node off from every other; it may heal

  bool empty() const { return drop + duplicate + crash + partition == 0; }
  bool operator==(const FaultBudget&) const = default;
};
inline constexpr uint32_t kMaxFaultsPerKind = 1000;

// Parses "drop=2,duplicate=1,crash=1,partition=1" (any order, any subset)
// or "none"; the error names the bad part.
Status parse_faults(std::string_view text, FaultBudget& out);
// The canonical text: kinds with a budget in the order above, or "none".
std::string format_faults(const FaultBudget& budget);

// The options that affect how one iteration runs (target kRun), as the
// system under test and the scheduler read them. Recorded in traces.
struct RunOptions {
  uint64_t max_steps = 10000;
  uint64_t iter_timeout_ms = 30000;
  uint64_t max_memory_mb = 1024;  // guest memory of one iteration
  uint64_t liveness_steps = 5000;  // hot streak that is a liveness bug (engine/scheduler.h)
  bool fail_on_max_steps = false;
  bool allow_crashes = false;
  TimerMode timers = TimerMode::kQuiescent;
  NetworkMode network = NetworkMode::kFifo;
  FaultBudget faults;                // faults a sampling strategy may inject
  // Not an option: the strategy's kind decides it (a search's root ends
  // only once no other process can take a step; engine/strategies/dfs.cc,
  // "The end of the test"). Set from the strategy's name, in runs and in
  // traces read back.
  bool root_waits = false;

  // The value of run option `name` as text ("" for an unknown name), and
  // setting it from checked text (false for an unknown name): both through
  // the option's row (OptionSpec::field).
  std::string get(std::string_view name) const;
  bool set(std::string_view name, std::string_view text);
  bool operator==(const RunOptions&) const = default;
};

// The RunOptions member a kRun row sets: its type says how its text
// parses (a count, a flag, a choice's index, a fault budget).
using RunField = std::variant<std::monostate, uint64_t RunOptions::*, bool RunOptions::*, TimerMode RunOptions::*,
                              NetworkMode RunOptions::*, FaultBudget RunOptions::*>;

struct OptionSpec {
  std::string_view name;      // the ls.test key and the name in traces: "max_steps"
  std::string_view flag;      // the `run` flag: "--max-steps"
  std::string_view help;      // one line, without the default
  OptionType type;
  OptionTarget target;
  std::string_view fallback;  // the default, as text
  std::string_view choices;   // kChoice: "quiescent|any"
  uint64_t max = 0;           // kCount/kNumber: the largest value accepted (0: any)
  RunField field = {};        // kRun: the member it sets
};

// Option values as text, by name: what a test declared or flags gave.
using OptionValues = std::map<std::string, std::string, std::less<>>;

// The general options (not strategy parameters), in --help order.
std::span<const OptionSpec> test_options();

// Whether `text` is a valid value of `spec`; the error names the option.
Status check_option(const OptionSpec& spec, std::string_view text);

// A value as a scenario gives it (ls.test's options table), before it is
// checked: the binding says what it holds, the engine checks it against the
// option's type in one place (test_option_text).
struct OptionInput {
  enum class Kind : uint8_t { kInteger, kBoolean, kString, kCounts, kOther } kind = Kind::kOther;
  int64_t integer = 0;
  bool boolean = false;
  std::string text;        // kString
  std::vector<std::pair<std::string, int64_t>> counts;  // kCounts: {drop = 2}
  bool malformed = false;  // kCounts: an entry that is not name = integer >= 0
  std::string type_name;   // what the scenario gave: "string", "table", ...
};
// The canonical text of `input` for `spec`, or an error in the words
// ls.test reports ("option 'max_steps' must be an integer, not a string").
Result<std::string> test_option_text(const OptionSpec& spec, const OptionInput& input);

// Parses a checked value.
uint64_t option_number(std::string_view text);
bool option_flag(std::string_view text);
// A kChoice value's place in its `choices` ("a|b": "b" is 1), as a
// strategy parameter holds it.
uint64_t option_choice(std::string_view choices, std::string_view text);

// Values keyed by name (strategy parameters, run options in traces), in
// name order.
class NamedValues {
 public:
  NamedValues() = default;
  NamedValues(std::initializer_list<std::pair<const std::string, uint64_t>> values) : values_(values) {}
  uint64_t get(std::string_view name, uint64_t fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  void set(std::string_view name, uint64_t value) { values_[std::string(name)] = value; }
  const std::map<std::string, uint64_t, std::less<>>& values() const { return values_; }
  bool operator==(const NamedValues&) const = default;

 private:
  std::map<std::string, uint64_t, std::less<>> values_;
};

}  // namespace lockstep

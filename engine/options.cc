#include "engine/options.h"

#include <array>
#include <charconv>

namespace lockstep {

std::span<const OptionSpec> test_options() {
  static constexpr std::array<OptionSpec, 12> kOptions = {{
      {"strategy", "--strategy", "exploration strategy", OptionType::kName, OptionTarget::kStrategy, "pct", ""},
      {"iterations", "--iterations", "schedules to explore per test", OptionType::kCount, OptionTarget::kIterations,
       "100", "", 1000000000000000},
      {"seed", "--seed", "base seed; iteration i runs with a seed derived from it", OptionType::kNumber,
       OptionTarget::kSeed, "1", ""},
      {"max_steps", "--max-steps", "sync points per iteration before it is cut off", OptionType::kCount,
       OptionTarget::kRun, "10000", "", 4000000000},
      {"iter_timeout", "--iter-timeout", "wall-clock bound on one iteration, ms", OptionType::kCount,
       OptionTarget::kRun, "30000", "", 86400000},
      {"max_memory", "--max-memory",
       "guest memory one iteration may use, MB; past it the iteration ends as a `memory` bug", OptionType::kCount,
       OptionTarget::kRun, "1024", "", 1048576},
      {"liveness_steps", "--liveness-steps",
       "a liveness monitor hot for more than this many consecutive steps under a fair strategy is a bug",
       OptionType::kCount, OptionTarget::kRun, "5000", "", 4000000000},
      {"fail_on_max_steps", "--fail-on-max-steps", "treat reaching max steps as a bug (livelock)",
       OptionType::kFlag, OptionTarget::kRun, "false", ""},
      {"allow_crashes", "--allow-crashes", "a process that crashes is not a bug by itself", OptionType::kFlag,
       OptionTarget::kRun, "false", ""},
      {"timers", "--timers", "when timers may fire: quiescent (when nothing else can run) or any (at any step)",
       OptionType::kChoice, OptionTarget::kRun, "quiescent", "quiescent|any"},
      {"network", "--network",
       "messages between nodes: fifo (in order per sender and receiver) or reorder (any may overtake another)",
       OptionType::kChoice, OptionTarget::kRun, "fifo", "fifo|reorder"},
      {"faults", "--faults",
       "faults the strategy may inject per iteration, e.g. drop=2,duplicate=1,crash=1,partition=1 (docs/cluster.md)",
       OptionType::kFaults, OptionTarget::kRun, "none", ""},
  }};
  return kOptions;
}

namespace {

bool parse_number(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool is_choice(std::string_view choices, std::string_view text) {
  size_t at = 0;
  while (at <= choices.size()) {
    size_t bar = choices.find('|', at);
    if (bar == std::string_view::npos) bar = choices.size();
    if (choices.substr(at, bar - at) == text) return true;
    at = bar + 1;
  }
  return false;
}

std::string or_list(std::string_view choices) {
  std::string out;
  size_t at = 0;
  while (at <= choices.size()) {
    size_t bar = choices.find('|', at);
    if (bar == std::string_view::npos) bar = choices.size();
    if (!out.empty()) out += bar == choices.size() ? " or " : ", ";
    out += "\"" + std::string(choices.substr(at, bar - at)) + "\"";
    at = bar + 1;
  }
  return out;
}

}  // namespace

Status check_option(const OptionSpec& spec, std::string_view text) {
  const std::string name(spec.name);
  uint64_t n = 0;
  switch (spec.type) {
    case OptionType::kCount:
      if (!parse_number(text, n) || n == 0) {
        return Status::InvalidArgument(name + " must be a positive integer, not \"" + std::string(text) + "\"");
      }
      break;
    case OptionType::kNumber:
      if (!parse_number(text, n)) {
        return Status::InvalidArgument(name + " must be a non-negative integer, not \"" + std::string(text) + "\"");
      }
      break;
    case OptionType::kFlag:
      if (text != "true" && text != "false") {
        return Status::InvalidArgument(name + " must be true or false, not \"" + std::string(text) + "\"");
      }
      break;
    case OptionType::kChoice:
      if (!is_choice(spec.choices, text)) {
        return Status::InvalidArgument(name + " must be " + or_list(spec.choices) + ", not \"" + std::string(text) +
                                       "\"");
      }
      break;
    case OptionType::kName:
      if (text.empty()) return Status::InvalidArgument(name + " must not be empty");
      break;
    case OptionType::kFaults: {
      FaultBudget budget;
      if (Status ok = parse_faults(text, budget); !ok.ok()) return Status::InvalidArgument(name + ": " + ok.message());
      break;
    }
  }
  if (spec.max != 0 && n > spec.max) {
    return Status::InvalidArgument(name + " must be at most " + std::to_string(spec.max) + ", not " +
                                   std::string(text));
  }
  return Status::Ok();
}

uint64_t option_number(std::string_view text) {
  uint64_t n = 0;
  parse_number(text, n);
  return n;
}

bool option_flag(std::string_view text) { return text == "true"; }

uint64_t option_choice(std::string_view choices, std::string_view text) {
  uint64_t index = 0;
  size_t at = 0;
  while (at <= choices.size()) {
    size_t bar = choices.find('|', at);
    if (bar == std::string_view::npos) bar = choices.size();
    if (choices.substr(at, bar - at) == text) return index;
    ++index;
    at = bar + 1;
  }
  return 0;
}

namespace {

struct FaultKind {
  std::string_view name;
  uint32_t FaultBudget::*count;
};
constexpr std::array<FaultKind, 4> kFaultKinds = {{
    {"drop", &FaultBudget::drop},
    {"duplicate", &FaultBudget::duplicate},
    {"crash", &FaultBudget::crash},
    {"partition", &FaultBudget::partition},
}};

}  // namespace

Status parse_faults(std::string_view text, FaultBudget& out) {
  out = FaultBudget{};
  if (text == "none" || text.empty()) return Status::Ok();
  const auto known = [] {
    std::string s;
    for (const FaultKind& k : kFaultKinds) s += (s.empty() ? "" : ", ") + std::string(k.name);
    return s;
  };
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view part = text.substr(at, comma - at);
    const size_t eq = part.find('=');
    const std::string_view kind = part.substr(0, eq);
    const FaultKind* found = nullptr;
    for (const FaultKind& k : kFaultKinds) {
      if (k.name == kind) found = &k;
    }
    if (!found) {
      return Status::InvalidArgument("unknown fault kind \"" + std::string(kind) + "\" (known: " + known() + ")");
    }
    uint64_t n = 0;
    if (eq == std::string_view::npos || !parse_number(part.substr(eq + 1), n)) {
      return Status::InvalidArgument("expected " + std::string(kind) + "=N, not \"" + std::string(part) + "\"");
    }
    if (n > kMaxFaultsPerKind) {
      return Status::InvalidArgument(std::string(kind) + " must be at most " + std::to_string(kMaxFaultsPerKind) +
                                     ", not " + std::to_string(n));
    }
    out.*(found->count) = static_cast<uint32_t>(n);
    at = comma + 1;
  }
  return Status::Ok();
}

std::string format_faults(const FaultBudget& budget) {
  std::string s;
  for (const FaultKind& k : kFaultKinds) {
    if (budget.*(k.count) == 0) continue;
    s += (s.empty() ? "" : ",") + std::string(k.name) + "=" + std::to_string(budget.*(k.count));
  }
  return s.empty() ? "none" : s;
}

std::string RunOptions::get(std::string_view name) const {
  if (name == "max_steps") return std::to_string(max_steps);
  if (name == "iter_timeout") return std::to_string(iter_timeout_ms);
  if (name == "max_memory") return std::to_string(max_memory_mb);
  if (name == "liveness_steps") return std::to_string(liveness_steps);
  if (name == "fail_on_max_steps") return fail_on_max_steps ? "true" : "false";
  if (name == "allow_crashes") return allow_crashes ? "true" : "false";
  if (name == "timers") return timers;
  if (name == "network") return network;
  if (name == "faults") return format_faults(faults);
  return "";
}

bool RunOptions::set(std::string_view name, std::string_view text) {
  if (name == "max_steps") max_steps = option_number(text);
  else if (name == "iter_timeout") iter_timeout_ms = option_number(text);
  else if (name == "max_memory") max_memory_mb = option_number(text);
  else if (name == "liveness_steps") liveness_steps = option_number(text);
  else if (name == "fail_on_max_steps") fail_on_max_steps = option_flag(text);
  else if (name == "allow_crashes") allow_crashes = option_flag(text);
  else if (name == "timers") timers = std::string(text);
  else if (name == "network") network = std::string(text);
  else if (name == "faults") parse_faults(text, faults);
  else return false;
  return true;
}

}  // namespace lockstep

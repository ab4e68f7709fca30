#include "engine/options.h"

#include <array>
#include <charconv>

namespace lockstep {

std::span<const OptionSpec> test_options() {
  static constexpr std::array<OptionSpec, 13> kOptions = {{
      {"strategy", "--strategy", "exploration strategy", OptionType::kName, OptionTarget::kStrategy, "pct", ""},
      {"iterations", "--iterations", "schedules to explore per test", OptionType::kCount, OptionTarget::kIterations,
       "100", "", 1000000000000000},
      {"seed", "--seed", "base seed; iteration i runs with a seed derived from it", OptionType::kNumber,
       OptionTarget::kSeed, "1", ""},
      {"max_seconds", "--max-seconds",
       "wall-clock budget of each test, seconds (0: none): it stops at an iteration boundary, reports what "
       "ran and says it was bounded by time",
       OptionType::kNumber, OptionTarget::kTimeBudget, "0", "", 31536000},
      {"max_steps", "--max-steps", "sync points per iteration before it is cut off", OptionType::kCount,
       OptionTarget::kRun, "10000", "", 4000000000, &RunOptions::max_steps},
      {"iter_timeout", "--iter-timeout", "wall-clock bound on one iteration's steps, ms", OptionType::kCount,
       OptionTarget::kRun, "30000", "", 86400000, &RunOptions::iter_timeout_ms},
      {"max_memory", "--max-memory",
       "memory one iteration may use, MB (its guest heap, and the record of its steps at 512 bytes a step); past it the "
       "iteration ends as a `memory` bug",
       OptionType::kCount,
       OptionTarget::kRun, "1024", "", 1048576, &RunOptions::max_memory_mb},
      {"liveness_steps", "--liveness-steps",
       "a liveness monitor hot for more than this many consecutive steps under a fair strategy is a bug",
       OptionType::kCount, OptionTarget::kRun, "5000", "", 4000000000, &RunOptions::liveness_steps},
      {"fail_on_max_steps", "--fail-on-max-steps", "treat reaching max steps as a bug (livelock)",
       OptionType::kFlag, OptionTarget::kRun, "false", "", 0, &RunOptions::fail_on_max_steps},
      {"allow_crashes", "--allow-crashes", "a process that crashes is not a bug by itself", OptionType::kFlag,
       OptionTarget::kRun, "false", "", 0, &RunOptions::allow_crashes},
      {"timers", "--timers", "when timers may fire: quiescent (when nothing else can run) or any (at any step)",
       OptionType::kChoice, OptionTarget::kRun, "quiescent", "quiescent|any", 0, &RunOptions::timers},
      {"network", "--network",
       "messages between nodes: fifo (in order per sender and receiver) or reorder (any may overtake another)",
       OptionType::kChoice, OptionTarget::kRun, "fifo", "fifo|reorder", 0, &RunOptions::network},
      {"faults", "--faults",
       "faults the strategy may inject per iteration, e.g. drop=2,duplicate=1,crash=1,partition=1 (docs/cluster.md)",
       OptionType::kFaults, OptionTarget::kRun, "none", "", 0, &RunOptions::faults},
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

namespace {

const OptionSpec* run_option(std::string_view name) {
  for (const OptionSpec& spec : test_options()) {
    if (spec.name == name && spec.target == OptionTarget::kRun) return &spec;
  }
  return nullptr;
}

// Choice `index` of "a|b|c".
std::string choice_name(std::string_view choices, size_t index) {
  size_t at = 0;
  for (; index > 0 && at <= choices.size(); --index) at = choices.find('|', at) + 1;
  return std::string(choices.substr(at, choices.find('|', at) - at));
}

}  // namespace

std::string RunOptions::get(std::string_view name) const {
  const OptionSpec* spec = run_option(name);
  if (!spec) return "";
  return std::visit(
      [&](auto member) -> std::string {
        using M = decltype(member);
        if constexpr (std::is_same_v<M, uint64_t RunOptions::*>) {
          return std::to_string(this->*member);
        } else if constexpr (std::is_same_v<M, bool RunOptions::*>) {
          return this->*member ? "true" : "false";
        } else if constexpr (std::is_same_v<M, FaultBudget RunOptions::*>) {
          return format_faults(this->*member);
        } else if constexpr (std::is_same_v<M, std::monostate>) {
          return "";
        } else {  // an enum: its choice
          return choice_name(spec->choices, static_cast<size_t>(this->*member));
        }
      },
      spec->field);
}

bool RunOptions::set(std::string_view name, std::string_view text) {
  const OptionSpec* spec = run_option(name);
  if (!spec) return false;
  std::visit(
      [&](auto member) {
        using M = decltype(member);
        if constexpr (std::is_same_v<M, uint64_t RunOptions::*>) {
          this->*member = option_number(text);
        } else if constexpr (std::is_same_v<M, bool RunOptions::*>) {
          this->*member = option_flag(text);
        } else if constexpr (std::is_same_v<M, FaultBudget RunOptions::*>) {
          parse_faults(text, this->*member);
        } else if constexpr (!std::is_same_v<M, std::monostate>) {
          using E = std::remove_reference_t<decltype(this->*member)>;
          this->*member = static_cast<E>(option_choice(spec->choices, text));
        }
      },
      spec->field);
  return true;
}

namespace {

std::string type_error(const OptionSpec& spec, const char* wanted, const OptionInput& in) {
  return "option '" + std::string(spec.name) + "' must be " + wanted + ", not a " + in.type_name;
}

// A fault budget given as a table ({drop = 2, crash = 1}), in canonical text.
Result<std::string> faults_text(const OptionInput& in) {
  if (in.malformed) {
    return Status::InvalidArgument("option 'faults' maps fault kinds to counts, e.g. {drop = 2, crash = 1}");
  }
  std::string text;
  for (const auto& [kind, n] : in.counts) text += (text.empty() ? "" : ",") + kind + "=" + std::to_string(n);
  FaultBudget budget;
  if (!text.empty() && parse_faults(text, budget).ok()) return format_faults(budget);
  return text.empty() ? std::string("none") : text;  // a bad kind: check_option names it
}

Result<std::string> input_text(const OptionSpec& spec, const OptionInput& in) {
  using Kind = OptionInput::Kind;
  switch (spec.type) {
    case OptionType::kCount:
    case OptionType::kNumber:
      if (in.kind != Kind::kInteger) return Status::InvalidArgument(type_error(spec, "an integer", in));
      if (in.integer < 0) {
        return Status::InvalidArgument("option '" + std::string(spec.name) + "' must be a non-negative integer");
      }
      return std::to_string(in.integer);
    case OptionType::kFlag:
      if (in.kind != Kind::kBoolean) return Status::InvalidArgument(type_error(spec, "a boolean", in));
      return std::string(in.boolean ? "true" : "false");
    case OptionType::kChoice:
    case OptionType::kName:
      if (in.kind != Kind::kString) return Status::InvalidArgument(type_error(spec, "a string", in));
      return in.text;
    case OptionType::kFaults:
      if (in.kind == Kind::kString) return in.text;
      if (in.kind != Kind::kCounts) return Status::InvalidArgument(type_error(spec, "a table", in));
      return faults_text(in);
  }
  return Status::InvalidArgument("option '" + std::string(spec.name) + "' has no type");
}

}  // namespace

Result<std::string> test_option_text(const OptionSpec& spec, const OptionInput& input) {
  Result<std::string> text = input_text(spec, input);
  if (!text.ok()) return text;
  if (Status ok = check_option(spec, *text); !ok.ok()) return Status::InvalidArgument("option " + ok.message());
  return text;
}

}  // namespace lockstep

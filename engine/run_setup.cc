// What a test's run starts from: its options resolved (command line >
// test > default, checked against the option table) and where its traces
// go. Declared in engine/runner.h.
#include <cctype>

#include "engine/runner.h"

namespace lockstep {

namespace {

bool takes(const StrategyInfo& s, std::string_view param) {
  for (const OptionSpec& p : s.params) {
    if (p.name == param) return true;
  }
  return false;
}

// The parameter spec named `name` of any strategy in `table`, or null.
const OptionSpec* find_param(std::string_view name, std::span<const StrategyInfo> table) {
  for (const StrategyInfo& s : table) {
    for (const OptionSpec& p : s.params) {
      if (p.name == name) return &p;
    }
  }
  return nullptr;
}

}  // namespace

std::string strategies_taking(std::string_view name, std::span<const StrategyInfo> table) {
  std::vector<std::string_view> names;
  for (const StrategyInfo& s : table) {
    if (takes(s, name)) names.push_back(s.name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i]);
  }
  return out;
}

Status check_flags(const TestOptions& flags, std::span<const StrategyInfo> table) {
  auto chosen = flags.find("strategy");
  if (chosen == flags.end()) return Status::Ok();
  const StrategyInfo* info = find_strategy(chosen->second, table);
  if (!info) return Status::Ok();  // resolve_options names the known ones
  for (const auto& [name, value] : flags) {
    const OptionSpec* param = find_param(name, table);
    if (param && !takes(*info, name)) {
      return Status::InvalidArgument(std::string(param->flag) + " is a parameter of " + strategies_taking(name, table) +
                                     "; --strategy " + chosen->second + " does not take it");
    }
  }
  return Status::Ok();
}

Result<ResolvedOptions> resolve_options(const TestOptions& flags, const TestOptions& test,
                                        std::span<const StrategyInfo> table) {
  ResolvedOptions r;
  // flag > test > default, checked against the option's row.
  auto value = [&](const OptionSpec& spec) -> Result<std::string> {
    std::string text(spec.fallback);
    if (auto f = flags.find(spec.name); f != flags.end())
      text = f->second;
    else if (auto t = test.find(spec.name); t != test.end())
      text = t->second;
    if (text.empty() && spec.fallback.empty()) return text;  // an option with no default, not given
    Status ok = check_option(spec, text);
    if (!ok.ok()) return ok;
    return text;
  };
  for (const OptionSpec& spec : test_options()) {
    auto text = value(spec);
    if (!text.ok()) return text.status();
    switch (spec.target) {
      case OptionTarget::kStrategy:
        r.strategy = *text;
        break;
      case OptionTarget::kIterations:
        r.iterations = option_number(*text);
        break;
      case OptionTarget::kTimeBudget:
        r.max_seconds = option_number(*text);
        break;
      case OptionTarget::kSeed:
        r.seed = option_number(*text);
        break;
      case OptionTarget::kRun:
        r.run.set(spec.name, *text);
        break;
      case OptionTarget::kParam:
        break;
    }
  }
  const StrategyInfo* info = find_strategy(r.strategy, table);
  if (!info) {
    std::string known;
    for (const auto& s : table) known += (known.empty() ? "" : ", ") + std::string(s.name);
    return Status::InvalidArgument("unknown strategy \"" + r.strategy + "\" (known: " + known +
                                   ")");
  }
  r.run.root_waits = info->make(StrategyParams{})->search() != nullptr;
  for (const auto& [name, text] : flags) {
    const OptionSpec* param = find_param(name, table);
    if (param && !takes(*info, name)) r.ignored_params.push_back(param);
  }
  for (const OptionSpec& spec : info->params) {
    auto text = value(spec);
    if (!text.ok()) return text.status();
    if (text->empty()) continue;
    r.params.set(spec.name, spec.type == OptionType::kChoice ? option_choice(spec.choices, *text)
                                                            : option_number(*text));
  }
  return r;
}

std::string trace_path_for(const std::string& dir, const std::string& scenario,
                           const std::string& test, uint64_t iteration, uint64_t seed,
                           uint64_t shard_index, uint64_t shard_count) {
  // The scenario file's name first: a buggy scenario and its fixed twin
  // (or two files) may declare tests of the same name.
  std::string stem = scenario.substr(
      scenario.find_last_of('/') == std::string::npos ? 0 : scenario.find_last_of('/') + 1);
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".lua") == 0)
    stem.resize(stem.size() - 4);
  std::string slug;
  for (unsigned char c : test) {
    if (std::isalnum(c)) {
      slug += static_cast<char>(std::tolower(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 60) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "test";
  std::string path = dir.empty() ? std::string() : dir + (dir.back() == '/' ? "" : "/");
  if (!stem.empty()) path += stem + ".";
  std::string shard;
  if (shard_count > 1) shard = "-shard" + std::to_string(shard_index) + "of" + std::to_string(shard_count);
  return path + slug + "-iter" + std::to_string(iteration) + "-seed" + std::to_string(seed) + shard +
         ".lockstep";
}

}  // namespace lockstep

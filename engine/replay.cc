#include "engine/replay.h"

#include "engine/runner.h"

#include <filesystem>

namespace lockstep {

Result<size_t> find_test(const Program& program, const std::string& name) {
  const auto& tests = program.tests();
  for (size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].name == name) return i;
  }
  return Status::InvalidArgument(program.path() + ": no test named \"" + name + "\"");
}

ReplayResult replay_trace(const Trace& trace, Program& program, const ReplayOptions& options) {
  ReplayResult result;
  auto index = find_test(program, trace.test_name);
  if (!index.ok()) {
    result.status = index.status();
    return result;
  }
  std::unique_ptr<Strategy> then;
  if (!options.continue_with.empty()) {
    const StrategyInfo* info = find_strategy(options.continue_with);
    if (!info) {
      result.status = Status::InvalidArgument("unknown strategy \"" + options.continue_with + "\"");
      return result;
    }
    then = with_faults(info->make(trace.params), trace.options.faults);
  }
  auto strategy = make_replay_strategy(trace.decisions, std::move(then));
  result.run = trace;
  result.run.decisions.clear();
  Status status;
  IterationResult r = record_iteration(program, *index, trace.options, *strategy, trace.iteration_seed, trace.hint,
                                       result.run, status);
  result.run.steps = r.steps;
  if (strategy->divergence()) result.divergence = strategy->divergence()->message();
  result.run.failure = r.failure;
  if (!status.ok()) {
    result.status = status;
    return result;
  }
  switch (r.outcome) {
    case Outcome::kAbandoned:  // the replay strategy gives up only where it diverged
      result.verdict = ReplayResult::Verdict::kDiverged;
      break;
    case Outcome::kFailed:
      result.verdict = r.failure.kind == trace.failure.kind && r.failure.step == trace.failure.step
                           ? ReplayResult::Verdict::kReproduced
                           : ReplayResult::Verdict::kDifferentFailure;
      break;
    case Outcome::kPassed:
    case Outcome::kMaxSteps:
      result.verdict = ReplayResult::Verdict::kPassed;
      break;
  }
  return result;
}

uint64_t context_switches(const std::vector<Decision>& decisions) {
  uint64_t n = 0;
  bool have = false;
  Decision last;
  for (const Decision& d : decisions) {
    if (d.kind == DecisionKind::kChoice) continue;
    if (have && (d.kind != last.kind || d.value != last.value)) ++n;
    last = d;
    have = true;
  }
  return n;
}

Result<std::string> locate_scenario(const Trace& trace, const std::string& trace_path) {
  namespace fs = std::filesystem;
  const fs::path recorded(trace.scenario_path);
  // A downloaded trace names any path it likes: read only Lua scenarios.
  if (recorded.extension() != ".lua") {
    return Status::InvalidArgument("the trace names \"" + trace.scenario_path +
                                   "\", which is not a .lua scenario; name the scenario with --scenario FILE");
  }
  std::vector<fs::path> candidates = {recorded};
  if (recorded.is_relative()) {
    if (!trace.working_dir.empty()) candidates.push_back(fs::path(trace.working_dir) / recorded);
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(trace_path), ec).parent_path();
    for (int up = 0; up < 16 && !dir.empty(); ++up) {
      candidates.push_back(dir / recorded);
      if (dir == dir.parent_path()) break;
      dir = dir.parent_path();
    }
  }
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c.string();
  }
  std::string where = trace.working_dir.empty() ? "" : " (the trace was recorded in " + trace.working_dir + ")";
  return Status::InvalidArgument(trace.scenario_path + ": no such file" + where +
                                 "; run from there, or name the scenario with --scenario FILE");
}

}  // namespace lockstep

#include "engine/runner.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "engine/prng.h"
#include "engine/scheduler.h"

namespace lockstep {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Collects the printable record of one iteration into a Trace.
class TraceSink final : public EventSink {
 public:
  explicit TraceSink(Trace& trace) : trace_(trace) {}
  ~TraceSink() override {
    trace_.processes.clear();
    for (const auto& [pid, name] : names_) trace_.processes.push_back({pid, name});
  }
  void on_event(Event event) override { trace_.events.push_back(std::move(event)); }
  void on_log(LogLine line) override { trace_.logs.push_back(std::move(line)); }
  void on_process_name(uint32_t pid, std::string_view name) override {
    auto& slot = names_[pid];
    if (slot.empty()) slot = std::string(name);  // a process keeps its first name
  }

 private:
  Trace& trace_;
  std::map<uint32_t, std::string> names_;
};

bool selected(const TestCase& test, const RunConfig& config) {
  if (!config.test_names.empty() &&
      std::find(config.test_names.begin(), config.test_names.end(), test.name) == config.test_names.end()) {
    return false;
  }
  return config.filter.empty() || test.name.find(config.filter) != std::string::npos;
}

class TestRun {
 public:
  TestRun(Program& program, size_t index, const RunConfig& config, Reporter& reporter)
      : program_(program), index_(index), config_(config), reporter_(reporter) {}

  TestReport run() {
    const TestCase& test = program_.tests()[index_];
    report_.file = program_.path();
    report_.name = test.name;
    const auto start = Clock::now();
    auto resolved = resolve_options(config_.overrides, test.options);
    if (!resolved.ok()) return error(resolved.status().message());
    opts_ = *resolved;
    report_.strategy = opts_.strategy;
    report_.seed = opts_.seed;
    strategy_ = find_strategy(opts_.strategy)->make(opts_.params);
    limits_ = {opts_.run.max_steps, opts_.run.fail_on_max_steps};
    decisions_.reserve(1024);

    for (uint64_t i : iterations()) {
      if (!calibrate_before(i)) return error(status_.message());
      decisions_.clear();
      auto result = run_one(i, &decisions_);
      if (!result.ok()) return error(result.status().message());
      if (i < kCalibrationIterations && calibration_.size() == i) {
        calibration_.push_back(result->scheduling_points);
      }
      ++report_.iterations_run;
      report_.steps += result->steps;
      if (result->outcome == Outcome::kMaxSteps) ++report_.max_steps_hits;
      if (result->outcome == Outcome::kFailed) {
        record_bug(i, *result);
        break;
      }
    }
    report_.wall_seconds = seconds_since(start);
    return report_;
  }

 private:
  std::vector<uint64_t> iterations() const {
    std::vector<uint64_t> out;
    if (config_.only_iteration) {
      out.push_back(*config_.only_iteration);
      return out;
    }
    for (uint64_t i = config_.shard_index; i < opts_.iterations; i += config_.shard_count) out.push_back(i);
    return out;
  }

  IterationHint hint_for(uint64_t i) const {
    IterationHint hint{i, 0};
    const uint64_t n = std::min<uint64_t>(i, kCalibrationIterations);
    for (uint64_t j = 0; j < n && j < calibration_.size(); ++j) {
      hint.max_scheduling_points = std::max(hint.max_scheduling_points, calibration_[j]);
    }
    return hint;
  }

  // Runs (silently) the calibration iterations iteration i learns from and
  // that this selection skipped.
  bool calibrate_before(uint64_t i) {
    const uint64_t n = std::min<uint64_t>(i, kCalibrationIterations);
    while (calibration_.size() < n) {
      auto r = run_one(calibration_.size(), nullptr);
      if (!r.ok()) {
        status_ = r.status();
        return false;
      }
      calibration_.push_back(r->scheduling_points);
    }
    return true;
  }

  Result<IterationResult> run_one(uint64_t i, std::vector<Decision>* decisions) {
    strategy_->begin_iteration(derive_seed(opts_.seed, i), hint_for(i));
    auto system = program_.start(index_, opts_.run);
    if (!system.ok()) return system.status();
    return run_iteration(**system, *strategy_, limits_, decisions);
  }

  void record_bug(uint64_t i, const IterationResult& result) {
    Trace trace;
    trace.tool_version = LOCKSTEP_VERSION;
    trace.scenario_path = program_.path();
    trace.scenario_hash = program_.source_hash();
    trace.test_name = report_.name;
    trace.strategy = opts_.strategy;
    trace.params = opts_.params;
    trace.hint = hint_for(i);
    trace.seed = opts_.seed;
    trace.iteration = i;
    trace.iteration_seed = derive_seed(opts_.seed, i);
    trace.options = opts_.run;

    // Re-run the failing schedule with events on: the fast path renders
    // nothing, and this doubles as a check that the run is deterministic.
    auto replay = make_replay_strategy(decisions_);
    Status status;
    IterationResult again =
        record_iteration(program_, index_, opts_.run, *replay, trace.iteration_seed, trace.hint, trace, status);
    trace.decisions = decisions_;
    trace.failure = result.failure;
    trace.steps = result.steps;
    if (!status.ok() || again.outcome != Outcome::kFailed || again.failure.kind != result.failure.kind ||
        again.failure.step != result.failure.step) {
      trace.failure.details += "warning: re-running this schedule did not reproduce the failure (" +
                               (again.outcome == Outcome::kDiverged ? again.divergence
                                                                    : std::string(status.message())) +
                               "); the scenario is not deterministic\n";
    }

    BugReport bug;
    bug.failure = result.failure;
    bug.iteration = i;
    bug.iteration_seed = trace.iteration_seed;
    bug.trace_path = trace_path_for(config_.traces_dir, report_.name, i, opts_.seed);
    Status saved = save_trace(bug.trace_path, trace);
    if (!saved.ok()) {
      reporter_.load_error("could not save the trace: " + saved.message());
      bug.trace_path.clear();
    }
    report_.status = TestReport::Status::kBug;
    report_.bug = bug;
    reporter_.bug_found(report_, trace);
  }

  TestReport error(std::string message) {
    report_.status = TestReport::Status::kError;
    report_.error = std::move(message);
    return report_;
  }

  Program& program_;
  size_t index_;
  const RunConfig& config_;
  Reporter& reporter_;
  TestReport report_;
  ResolvedOptions opts_;
  std::unique_ptr<Strategy> strategy_;
  IterationLimits limits_;
  std::vector<Decision> decisions_;
  std::vector<uint64_t> calibration_;
  Status status_;
};

}  // namespace

Result<ResolvedOptions> resolve_options(const TestOptions& flags, const TestOptions& test) {
  ResolvedOptions r;
  auto pick = [](auto& out, const auto& flag, const auto& t) {
    if (flag) out = *flag;
    else if (t) out = *t;
  };
  pick(r.strategy, flags.strategy, test.strategy);
  pick(r.iterations, flags.iterations, test.iterations);
  pick(r.seed, flags.seed, test.seed);
  pick(r.params.pct_depth, flags.pct_depth, test.pct_depth);
  pick(r.run.max_steps, flags.max_steps, test.max_steps);
  pick(r.run.iter_timeout_ms, flags.iter_timeout_ms, test.iter_timeout_ms);
  pick(r.run.fail_on_max_steps, flags.fail_on_max_steps, test.fail_on_max_steps);
  pick(r.run.allow_crashes, flags.allow_crashes, test.allow_crashes);
  pick(r.run.timers, flags.timers, test.timers);
  if (!find_strategy(r.strategy)) {
    std::string known;
    for (const auto& s : strategies()) known += (known.empty() ? "" : ", ") + std::string(s.name);
    return Status::InvalidArgument("unknown strategy \"" + r.strategy + "\" (known: " + known + ")");
  }
  if (r.run.timers != "quiescent" && r.run.timers != "any") {
    return Status::InvalidArgument("timers must be \"quiescent\" or \"any\", not \"" + r.run.timers + "\"");
  }
  if (r.params.pct_depth == 0) return Status::InvalidArgument("pct_depth must be at least 1");
  return r;
}

IterationResult record_iteration(Program& program, size_t test, const RunOptions& options,
                                 Strategy& strategy, uint64_t seed, const IterationHint& hint,
                                 Trace& trace, Status& status) {
  trace.events.clear();
  trace.logs.clear();
  IterationResult result;
  auto system = program.start(test, options);
  if (!system.ok()) {
    status = system.status();
    result.outcome = Outcome::kDiverged;
    return result;
  }
  {
    TraceSink sink(trace);
    (*system)->set_event_sink(&sink);
    strategy.begin_iteration(seed, hint);
    trace.decisions.clear();
    result = run_iteration(**system, strategy, {options.max_steps, options.fail_on_max_steps}, &trace.decisions);
    (*system)->set_event_sink(nullptr);
  }
  return result;
}

std::string trace_path_for(const std::string& dir, const std::string& test, uint64_t iteration,
                           uint64_t seed) {
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
  return path + slug + "-iter" + std::to_string(iteration) + "-seed" + std::to_string(seed) + ".lockstep";
}

RunSummary run_files(const std::vector<std::string>& files, const RunConfig& config,
                     const ProgramLoader& loader, Reporter& reporter) {
  RunSummary summary;
  const auto start = Clock::now();
  for (const auto& file : files) {
    auto program = loader(file);
    if (!program.ok()) {
      reporter.load_error(program.status().message());
      ++summary.load_errors;
      continue;
    }
    for (size_t t = 0; t < (*program)->tests().size(); ++t) {
      if (!selected((*program)->tests()[t], config)) continue;
      TestRun run(**program, t, config, reporter);
      TestReport report = run.run();
      summary.iterations += report.iterations_run;
      summary.steps += report.steps;
      summary.max_steps_hits += report.max_steps_hits;
      switch (report.status) {
        case TestReport::Status::kPassed: ++summary.passed; break;
        case TestReport::Status::kBug: ++summary.bugs; break;
        case TestReport::Status::kError: ++summary.errors; break;
      }
      reporter.test_finished(report);
      summary.tests.push_back(std::move(report));
    }
  }
  summary.wall_seconds = seconds_since(start);
  reporter.run_finished(summary);
  return summary;
}

}  // namespace lockstep

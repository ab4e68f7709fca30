#include "engine/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/base/files.h"
#include "engine/base/prng.h"
#include "engine/trace_names.h"
#include "engine/warnings.h"
#include "engine/scheduler.h"
#include "engine/test_run.h"

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
    for (const auto& [pid, p] : names_) trace_.processes.push_back(p);
  }
  void on_event(Event event) override { trace_.events.push_back(std::move(event)); }
  uint32_t location_id(std::string_view where) override {
    if (where.empty()) return 0;
    auto [it, fresh] = location_ids_.try_emplace(std::string(where), 0);
    if (fresh) {
      trace_.locations.push_back(it->first);
      it->second = static_cast<uint32_t>(trace_.locations.size());
    }
    return it->second;
  }
  void on_log(LogLine line) override { trace_.logs.push_back(std::move(line)); }
  void on_process_name(uint32_t pid, std::string_view name) override {
    ProcessName& p = entry(pid);
    if (p.name.empty()) p.name = std::string(name);  // a process keeps its first name
  }
  void on_process_node(uint32_t pid, std::string_view node) override {
    entry(pid).node = std::string(node);
  }

 private:
  ProcessName& entry(uint32_t pid) {
    ProcessName& p = names_[pid];
    p.pid = pid;
    return p;
  }
  Trace& trace_;
  std::map<uint32_t, ProcessName> names_;
  std::unordered_map<std::string, uint32_t> location_ids_;
};

// Collects an iteration's log lines ("P1(worker): text"), and nothing else.
class LogSink final : public EventSink {
 public:
  bool wants_events() const override { return false; }
  void on_event(Event) override {}
  void on_log(LogLine line) override {
    auto it = names_.find(line.pid);
    std::string who = line.pid < 0 ? "-" : "P" + std::to_string(line.pid);
    if (it != names_.end()) who += "(" + it->second + ")";
    lines.push_back("step " + std::to_string(line.step) + " " + who + ": " + line.text);
  }
  void on_process_name(uint32_t pid, std::string_view name) override {
    names_.try_emplace(pid, std::string(name));
  }
  std::vector<std::string> lines;

 private:
  std::map<int64_t, std::string> names_;
};

bool selected(const TestCase& test, const RunConfig& config) {
  if (!config.test_names.empty() && std::find(config.test_names.begin(), config.test_names.end(),
                                              test.name) == config.test_names.end()) {
    return false;
  }
  return config.filter.empty() || test.name.find(config.filter) != std::string::npos;
}

}  // namespace

TestReport TestRun::run() {
  const TestCase& test = program_.tests()[index_];
  report_.file = program_.path();
  report_.name = test.name;
  for (const GoalCount& g : test.goals) report_.goals.push_back({g});
  const auto start = Clock::now();
  auto resolved = resolve_options(config_.overrides, test.options, config_.strategy_table);
  if (!resolved.ok())
    return error(Status::LoadError(resolved.status().message()));  // its declaration
  opts_ = *resolved;
  report_.strategy = opts_.strategy;
  report_.seed = opts_.seed;
  report_.iteration_budget = opts_.iterations;
  strategy_ = make_strategy();
  if (std::string why = strategy_->refuses(opts_.run); !why.empty()) {
    return error(Status::InvalidArgument("strategy \"" + opts_.strategy + "\" " + why));
  }
  decisions_.reserve(1024);
  start_ = start;
  if (config_.coverage) coverage_ = std::make_unique<CoverageSink>();
  if (!strategy_->search() && config_.keep_going) {
    return error(
        Status::InvalidArgument("--keep-going applies to a search (--strategy dfs); strategy \"" +
                                opts_.strategy + "\" stops at its first bug"));
  }
  TestReport r = strategy_->search() ? drive_search() : strategy_->learner() ? drive_learner() : drive_sampler();
  judge_goals(r);
  if (r.status == TestReport::Status::kPassed || r.status == TestReport::Status::kUnmet) {
    r.warnings = exercise_warnings(r, opts_);  // for an unmet goal, often why
  }
  return r;
}

void TestRun::finish_coverage(uint64_t end) {
  if (!coverage_) return;
  if (report_.bug) {
    coverage_->totals.keep_up_to(report_.bug->iteration);
    end = report_.bug->iteration + 1;
  }
  const CoverageTotals& t = coverage_->totals;
  report_.coverage = TestReport::Coverage{t.reads_from(), t.receives(), t.schedule_classes(), t.growth(end)};
}

TestReport TestRun::nothing_checked() {
  // A search's runs that explored no schedule stopped before max_steps.
  const uint64_t judged = report_.search ? report_.schedules_explored : report_.iterations_run;
  if (judged == 0 || report_.max_steps_hits < judged) return report_;
  const double seconds = report_.wall_seconds;
  error(Status::InvalidArgument(
      "every iteration was cut off at max_steps (" + std::to_string(opts_.run.max_steps) +
      "), so nothing was checked to the end; raise --max-steps (or the test's max_steps), or use "
      "--fail-on-max-steps to treat it as a livelock"));
  report_.wall_seconds = seconds;
  return report_;
}

std::unique_ptr<Strategy> TestRun::make_strategy() const {
  return with_faults(find_strategy(opts_.strategy, config_.strategy_table)->make(opts_.params),
                     opts_.run.faults);
}

TestRun::Selection TestRun::selection() const {
  if (config_.only_iteration) return {*config_.only_iteration, 1, 1};
  const uint64_t first = config_.shard_index, stride = config_.shard_count;
  return {first, stride,
          first >= opts_.iterations ? 0 : (opts_.iterations - first + stride - 1) / stride};
}

IterationLimits TestRun::limits_for(uint64_t i) const {
  return iteration_limits(opts_.run, opts_.strategy, opts_.params, i);
}

IterationHint TestRun::hint_for(uint64_t i) const {
  IterationHint hint{i, 0};
  const uint64_t n = std::min<uint64_t>(i, kCalibrationIterations);
  for (uint64_t j = 0; j < n && j < calibration_.size(); ++j) {
    hint.max_scheduling_points = std::max(hint.max_scheduling_points, calibration_[j]);
  }
  return hint;
}

bool TestRun::calibrate_before(uint64_t i) {
  const uint64_t n = std::min<uint64_t>(i, kCalibrationIterations);
  while (calibration_.size() < n) {
    auto r = run_one(*strategy_, program_, calibration_.size(), nullptr);
    if (!r.ok()) {
      status_ = r.status();
      return false;
    }
    calibration_.push_back(r->scheduling_points);
  }
  return true;
}

void TestRun::count_goals(const IterationResult& r) {
  ++report_.goal_runs;
  for (const GoalCount& g : r.exercised.goals) {
    auto it = std::find_if(report_.goals.begin(), report_.goals.end(), [&](const TestReport::Goal& x) {
      return x.count.name == g.name && x.count.location == g.location;
    });
    if (it == report_.goals.end()) {
      it = report_.goals.insert(report_.goals.end(), TestReport::Goal{GoalCount{g.name, g.location, g.unreachable}});
    }
    if (g.met && it->first_met == 0) it->first_met = report_.goal_runs;
    it->count.met += g.met;
    it->count.missed += g.missed;
  }
}

void TestRun::judge_goals(TestReport& r) const {
  if (r.status != TestReport::Status::kPassed) return;
  for (const TestReport::Goal& g : r.goals) {
    if (!g.count.unreachable && g.count.met == 0) r.status = TestReport::Status::kUnmet;
  }
}

void TestRun::count(const IterationResult& r) {
  count_goals(r);
  ++report_.iterations_run;
  report_.steps += r.steps;
  if (r.outcome == Outcome::kMaxSteps) ++report_.max_steps_hits;
  report_.fault_offers += r.fault_offers;
  report_.faults_taken += r.faults_taken;
  if (r.monitors) report_.monitored = true;
  if (r.monitors && r.fair) report_.monitored_fairly = true;
  report_.quiescent_timeouts_armed += r.exercised.quiescent_timeouts_armed;
  report_.quiescent_timeouts_fired += r.exercised.quiescent_timeouts_fired;
}

void TestRun::record_bug(uint64_t i, const IterationResult& result) {
  Trace trace;
  trace.tool_version = LOCKSTEP_VERSION;
  trace.scenario_path = program_.path();
  std::error_code ec;
  trace.working_dir = std::filesystem::current_path(ec).string();
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
  // A step that ran past iter_timeout would only hang again: the re-run
  // stops before it, and the step is described from what is known.
  const bool hung = result.failure.kind == FailureKind::kTimeout;
  std::vector<Decision> decisions = std::move(decisions_);  // the next iteration refills it
  decisions_.clear();
  size_t replayed = decisions.size();
  if (hung) {
    while (replayed > 0 && decisions[replayed - 1].kind == DecisionKind::kChoice) --replayed;
    if (replayed > 0) --replayed;  // the step that hung
  }
  auto replay = make_replay_strategy(
      std::vector<Decision>(decisions.begin(), decisions.begin() + static_cast<std::ptrdiff_t>(replayed)));
  Status status;
  IterationResult again = record_iteration(program_, index_, opts_.run, *replay,
                                           trace.iteration_seed, trace.hint, trace, status);
  trace.decisions = std::move(decisions);
  trace.failure = result.failure;
  trace.steps = result.steps;
  if (hung) {
    describe_hung_step(trace, replayed < trace.decisions.size() ? trace.decisions[replayed] : Decision{});
  } else if (!status.ok() || again.outcome != Outcome::kFailed ||
             again.failure.kind != result.failure.kind ||
             again.failure.step != result.failure.step) {
    const std::string why = replay->divergence() ? replay->divergence()->message()
                            : !status.ok()       ? std::string(status.message())
                                                 : "it ended differently";
    trace.failure.details += "warning: re-running this schedule did not reproduce the failure (" +
                             why + "); the scenario is not deterministic\n";
  }

  BugReport bug;
  bug.failure = result.failure;
  bug.iteration = i;
  bug.iteration_seed = trace.iteration_seed;
  bug.shard_index = report_.shard_index;
  bug.shard_count = report_.shard_count;
  bug.faults = injected_faults(trace);
  auto saved = save_run_trace(trace_path_for(config_.traces_dir, program_.path(), report_.name, i, opts_.seed,
                                             report_.shard_index, report_.shard_count),
                              trace);
  if (saved.ok()) {
    bug.trace_path = *saved;
  } else {
    reporter_.load_error("could not save the trace: " + saved.status().message());
  }
  report_.status = TestReport::Status::kBug;
  report_.bug = bug;
  reporter_.bug_found(report_, trace);
}

void TestRun::describe_hung_step(Trace& trace, const Decision& d) {
  Event e;
  e.step = trace.failure.step;
  e.kind = d.step;
  e.pid = trace.failure.pid;
  e.detail = "ran past iter_timeout" +
             (trace.failure.location.empty() ? "" : " at " + trace.failure.location);
  trace.events.push_back(e);
  StepFacts f;
  f.step = e.step;
  f.kind = d.step;
  f.actor = trace.failure.pid;
  EventKind kind;
  if (event_kind(d.kind, kind)) f.event = EventKey{kind, static_cast<uint32_t>(d.value)};
  trace.facts.add(f);
}

TestReport TestRun::error(const Status& why) {
  report_.status = TestReport::Status::kError;
  report_.error = why.message();
  report_.error_code = why.code();
  return report_;
}

Result<IterationResult> TestRun::run_one(Strategy& strategy, Program& program, uint64_t i,
                                         std::vector<Decision>* decisions, bool logs, CoverageSink* coverage) {
  strategy.begin_iteration(derive_seed(opts_.seed, i), hint_for(i));
  auto system = program.start(index_, opts_.run);
  if (!system.ok()) return system.status();
  LogSink sink;
  if (logs) (*system)->set_event_sink(&sink);
  Result<IterationResult> result = Status::Ok();
  if (coverage) coverage->recorder.begin();
  try {
    result = run_iteration(**system, strategy, limits_for(i), decisions, nullptr,
                           coverage ? &coverage->recorder : nullptr);
    if (coverage) coverage->totals.add(i, coverage->recorder.finish());
  } catch (const std::bad_alloc& e) {  // the next start() rebuilds what it left
    result = Status::ResourceExhausted("iteration " + std::to_string(i) +
                                       " ran out of memory: " + e.what());
  }
  if (logs) {
    (*system)->set_event_sink(nullptr);
    if (!sink.lines.empty()) reporter_.iteration_logs(report_.name, i, sink.lines);
  }
  return result;
}

IterationResult record_iteration(Program& program, size_t test, const RunOptions& options,
                                 Strategy& strategy, uint64_t seed, const IterationHint& hint,
                                 Trace& trace, Status& status) {
  trace.events.clear();
  trace.locations.clear();
  trace.logs.clear();
  trace.facts.clear();
  IterationResult result;
  auto system = program.start(test, options);
  if (!system.ok()) {
    status = system.status();
    result.outcome = Outcome::kAbandoned;
    return result;
  }
  {
    TraceSink sink(trace);
    (*system)->set_event_sink(&sink);
    strategy.begin_iteration(seed, hint);
    trace.decisions.clear();
    result = run_iteration(**system, strategy,
                           iteration_limits(options, trace.strategy, trace.params, trace.iteration),
                           &trace.decisions, &trace.facts);
    (*system)->set_event_sink(nullptr);
  }
  return result;
}

RunSummary run_files(const std::vector<std::string>& files, const RunConfig& config,
                     const ProgramLoader& loader, Reporter& reporter) {
  RunSummary summary;
  summary.strict = config.strict;
  const auto start = Clock::now();
  remove_stale_temporaries(config.traces_dir);  // left by runs killed while writing a trace
  for (const auto& file : files) {
    if (config.stop && config.stop->load() != 0) break;
    auto program = loader(file);
    if (!program.ok()) {
      reporter.load_error(program.status().message());
      ++summary.load_errors;
      summary.load_failures.emplace_back(file, program.status().message());
      if (program.status().code() != Status::Code::kLoadError) ++summary.unloadable;
      continue;
    }
    for (size_t t = 0; t < (*program)->tests().size(); ++t) {
      if (!selected((*program)->tests()[t], config)) continue;
      if (config.stop && config.stop->load() != 0) break;
      TestRun run(**program, t, config, reporter, loader);
      TestReport report = run.run();
      summary.iterations += report.iterations_run;
      summary.steps += report.steps;
      summary.max_steps_hits += report.max_steps_hits;
      summary.warnings += report.warnings.size();
      switch (report.status) {
        case TestReport::Status::kPassed:
          ++summary.passed;
          break;
        case TestReport::Status::kBug:
          ++summary.bugs;
          break;
        case TestReport::Status::kError:
          ++summary.errors;
          break;
        case TestReport::Status::kUnmet:
          ++summary.unmet;
          break;
      }
      reporter.test_finished(report);
      summary.tests.push_back(std::move(report));
    }
  }
  for (const std::string& failure : wait_for_background_syncs()) reporter.load_error(failure);
  summary.wall_seconds = seconds_since(start);
  if (config.stop) summary.interrupted_by = config.stop->load();
  reporter.run_finished(summary);
  return summary;
}

}  // namespace lockstep

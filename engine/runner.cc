#include "engine/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "engine/files.h"
#include "engine/prng.h"
#include "engine/schedule.h"
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
    for (const auto& [pid, p] : names_) trace_.processes.push_back(p);
  }
  void on_event(Event event) override { trace_.events.push_back(std::move(event)); }
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

class TestRun {
 public:
  TestRun(Program& program, size_t index, const RunConfig& config, Reporter& reporter,
          const ProgramLoader& loader)
      : program_(program), index_(index), config_(config), reporter_(reporter), loader_(loader) {}

  TestReport run() {
    const TestCase& test = program_.tests()[index_];
    report_.file = program_.path();
    report_.name = test.name;
    const auto start = Clock::now();
    auto resolved = resolve_options(config_.overrides, test.options, config_.strategy_table);
    if (!resolved.ok())
      return error(Status::LoadError(resolved.status().message()));  // its declaration
    opts_ = *resolved;
    report_.strategy = opts_.strategy;
    report_.seed = opts_.seed;
    strategy_ = make_strategy();
    if (std::string why = strategy_->refuses(opts_.run); !why.empty()) {
      return error(Status::InvalidArgument("strategy \"" + opts_.strategy + "\" " + why));
    }
    decisions_.reserve(1024);
    start_ = start;
    if (config_.coverage) coverage_ = std::make_unique<CoverageSink>();
    if (strategy_->search()) return run_search();
    if (config_.keep_going) {
      return error(
          Status::InvalidArgument("--keep-going applies to a search (--strategy dfs); strategy \"" +
                                  opts_.strategy + "\" stops at its first bug"));
    }
    if (strategy_->learner()) return run_learner();

    const Selection selected = selection();
    // Calibration iterations (and any run of one job) go one by one; the
    // rest share one hint and run on `jobs` threads.
    uint64_t serial = 0;
    if (config_.jobs <= 1 || config_.only_iteration || config_.show_logs) {
      serial = selected.size();
    } else {
      while (serial < selected.size() && selected[serial] < kCalibrationIterations) ++serial;
    }
    for (uint64_t k = 0; k < serial; ++k) {
      const uint64_t i = selected[k];
      if (!calibrate_before(i)) return error(status_);
      decisions_.clear();
      auto result = run_one(*strategy_, program_, i, &decisions_, config_.show_logs, coverage_.get());
      if (!result.ok()) return error(result.status());
      if (i < kCalibrationIterations && calibration_.size() == i) {
        calibration_.push_back(result->scheduling_points);
      }
      count(*result);
      if (result->outcome == Outcome::kFailed) {
        record_bug(i, *result);
        report_.wall_seconds = seconds_since(start);
        finish_coverage(i + 1);
        return report_;
      }
      if ((k & 1023) == 1023)
        reporter_.progress(report_.name, k + 1, selected.size(), seconds_since(start));
    }
    if (serial < selected.size()) {
      if (!calibrate_before(kCalibrationIterations)) return error(status_);
      // In windows, so memory stays bounded however many iterations run.
      constexpr uint64_t kWindow = 1 << 16;
      std::vector<uint64_t> window;
      for (uint64_t from = serial;
           from < selected.size() && report_.status != TestReport::Status::kBug; from += kWindow) {
        window.clear();
        for (uint64_t k = from; k < std::min(from + kWindow, selected.size()); ++k)
          window.push_back(selected[k]);
        if (!run_parallel(window, from, selected.size())) return error(status_);
      }
    }
    report_.wall_seconds = seconds_since(start);
    finish_coverage(selected.size() ? selected[selected.size() - 1] + 1 : 0);
    if (report_.status == TestReport::Status::kPassed) return nothing_checked();
    return report_;
  }

 private:
  // One iteration's coverage, recorded by one thread.
  struct CoverageSink {
    CoverageRecorder recorder;
    CoverageTotals totals;
  };

  // The coverage of the iterations counted: up to the bug, if there was
  // one, which the report then carries (growth up to iteration `end`).
  void finish_coverage(uint64_t end) {
    if (!coverage_) return;
    if (report_.bug) {
      coverage_->totals.keep_up_to(report_.bug->iteration);
      end = report_.bug->iteration + 1;
    }
    const CoverageTotals& t = coverage_->totals;
    report_.coverage = TestReport::Coverage{t.reads_from(), t.receives(), t.schedule_classes(), t.growth(end)};
  }

  // A test whose every iteration was cut off at max_steps checked nothing
  // to the end: it did not pass.
  TestReport nothing_checked() {
    if (report_.iterations_run == 0 || report_.max_steps_hits < report_.iterations_run)
      return report_;
    const double seconds = report_.wall_seconds;
    error(Status::InvalidArgument(
        "every iteration was cut off at max_steps (" + std::to_string(opts_.run.max_steps) +
        "), so nothing was checked to the end; raise --max-steps (or the test's max_steps), or use "
        "--fail-on-max-steps to treat it as a livelock"));
    report_.wall_seconds = seconds;
    return report_;
  }

  std::unique_ptr<Strategy> make_strategy() const {
    return with_faults(find_strategy(opts_.strategy, config_.strategy_table)->make(opts_.params),
                       opts_.run.faults);
  }

  // A search learns from every iteration before the next: all of them run
  // here, in order, on this thread, until it has explored everything or
  // the iteration budget is spent.
  TestReport run_search() {
    report_.search = true;
    if (config_.shard_count > 1) {
      const std::string refused = strategy_->search()->split(config_.shard_index, config_.shard_count);
      if (!refused.empty()) {
        return error(Status::InvalidArgument("strategy \"" + opts_.strategy + "\" cannot be sharded: " + refused));
      }
      report_.shard_index = config_.shard_index;
      report_.shard_count = config_.shard_count;
    }
    uint64_t last = config_.only_iteration ? *config_.only_iteration + 1 : opts_.iterations;
    for (uint64_t i = 0; i < last; ++i) {
      if (i > 0 && (i & 255) == 0) {
        reporter_.search_progress(report_.name, report_.schedules_explored, i,
                                  strategy_->search()->estimated_schedules(), seconds_since(start_));
      }
      decisions_.clear();
      if (!strategy_->begin_iteration(derive_seed(opts_.seed, i), hint_for(i))) {
        report_.complete = true;
        break;
      }
      auto system = program_.start(index_, opts_.run);
      if (!system.ok()) return error(system.status());
      IterationResult result;
      if (coverage_) coverage_->recorder.begin();
      try {
        result = run_iteration(**system, *strategy_, limits_for(i), &decisions_, nullptr,
                               coverage_ ? &coverage_->recorder : nullptr);
      } catch (const std::bad_alloc& e) {
        return error(Status::ResourceExhausted("iteration " + std::to_string(i) +
                                               " ran out of memory: " + e.what()));
      }
      if (result.outcome == Outcome::kAbandoned) {
        ++report_.abandoned;
        // Planning a split explores nothing: it does not spend the budget.
        if (strategy_->search()->planning_run() && !config_.only_iteration) ++last;
        continue;
      }
      ++report_.schedules_explored;
      if (coverage_) coverage_->totals.add(i, coverage_->recorder.finish());
      if (config_.only_iteration && i != *config_.only_iteration) continue;
      count(result);
      if (result.outcome == Outcome::kFailed) {
        ++report_.failing_schedules;
        if (report_.failing_schedules == 1) record_bug(i, result);
        if (!config_.keep_going) break;
      }
    }
    if (!config_.only_iteration && !report_.complete &&
        (report_.status != TestReport::Status::kBug || config_.keep_going)) {
      // The budget ran out exactly as the tree did: ask once more.
      report_.complete = !strategy_->begin_iteration(derive_seed(opts_.seed, last), hint_for(last));
    }
    report_.delay_bound = strategy_->search()->bound();
    report_.beyond_bound = strategy_->search()->beyond_bound();
    report_.wall_seconds = seconds_since(start_);
    finish_coverage(last);
    if (report_.status == TestReport::Status::kPassed) return nothing_checked();
    return report_;
  }

  // A learner runs its selection in epochs (engine/strategy.h): each
  // epoch's iterations on `jobs` threads, each thread with its own copy of
  // the strategy; then every copy learns the epoch's lessons in order.
  // With --iteration I, the selection runs up to I and only I counts.
  TestReport run_learner() {
    Selection selected = selection();
    std::optional<uint64_t> only = config_.only_iteration;
    if (only) {
      const uint64_t stride = config_.shard_count, first = config_.shard_index;
      if (*only % stride != first % stride) {
        return error(Status::InvalidArgument("iteration " + std::to_string(*only) + " is not in shard " +
                                             std::to_string(first) + "/" + std::to_string(stride)));
      }
      selected = {first, stride, (*only - first) / stride + 1};
    }
    // Every iteration's hint comes from the first iterations, run before
    // anything is learnt (as the first epoch runs them).
    if (!calibrate_before(kCalibrationIterations)) return error(status_);
    std::vector<std::unique_ptr<Strategy>> copies;  // one per extra thread
    while (copies.size() + 1 < config_.jobs) {
      copies.push_back(make_strategy());
      if (workers_.size() < copies.size()) {
        auto p = loader_(program_.path());
        if (!p.ok()) return error(p.status());
        workers_.push_back(std::move(*p));
      }
    }
    struct Slot {
      Result<IterationResult> result = Status::Ok();
      std::unique_ptr<Learner::Lesson> lesson;
      std::vector<Decision> decisions;
    };
    std::vector<Slot> slots;
    for (uint64_t from = 0; from < selected.size(); from += kLearnEpoch) {
      const uint64_t to = std::min<uint64_t>(from + kLearnEpoch, selected.size());
      slots.clear();
      slots.resize(to - from);
      std::atomic<uint64_t> next{from};
      std::mutex mu;
      auto work = [&](Strategy& strategy, Program& program) {
        std::unique_ptr<CoverageSink> coverage;
        if (coverage_) coverage = std::make_unique<CoverageSink>();
        for (uint64_t k = next++; k < to; k = next++) {
          const uint64_t i = selected[k];
          const bool counted = !only || i == *only;
          Slot& slot = slots[k - from];
          slot.result = run_one(strategy, program, i, &slot.decisions, false, counted ? coverage.get() : nullptr);
          slot.lesson = strategy.learner()->lesson();
        }
        if (coverage) {
          std::lock_guard<std::mutex> lock(mu);
          coverage_->totals.merge(coverage->totals);
        }
      };
      std::vector<std::thread> threads;
      for (size_t c = 0; c < copies.size(); ++c) threads.emplace_back(work, std::ref(*copies[c]), std::ref(*workers_[c]));
      work(*strategy_, program_);
      for (auto& t : threads) t.join();
      for (uint64_t k = from; k < to; ++k) {
        Slot& slot = slots[k - from];
        if (!slot.result.ok()) return error(slot.result.status());
        const uint64_t i = selected[k];
        if (only && i != *only) continue;
        count(*slot.result);
        if (slot.result->outcome == Outcome::kFailed) {
          decisions_ = std::move(slot.decisions);
          record_bug(i, *slot.result);
          report_.wall_seconds = seconds_since(start_);
          finish_coverage(i + 1);
          return report_;
        }
      }
      for (Slot& slot : slots) {
        if (!slot.lesson) continue;
        strategy_->learner()->learn(*slot.lesson);
        for (auto& c : copies) c->learner()->learn(*slot.lesson);
      }
      if (to < selected.size()) reporter_.progress(report_.name, to, selected.size(), seconds_since(start_));
    }
    report_.wall_seconds = seconds_since(start_);
    finish_coverage(selected.size() ? selected[selected.size() - 1] + 1 : 0);
    if (report_.status == TestReport::Status::kPassed) return nothing_checked();
    return report_;
  }

  // The iterations this run selects, computed, never listed: first,
  // first + stride, ... (count of them).
  struct Selection {
    uint64_t first = 0, stride = 1, count = 0;
    uint64_t size() const { return count; }
    uint64_t operator[](uint64_t k) const { return first + k * stride; }
  };
  Selection selection() const {
    if (config_.only_iteration) return {*config_.only_iteration, 1, 1};
    const uint64_t first = config_.shard_index, stride = config_.shard_count;
    return {first, stride,
            first >= opts_.iterations ? 0 : (opts_.iterations - first + stride - 1) / stride};
  }

  IterationLimits limits_for(uint64_t i) const {
    return iteration_limits(opts_.run, opts_.strategy, opts_.params, i);
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
      auto r = run_one(*strategy_, program_, calibration_.size(), nullptr);
      if (!r.ok()) {
        status_ = r.status();
        return false;
      }
      calibration_.push_back(r->scheduling_points);
    }
    return true;
  }

  // One iteration of a sampler (its begin_iteration always says yes). With
  // `logs`, the guest's log lines go to the reporter (-v; one job).
  Result<IterationResult> run_one(Strategy& strategy, Program& program, uint64_t i,
                                  std::vector<Decision>* decisions, bool logs = false,
                                  CoverageSink* coverage = nullptr) {
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

  void count(const IterationResult& r) {
    ++report_.iterations_run;
    report_.steps += r.steps;
    if (r.outcome == Outcome::kMaxSteps) ++report_.max_steps_hits;
  }

  // Runs `rest` (iterations sharing one hint) on config_.jobs threads. The
  // result is the one a single thread gives: the lowest failing iteration
  // is reported, and counts cover exactly the iterations up to it.
  bool run_parallel(const std::vector<uint64_t>& rest, size_t done_before, size_t total) {
    struct Record {
      uint32_t steps = 0;
      Outcome outcome = Outcome::kPassed;
    };
    std::vector<Record> records(rest.size());
    std::atomic<size_t> next{0};
    std::atomic<size_t> first_bug{rest.size()};
    std::atomic<size_t> finished{0};
    std::mutex mu;
    IterationResult bug_result;
    std::vector<Decision> bug_decisions;
    Status failure;
    constexpr size_t kChunk = 8;

    auto work = [&](Program& program, bool reports_progress) {
      auto strategy = make_strategy();
      std::unique_ptr<CoverageSink> coverage;
      if (coverage_) coverage = std::make_unique<CoverageSink>();
      struct Merge {  // this thread's coverage joins the test's when it stops
        std::unique_ptr<CoverageSink>& mine;
        std::mutex& mu;
        CoverageSink* all;
        ~Merge() {
          if (!mine) return;
          std::lock_guard<std::mutex> lock(mu);
          all->totals.merge(mine->totals);
        }
      } merge{coverage, mu, coverage_.get()};
      std::vector<Decision> decisions;
      decisions.reserve(1024);
      for (;;) {
        const size_t begin = next.fetch_add(kChunk);
        if (begin >= rest.size() || begin >= first_bug.load()) return;
        for (size_t k = begin; k < std::min(begin + kChunk, rest.size()); ++k) {
          if (k >= first_bug.load()) return;
          decisions.clear();
          auto r = run_one(*strategy, program, rest[k], &decisions, false, coverage.get());
          if (!r.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            failure = r.status();
            first_bug.store(0);
            return;
          }
          records[k] = {static_cast<uint32_t>(r->steps), r->outcome};
          if (r->outcome == Outcome::kFailed) {
            std::lock_guard<std::mutex> lock(mu);
            if (k < first_bug.load()) {
              first_bug.store(k);
              bug_result = *r;
              bug_decisions = decisions;
            }
            return;
          }
          const size_t n = finished.fetch_add(1) + 1;
          if (reports_progress && (n & 255) == 0) {
            reporter_.progress(report_.name, done_before + n, total, seconds_since(start_));
          }
        }
      }
    };

    while (workers_.size() + 1 < config_.jobs) {  // loaded once, kept for the next window
      auto p = loader_(program_.path());
      if (!p.ok()) {
        status_ = p.status();
        return false;
      }
      workers_.push_back(std::move(*p));
    }
    std::vector<std::thread> threads;
    for (auto& p : workers_) threads.emplace_back(work, std::ref(*p), false);
    work(program_, true);
    for (auto& t : threads) t.join();
    if (!failure.ok()) {
      status_ = failure;
      return false;
    }
    const size_t last = first_bug.load();
    for (size_t k = 0; k < rest.size() && k <= last; ++k) {
      IterationResult r;
      r.steps = records[k].steps;
      r.outcome = records[k].outcome;
      count(r);
    }
    if (last < rest.size()) {
      decisions_ = std::move(bug_decisions);
      record_bug(rest[last], bug_result);
    }
    return true;
  }

  void record_bug(uint64_t i, const IterationResult& result) {
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
    std::vector<Decision> replayed = decisions_;
    if (hung) {
      while (!replayed.empty() && replayed.back().kind == DecisionKind::kChoice)
        replayed.pop_back();
      if (!replayed.empty()) replayed.pop_back();  // the step that hung
    }
    auto replay = make_replay_strategy(replayed);
    Status status;
    IterationResult again = record_iteration(program_, index_, opts_.run, *replay,
                                             trace.iteration_seed, trace.hint, trace, status);
    trace.decisions = decisions_;
    trace.failure = result.failure;
    trace.steps = result.steps;
    if (hung) {
      describe_hung_step(
          trace, replayed.size() < decisions_.size() ? decisions_[replayed.size()] : Decision{});
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
    bug.faults = fault_lines(trace);
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

  // The event and facts of a step that ran past iter_timeout (not re-run).
  static void describe_hung_step(Trace& trace, const Decision& d) {
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

  TestReport error(const Status& why) {
    report_.status = TestReport::Status::kError;
    report_.error = why.message();
    report_.error_code = why.code();
    return report_;
  }

  Program& program_;
  size_t index_;
  const RunConfig& config_;
  Reporter& reporter_;
  const ProgramLoader& loader_;
  std::chrono::steady_clock::time_point start_;
  TestReport report_;
  ResolvedOptions opts_;
  std::unique_ptr<Strategy> strategy_;
  std::vector<Decision> decisions_;
  std::vector<uint64_t> calibration_;
  std::vector<std::unique_ptr<Program>> workers_;  // --jobs: one program per extra thread
  std::unique_ptr<CoverageSink> coverage_;        // with config_.coverage
  Status status_;
};

}  // namespace

IterationResult record_iteration(Program& program, size_t test, const RunOptions& options,
                                 Strategy& strategy, uint64_t seed, const IterationHint& hint,
                                 Trace& trace, Status& status) {
  trace.events.clear();
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
  const auto start = Clock::now();
  remove_stale_temporaries(config.traces_dir);  // left by runs killed while writing a trace
  for (const auto& file : files) {
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
      TestRun run(**program, t, config, reporter, loader);
      TestReport report = run.run();
      summary.iterations += report.iterations_run;
      summary.steps += report.steps;
      summary.max_steps_hits += report.max_steps_hits;
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

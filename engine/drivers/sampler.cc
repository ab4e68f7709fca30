// The driver of a sampler (engine/test_run.h).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/test_run.h"

namespace lockstep {

// A sampler's iterations are each a pure function of (seed, hint): the
// calibration iterations (and any run of one job) go one by one on this
// thread; the rest share one hint and run on `jobs` threads, in windows.
TestReport TestRun::drive_sampler() {
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
    if (stop_requested()) break;
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
      report_.wall_seconds = seconds();
      finish_coverage(i + 1);
      return report_;
    }
    if ((k & 1023) == 1023)
      reporter_.progress(report_.name, k + 1, selected.size(), seconds());
  }
  if (serial < selected.size()) {
    if (!calibrate_before(kCalibrationIterations)) return error(status_);
    // In windows, so memory stays bounded however many iterations run.
    constexpr uint64_t kWindow = 1 << 16;
    std::vector<uint64_t> window;
    for (uint64_t from = serial; from < selected.size() && report_.status != TestReport::Status::kBug &&
                                 !report_.interrupted && !report_.bounded_by_time && !stop_requested();
         from += kWindow) {
      window.clear();
      for (uint64_t k = from; k < std::min(from + kWindow, selected.size()); ++k)
        window.push_back(selected[k]);
      if (!run_parallel(window, from, selected.size())) return error(status_);
    }
  }
  report_.wall_seconds = seconds();
  finish_coverage(selected.size() ? selected[selected.size() - 1] + 1 : 0);
  if (report_.status == TestReport::Status::kPassed) return nothing_checked();
  return report_;
}

// One window of iterations run on several threads: the threads take
// chunks in order and stop at the lowest failing iteration found so far.
struct TestRun::Window {
  // What count() needs of an iteration (not its failure, the bug's own).
  struct Record {
    uint32_t steps = 0;
    Outcome outcome = Outcome::kPassed;
    bool ran = false;  // an interrupted window leaves some iterations unrun
    bool fair = false;
    uint32_t monitors = 0;
    uint64_t fault_offers = 0, faults_taken = 0;
    Exercised exercised;

    void set(const IterationResult& r) {
      steps = static_cast<uint32_t>(r.steps);
      outcome = r.outcome;
      ran = true;
      fair = r.fair;
      monitors = r.monitors;
      fault_offers = r.fault_offers;
      faults_taken = r.faults_taken;
      exercised = r.exercised;
    }
    IterationResult result() const {
      IterationResult r;
      r.steps = steps;
      r.outcome = outcome;
      r.fair = fair;
      r.monitors = monitors;
      r.fault_offers = fault_offers;
      r.faults_taken = faults_taken;
      r.exercised = exercised;
      return r;
    }
  };
  static constexpr size_t kChunk = 8;

  Window(TestRun& run, const std::vector<uint64_t>& rest, size_t done_before, size_t total)
      : run(run), rest(rest), done_before(done_before), total(total) {}

  TestRun& run;
  const std::vector<uint64_t>& rest;
  size_t done_before, total;
  std::vector<Record> records = std::vector<Record>(rest.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> first_bug{rest.size()};
  std::atomic<size_t> finished{0};
  std::mutex mu;
  IterationResult bug_result;
  std::vector<Decision> bug_decisions;
  Status failure;

  // One thread's share, with a strategy and coverage of its own (merged
  // into the test's when it stops).
  void work(Program& program, bool reports_progress) {
    auto strategy = run.make_strategy();
    std::unique_ptr<CoverageSink> coverage;
    if (run.coverage_) coverage = std::make_unique<CoverageSink>();
    std::vector<Decision> decisions;
    decisions.reserve(1024);
    while (take_chunk(*strategy, program, reports_progress, coverage.get(), decisions)) {
    }
    if (!coverage) return;
    std::lock_guard<std::mutex> lock(mu);
    run.coverage_->totals.merge(coverage->totals);
  }

  // Runs the next chunk; false once there is nothing more to do.
  bool take_chunk(Strategy& strategy, Program& program, bool reports_progress, CoverageSink* coverage,
                  std::vector<Decision>& decisions) {
    const size_t begin = next.fetch_add(kChunk);
    if (begin >= rest.size() || begin >= first_bug.load()) return false;
    if (run.config_.stop && run.config_.stop->load(std::memory_order_relaxed) != 0) return false;
    if (run.out_of_time()) return false;
    for (size_t k = begin; k < std::min(begin + kChunk, rest.size()); ++k) {
      if (k >= first_bug.load()) return false;
      decisions.clear();
      auto r = run.run_one(strategy, program, rest[k], &decisions, false, coverage);
      if (!r.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        failure = r.status();
        first_bug.store(0);
        return false;
      }
      records[k].set(*r);
      if (r->outcome == Outcome::kFailed) {
        std::lock_guard<std::mutex> lock(mu);
        if (k < first_bug.load()) {
          first_bug.store(k);
          bug_result = *r;
          bug_decisions = decisions;
        }
        return false;
      }
      const size_t n = finished.fetch_add(1) + 1;
      if (reports_progress && (n & 255) == 0) run.reporter_.progress(run.report_.name, done_before + n, total, run.seconds());
    }
    return true;
  }
};

// Runs `rest` (iterations sharing one hint) on config_.jobs threads. The
// result is the one a single thread gives: the lowest failing iteration
// is reported, and counts cover exactly the iterations up to it.
bool TestRun::run_parallel(const std::vector<uint64_t>& rest, size_t done_before, size_t total) {
  while (workers_.size() + 1 < config_.jobs) {  // loaded once, kept for the next window
    auto p = loader_(program_.path());
    if (!p.ok()) {
      status_ = p.status();
      return false;
    }
    workers_.push_back(std::move(*p));
  }
  Window w(*this, rest, done_before, total);
  std::vector<std::thread> threads;
  for (auto& p : workers_) threads.emplace_back([&w, &p] { w.work(*p, false); });
  w.work(program_, true);
  for (auto& t : threads) t.join();
  if (!w.failure.ok()) {
    status_ = w.failure;
    return false;
  }
  const size_t last = w.first_bug.load();
  for (size_t k = 0; k < rest.size() && k <= last; ++k) {
    if (!w.records[k].ran) {  // stopped early: what ran before it is all that counts
      stop_requested();
      break;
    }
    count(w.records[k].result());
  }
  if (last < rest.size()) {
    decisions_ = std::move(w.bug_decisions);
    record_bug(rest[last], w.bug_result);
  }
  return true;
}

}  // namespace lockstep

// The driver of a learner (engine/test_run.h).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/test_run.h"

namespace lockstep {

// A learner runs its selection in epochs (engine/strategy.h): each
// epoch's iterations on `jobs` threads, each thread with its own copy of
// the strategy; then every copy learns the epoch's lessons in order.
// With --iteration I, the selection runs up to I and only I counts.
TestReport TestRun::drive_learner() {
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
  for (uint64_t from = 0; from < selected.size() && !stop_requested(); from += kLearnEpoch) {
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
        report_.wall_seconds = seconds();
        finish_coverage(i + 1);
        return report_;
      }
    }
    for (Slot& slot : slots) {
      if (!slot.lesson) continue;
      strategy_->learner()->learn(*slot.lesson);
      for (auto& c : copies) c->learner()->learn(*slot.lesson);
    }
    if (to < selected.size()) reporter_.progress(report_.name, to, selected.size(), seconds());
  }
  report_.wall_seconds = seconds();
  finish_coverage(selected.size() ? selected[selected.size() - 1] + 1 : 0);
  if (report_.status == TestReport::Status::kPassed) return nothing_checked();
  return report_;
}

}  // namespace lockstep

#include "engine/scheduler.h"

#include <algorithm>
#include <array>

#include "engine/base/hash.h"
#include "engine/causality.h"
#include "engine/coverage.h"

namespace lockstep {
namespace {

// Routes a guest's controlled choices to the strategy and records them.
class RecordingChoices final : public ChoiceSource {
 public:
  RecordingChoices(Strategy& strategy, std::vector<Decision>* decisions)
      : strategy_(strategy), decisions_(decisions) {}

  uint64_t choose(uint64_t n) override {
    uint64_t v = strategy_.choose(n);
    if (decisions_) decisions_->push_back({DecisionKind::kChoice, StepKind::kStart, v});
    return v;
  }

 private:
  Strategy& strategy_;
  std::vector<Decision>* decisions_;
};

// Hot streaks of the liveness monitors (ls.liveness) within one iteration.
class LivenessWatch {
 public:
  explicit LivenessWatch(const IterationLimits& limits) : limits_(limits) {}

  // After step `step` (taken at `points` scheduling points) left
  // `result`'s monitors hot or cold: a failure when one stayed hot too long
  // while the strategy was fair.
  Failure after_step(const StepResult& result, uint32_t step, uint64_t points) {
    for (uint32_t i = known_; i < result.monitors && i < kMaxMonitors; ++i) cold_at_[i] = step - 1;
    known_ = std::max(known_, std::min(result.monitors, kMaxMonitors));
    if (!fair_ && limits_.fair_after && (*limits_.fair_after == 0 || points > *limits_.fair_after)) {
      fair_ = true;
      fair_from_ = step - 1;
    }
    for (uint32_t i = 0; i < known_; ++i) {
      if (!(result.hot >> i & 1)) {
        cold_at_[i] = step;
        continue;
      }
      const uint32_t from = std::max(cold_at_[i], fair_from_);
      if (fair_ && step - from > limits_.liveness_steps) {
        return failure(i, step, "stayed hot for more than liveness_steps (" +
                                    std::to_string(limits_.liveness_steps) + ") steps");
      }
    }
    return {};
  }

  // The root ended at `step` and nothing else can run: a monitor still hot
  // will never cool.
  Failure at_end(const StepResult& result, uint32_t step) {
    for (uint32_t i = 0; i < known_; ++i) {
      if (result.hot >> i & 1) {
        return failure(i, step, "is hot at the end of the iteration (every process finished or blocked)");
      }
    }
    return {};
  }

  // The hot streaks at step `step`, mixed (0 while the strategy is not
  // fair: no streak can then fail the run).
  uint64_t streaks(uint32_t step) const {
    if (!fair_) return 0;
    uint64_t h = 0x5eed;
    for (uint32_t i = 0; i < known_; ++i) h = mix64(h ^ (step - std::max(cold_at_[i], fair_from_)));
    return h;
  }

  void name_monitors(const System& system, Failure& failure) const {
    if (failure.kind != FailureKind::kLiveness || monitor_ >= known_) return;
    failure.message = "monitor \"" + system.monitor_name(monitor_) + "\" " + failure.message;
  }

 private:
  Failure failure(uint32_t i, uint32_t step, std::string what) {
    monitor_ = i;
    Failure f;
    f.kind = FailureKind::kLiveness;
    f.step = step;
    f.message = std::move(what);
    f.details = "  the monitor was hot for the last " + std::to_string(step - cold_at_[i]) + " steps (" +
                (cold_at_[i] == 0 ? std::string("since the iteration began")
                                  : "cold last after step " + std::to_string(cold_at_[i])) +
                ")\n";
    return f;
  }

  const IterationLimits& limits_;
  std::array<uint32_t, kMaxMonitors> cold_at_{};  // the last step after which it was cold
  uint32_t known_ = 0;
  bool fair_ = false;
  uint32_t fair_from_ = 0;
  uint32_t monitor_ = 0;
};

// The system's fingerprints, for a strategy that asks, with what the
// scheduler itself holds of the state: the liveness monitors' hot streaks
// once the strategy is fair (a cycle of hot states must not look like one
// explored before: each step while hot is a state of its own).
class SystemStates final : public StateSource {
 public:
  SystemStates(System& system, const LivenessWatch& liveness) : system_(system), liveness_(liveness) {}
  std::optional<StateId> current(const StateOptions& options) override {
    std::optional<StateId> id = system_.state_id(options);
    if (id) id->lo = mix64(id->lo ^ liveness_.streaks(steps_));
    return id;
  }
  void event_names(std::span<const Op> enabled, const StateOptions& options, std::vector<uint64_t>& out) override {
    system_.event_names(enabled, options, out);
  }
  bool clock_read() const override { return system_.clock_read(); }
  bool ids_read() const override { return system_.ids_read(); }
  bool root_waits_for_time() const override { return system_.root_waits_for_time(); }
  std::optional<EventKey> roots_due_timer() const override { return system_.roots_due_timer(); }
  bool timer_footprint(const Op& timer, std::vector<Access>& out) const override {
    return system_.timer_footprint(timer, out);
  }
  void set_steps(uint32_t steps) { steps_ = steps; }

 private:
  System& system_;
  const LivenessWatch& liveness_;
  uint32_t steps_ = 0;
};

// Whether a fault was offered at this step, and whether it was taken.
void count_faults(std::span<const Op> enabled, const Op& taken, IterationResult& result) {
  for (const Op& op : enabled) {
    if (op.key.kind != EventKind::kFault) continue;
    ++result.fault_offers;
    break;
  }
  if (taken.key.kind == EventKind::kFault) ++result.faults_taken;
}

// Lends `states` to the strategy while an iteration's steps run.
struct LendStates {
  LendStates(Strategy& s, StateSource* states) : strategy(s) { strategy.set_states(states); }
  ~LendStates() { strategy.set_states(nullptr); }
  Strategy& strategy;
};

// Whether the iteration has used up its steps (max_steps) or the memory
// its record may take; if so, `result` says which.
bool out_of_steps(const IterationLimits& limits, IterationResult& result) {
  if (result.steps >= limits.max_steps) {
    if (limits.fail_on_max_steps) {
      result.outcome = Outcome::kFailed;
      result.failure.kind = FailureKind::kMaxSteps;
      result.failure.step = static_cast<uint32_t>(result.steps);
      result.failure.message = "reached max_steps (" + std::to_string(limits.max_steps) +
                               ") without finishing: a livelock or an unbounded loop";
    } else {
      result.outcome = Outcome::kMaxSteps;
    }
    return true;
  }
  if (result.steps >= limits.max_recorded_steps) {
    result.outcome = Outcome::kFailed;
    result.failure.kind = FailureKind::kMemory;
    result.failure.step = static_cast<uint32_t>(result.steps);
    result.failure.message =
        "the record of the iteration's steps passed max_memory (" + std::to_string(limits.max_memory_mb) +
        " MB holds " + std::to_string(limits.max_recorded_steps) + " steps at " +
        std::to_string(kRecordBytesPerStep) + " bytes each): lower max_steps, or raise max_memory (--max-memory)";
    return true;
  }
  return false;
}

// After a step with liveness monitors: a monitor hot too long, or hot when
// nothing is left to run, is the step's failure.
void judge_liveness(System& system, LivenessWatch& liveness, const IterationResult& result, StepResult& step) {
  step.failure = liveness.after_step(step, step.facts.step, result.scheduling_points);
  if (!step.failure && step.finished && step.hot != 0 && system.enabled().empty()) {
    step.failure = liveness.at_end(step, step.facts.step);
  }
  liveness.name_monitors(system, step.failure);
}

IterationResult run_steps(System& system, Strategy& strategy, const IterationLimits& limits,
                          std::vector<Decision>* decisions, FactLog* facts, CoverageRecorder* coverage) {
  IterationResult result;
  result.fair = limits.fair_after.has_value();
  RecordingChoices choices(strategy, decisions);
  LivenessWatch liveness(limits);
  SystemStates states(system, liveness);
  LendStates lend(strategy, &states);
  system.set_observing(strategy.wants_observations());
  system.set_numbering_races(strategy.numbering_races());
  system.set_shapes(coverage != nullptr);
  const uint64_t step_cap = std::min(limits.max_steps, limits.max_recorded_steps);
  for (;;) {
    std::span<const Op> enabled = system.enabled();
    if (enabled.empty()) {
      if (system.advance_time()) {
        strategy.on_advance_time(system.now());
        continue;
      }
      result.outcome = Outcome::kFailed;
      result.failure = system.deadlock();
      result.failure.step = static_cast<uint32_t>(result.steps);
      return result;
    }
    if (result.steps >= step_cap && out_of_steps(limits, result)) return result;
    if (enabled.size() >= 2) ++result.scheduling_points;
    states.set_steps(static_cast<uint32_t>(result.steps));
    const size_t picked = strategy.pick(enabled);
    if (picked == Strategy::kAbandon) {
      result.outcome = Outcome::kAbandoned;
      return result;
    }
    const Op op = enabled[picked];
    if (limits.count_faults) count_faults(enabled, op, result);
    if (decisions) decisions->push_back(Decision::of(op));
    ++result.steps;
    StepResult step = system.step(op, choices);
    step.facts.step = static_cast<uint32_t>(result.steps);
    step.facts.event = op.key;
    step.facts.kind = op.step;
    if (facts) facts->add(step.facts);
    if (coverage) coverage->on_step(step.facts);
    if (!strategy.on_step(step.facts)) {
      result.outcome = Outcome::kAbandoned;
      return result;
    }
    result.monitors = std::max(result.monitors, step.monitors);
    if (!step.failure && step.monitors != 0) judge_liveness(system, liveness, result, step);
    if (step.failure) {
      result.outcome = Outcome::kFailed;
      result.failure = std::move(step.failure);
      if (result.failure.step == 0) result.failure.step = static_cast<uint32_t>(result.steps);
      return result;
    }
    if (step.finished) return result;
  }
}

}  // namespace

IterationResult run_iteration(System& system, Strategy& strategy, const IterationLimits& limits,
                              std::vector<Decision>* decisions, FactLog* facts, CoverageRecorder* coverage) {
  IterationResult result = run_steps(system, strategy, limits, decisions, facts, coverage);
  system.end_steps();
  result.exercised = system.exercised();
  strategy.end_iteration(result);
  if (result.outcome != Outcome::kAbandoned && strategy.search() && strategy.search()->repeated()) {
    result.outcome = Outcome::kAbandoned;
  }
  return result;
}

IterationLimits iteration_limits(const RunOptions& options, std::string_view strategy,
                                 const StrategyParams& params, uint64_t iteration) {
  IterationLimits limits;
  limits.max_steps = options.max_steps;
  limits.fail_on_max_steps = options.fail_on_max_steps;
  limits.liveness_steps = options.liveness_steps;
  limits.max_memory_mb = options.max_memory_mb;
  limits.max_recorded_steps = (std::min<uint64_t>(options.max_memory_mb, uint64_t{1} << 40) << 20) /
                              kRecordBytesPerStep;
  const StrategyInfo* info = find_strategy(strategy);
  if (info && info->fair_after) limits.fair_after = info->fair_after(params, iteration);
  limits.count_faults = !options.faults.empty();
  return limits;
}

}  // namespace lockstep

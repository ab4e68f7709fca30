#include "engine/scheduler.h"

#include "engine/causality.h"

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

IterationResult run_steps(System& system, Strategy& strategy, const IterationLimits& limits,
                          std::vector<Decision>* decisions, FactLog* facts) {
  IterationResult result;
  RecordingChoices choices(strategy, decisions);
  system.set_observing(strategy.wants_observations());
  for (;;) {
    std::span<const Op> enabled = system.enabled();
    if (enabled.empty()) {
      if (system.advance_time()) {
        strategy.on_advance_time();
        continue;
      }
      result.outcome = Outcome::kFailed;
      result.failure = system.deadlock();
      result.failure.step = static_cast<uint32_t>(result.steps);
      return result;
    }
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
      return result;
    }
    if (enabled.size() >= 2) ++result.scheduling_points;
    const size_t picked = strategy.pick(enabled);
    if (picked == Strategy::kAbandon) {
      result.outcome = Outcome::kAbandoned;
      return result;
    }
    const Op op = enabled[picked];
    if (decisions) decisions->push_back(Decision::of(op));
    ++result.steps;
    StepResult step = system.step(op, choices);
    step.facts.step = static_cast<uint32_t>(result.steps);
    step.facts.event = op.key;
    step.facts.kind = op.step;
    if (facts) facts->add(step.facts);
    if (!strategy.on_step(step.facts)) {
      result.outcome = Outcome::kAbandoned;
      return result;
    }
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
                              std::vector<Decision>* decisions, FactLog* facts) {
  IterationResult result = run_steps(system, strategy, limits, decisions, facts);
  strategy.end_iteration(result);
  if (result.outcome != Outcome::kAbandoned && strategy.repeated()) result.outcome = Outcome::kAbandoned;
  return result;
}

}  // namespace lockstep

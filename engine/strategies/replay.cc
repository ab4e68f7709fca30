// replay: follows a recorded decision sequence through the ordinary
// scheduling loop. At each step the recorded decision must be of the same
// kind, name an enabled operation, and that operation must be at the same
// sync-point kind; otherwise the run has diverged and the strategy says
// where and how. Past the end of the recording it hands over to `then_`.
#include <sstream>
#include <utility>

#include "engine/strategy.h"

namespace lockstep {
namespace {

std::string describe(EventKey key, StepKind step) {
  return event_key_name(key) + " (" + std::string(step_kind_name(step)) + ")";
}

std::string describe(const Decision& d) {
  EventKind kind;
  if (!event_kind(d.kind, kind)) return "choice " + std::to_string(d.value);
  return describe(EventKey{kind, static_cast<uint32_t>(d.value)}, d.step);
}

class ReplayStrategy final : public Strategy {
 public:
  ReplayStrategy(std::vector<Decision> decisions, std::unique_ptr<Strategy> then)
      : decisions_(std::move(decisions)), then_(std::move(then)) {}

  void begin_iteration(uint64_t seed, const IterationHint& hint) override {
    next_ = 0;
    step_ = 0;
    diverged_ = false;
    handed_over_at_ = 0;
    message_.clear();
    if (then_) then_->begin_iteration(seed, hint);
  }

  size_t pick(std::span<const Op> enabled) override {
    ++step_;
    if (diverged_) return 0;
    if (next_ >= decisions_.size()) {
      if (then_) return then_->pick(enabled);
      return diverge("the recorded schedule ends here, but the run goes on");
    }
    const Decision& d = decisions_[next_];
    if (d.kind == DecisionKind::kChoice) {
      diverge(std::string("expected a ") + std::string(decision_kind_name(d.kind)) +
              " decision, but the run asked which operation runs next");
      return then_ ? then_->pick(enabled) : 0;
    }
    for (size_t i = 0; i < enabled.size(); ++i) {
      const Op& op = enabled[i];
      if (!d.runs(op.key)) continue;
      if (op.step != d.step) {
        diverge("expected " + describe(d) + ", found " + describe(op.key, op.step));
        return then_ ? then_->pick(enabled) : 0;
      }
      ++next_;
      return i;
    }
    std::string found;
    for (const Op& op : enabled) {
      if (!found.empty()) found += ", ";
      found += describe(op.key, op.step);
    }
    diverge("expected " + describe(d) + " but it is not enabled; enabled: " + found);
    return then_ ? then_->pick(enabled) : 0;
  }

  void on_scheduled(const Op& op) override {
    if (then_ && next_ >= decisions_.size()) then_->on_scheduled(op);
  }

  uint64_t choose(uint64_t n) override {
    if (diverged_) return 0;
    if (next_ >= decisions_.size()) {
      if (then_) return then_->choose(n);
      diverge("the recorded schedule ends here, but the run makes a choice");
      return 0;
    }
    const Decision& d = decisions_[next_];
    if (d.kind != DecisionKind::kChoice) {
      diverge("expected " + describe(d) +
              ", but the running process made a controlled choice");
      return then_ ? then_->choose(n) : 0;
    }
    if (d.value >= n) {
      diverge("recorded choice " + std::to_string(d.value) + " is out of range [0, " +
              std::to_string(n) + ")");
      return then_ ? then_->choose(n) : 0;
    }
    ++next_;
    return d.value;
  }

  bool diverged() const override { return diverged_; }
  std::string divergence() const override { return message_; }
  uint64_t handed_over_at() const { return handed_over_at_; }

 private:
  size_t diverge(std::string what) {
    if (then_ && !diverged_) {
      // Hand over to the continuation strategy for the rest of the run.
      if (handed_over_at_ == 0) {
        handed_over_at_ = step_;
        message_ = "step " + std::to_string(step_) + ": " + what;
      }
      next_ = decisions_.size();
      return 0;
    }
    if (!diverged_) {
      diverged_ = true;
      message_ = "step " + std::to_string(step_) + ": " + what;
    }
    return 0;
  }

  std::vector<Decision> decisions_;
  std::unique_ptr<Strategy> then_;
  size_t next_ = 0;
  uint64_t step_ = 0;
  bool diverged_ = false;
  uint64_t handed_over_at_ = 0;  // with a continuation: where the recording stopped fitting
  std::string message_;
};

}  // namespace

std::unique_ptr<Strategy> make_replay_strategy(std::vector<Decision> decisions,
                                               std::unique_ptr<Strategy> then) {
  return std::make_unique<ReplayStrategy>(std::move(decisions), std::move(then));
}

}  // namespace lockstep

namespace lockstep {
namespace {

// Follows a candidate decision sequence as far as it fits, for shrinking:
// a recorded decision that cannot be taken is skipped, and past the end the
// run continues without preemption (the process that ran last keeps
// running while it can, otherwise the lowest id). Deterministic.
class LenientReplayStrategy final : public Strategy {
 public:
  explicit LenientReplayStrategy(std::vector<Decision> decisions) : decisions_(std::move(decisions)) {}

  void begin_iteration(uint64_t, const IterationHint&) override {
    next_ = 0;
    have_last_ = false;
  }

  size_t pick(std::span<const Op> enabled) override {
    while (next_ < decisions_.size()) {
      const Decision& d = decisions_[next_++];
      if (d.kind == DecisionKind::kChoice) continue;  // misaligned: drop it
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (d.runs(enabled[i].key)) return i;
      }
    }
    size_t best = 0;
    for (size_t i = 0; i < enabled.size(); ++i) {
      const Op& op = enabled[i];
      if (have_last_ && op.key == last_.key) return i;
      if (op.key < enabled[best].key) best = i;
    }
    return best;
  }

  void on_scheduled(const Op& op) override {
    last_ = op;
    have_last_ = true;
  }

  uint64_t choose(uint64_t n) override {
    if (next_ < decisions_.size() && decisions_[next_].kind == DecisionKind::kChoice) {
      const uint64_t v = decisions_[next_++].value;
      return v < n ? v : 0;
    }
    return 0;
  }

 private:
  std::vector<Decision> decisions_;
  size_t next_ = 0;
  Op last_;
  bool have_last_ = false;
};

}  // namespace

std::unique_ptr<Strategy> make_lenient_replay_strategy(std::vector<Decision> decisions) {
  return std::make_unique<LenientReplayStrategy>(std::move(decisions));
}

}  // namespace lockstep

// Replay variants: follow a prefix, then go on (engine/strategy.h).
//
// Strict replay follows a recorded decision sequence through the ordinary
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

class Replay final : public ReplayStrategy {
 public:
  Replay(std::vector<Decision> decisions, std::unique_ptr<Strategy> then)
      : decisions_(std::move(decisions)), then_(std::move(then)) {}

  bool begin_iteration(uint64_t seed, const IterationHint& hint) override {
    next_ = 0;
    step_ = 0;
    stop_ = false;
    divergence_.reset();
    if (then_) then_->begin_iteration(seed, hint);
    return true;
  }

  size_t pick(std::span<const Op> enabled) override {
    ++step_;
    if (stop_) return kAbandon;
    if (next_ >= decisions_.size()) {
      if (then_) return then_->pick(enabled);
      return diverge("the recorded schedule ends here, but the run goes on", enabled);
    }
    const Decision& d = decisions_[next_];
    if (d.kind == DecisionKind::kChoice) {
      return diverge(std::string("expected a ") + std::string(decision_kind_name(d.kind)) +
                         " decision, but the run asked which operation runs next",
                     enabled);
    }
    for (size_t i = 0; i < enabled.size(); ++i) {
      const Op& op = enabled[i];
      if (!d.runs(op.key)) continue;
      if (op.step != d.step) return diverge("expected " + describe(d) + ", found " + describe(op.key, op.step), enabled);
      ++next_;
      return i;
    }
    std::string found;
    for (const Op& op : enabled) {
      if (!found.empty()) found += ", ";
      found += describe(op.key, op.step);
    }
    return diverge("expected " + describe(d) + " but it is not enabled; enabled: " + found, enabled);
  }

  bool on_step(const StepFacts& facts) override {
    if (then_ && next_ >= decisions_.size()) return then_->on_step(facts);
    return !stop_;
  }

  void end_iteration(const IterationResult& result) override {
    if (then_) then_->end_iteration(result);
  }

  uint64_t choose(uint64_t n) override {
    if (stop_) return 0;
    if (next_ >= decisions_.size()) {
      if (then_) return then_->choose(n);
      diverge("the recorded schedule ends here, but the run makes a choice", {});
      return 0;
    }
    const Decision& d = decisions_[next_];
    if (d.kind != DecisionKind::kChoice) {
      diverge("expected " + describe(d) + ", but the running process made a controlled choice", {});
      return then_ && !stop_ ? then_->choose(n) : 0;
    }
    if (d.value >= n) {
      diverge("recorded choice " + std::to_string(d.value) + " is out of range [0, " + std::to_string(n) + ")", {});
      return then_ && !stop_ ? then_->choose(n) : 0;
    }
    ++next_;
    return d.value;
  }

  const std::optional<Divergence>& divergence() const override { return divergence_; }

 private:
  // Records where the recording stopped fitting. With a continuation, hands
  // over to it for the rest of the run (and, inside pick, lets it pick);
  // without, the run is abandoned.
  size_t diverge(std::string what, std::span<const Op> enabled) {
    if (!divergence_) divergence_ = Divergence{step_, std::move(what)};
    if (then_) {
      next_ = decisions_.size();
      return enabled.empty() ? 0 : then_->pick(enabled);
    }
    stop_ = true;
    return kAbandon;
  }

  std::vector<Decision> decisions_;
  std::unique_ptr<Strategy> then_;
  size_t next_ = 0;
  uint64_t step_ = 0;
  bool stop_ = false;  // diverged without a continuation
  std::optional<Divergence> divergence_;
};

}  // namespace

std::unique_ptr<ReplayStrategy> make_replay_strategy(std::vector<Decision> decisions,
                                                     std::unique_ptr<Strategy> then) {
  return std::make_unique<Replay>(std::move(decisions), std::move(then));
}

namespace {

// Event names that follow one process from run to run: by how it was made,
// never by its rank among processes declared symmetric (ids: true).
constexpr StateOptions kOneNamePerProcess{.absolute_time = false, .ids = true};

// Follows a decision sequence as far as it fits (a decision that cannot be
// taken is skipped), then goes on as its tail says.
class LenientReplayStrategy final : public Strategy {
 public:
  LenientReplayStrategy(std::vector<Decision> decisions, ReplayTail tail, ReplayNames names)
      : decisions_(std::move(decisions)), tail_(tail), names_(std::move(names)) {}

  bool begin_iteration(uint64_t, const IterationHint&) override {
    next_ = 0;
    have_last_ = false;
    return true;
  }

  void set_states(StateSource* states) override { states_ = states; }

  size_t pick(std::span<const Op> enabled) override {
    named_ = false;
    while (next_ < decisions_.size()) {
      const size_t at = next_++;
      const Decision& d = decisions_[at];
      if (d.kind == DecisionKind::kChoice) continue;  // misaligned: drop it
      const uint64_t name = at < names_.names.size() ? names_.names[at] : 0;
      if (name != 0 && states_) {  // by name: an id may now be another event's
        name_enabled(enabled);
        for (size_t i = 0; i < enabled.size(); ++i) {
          if (enabled_names_[i] == name) return took(enabled, i);
        }
        continue;
      }
      for (size_t i = 0; i < enabled.size(); ++i) {
        if (d.runs(enabled[i].key)) return took(enabled, i);
      }
    }
    switch (tail_.kind) {
      case ReplayTail::Kind::kDelay: return took(enabled, delay(enabled));
      case ReplayTail::Kind::kHoldTimers: return took(enabled, hold_timers(enabled));
      case ReplayTail::Kind::kKeepRunning: break;
    }
    return took(enabled, keep_running(enabled));
  }

  bool on_step(const StepFacts& facts) override {
    last_ = facts.event;
    have_last_ = true;
    return true;
  }

  uint64_t choose(uint64_t n) override {
    if (next_ < decisions_.size() && decisions_[next_].kind == DecisionKind::kChoice) {
      const uint64_t v = decisions_[next_++].value;
      return v < n ? v : 0;
    }
    return 0;
  }

 private:
  void name_enabled(std::span<const Op> enabled) {
    if (named_) return;
    named_ = true;
    if (states_) {
      states_->event_names(enabled, kOneNamePerProcess, enabled_names_);
    } else {
      enabled_names_.assign(enabled.size(), 0);
    }
  }

  size_t took(std::span<const Op> enabled, size_t i) {
    if (names_.taken && i < enabled.size()) {
      name_enabled(enabled);
      names_.taken->push_back(enabled_names_[i]);
    }
    return i;
  }

  // The process that ran last while it can; else the lowest id (faults
  // sort after every other event).
  size_t keep_running(std::span<const Op> enabled) const {
    size_t best = 0;
    for (size_t i = 0; i < enabled.size(); ++i) {
      const Op& op = enabled[i];
      if (have_last_ && op.key == last_ && op.key.kind != EventKind::kFault) return i;
      if (op.key < enabled[best].key) best = i;
    }
    return best;
  }

  // The lowest id but timers and faults; then the lowest timer; a fault
  // only when nothing else is enabled.
  static size_t hold_timers(std::span<const Op> enabled) {
    auto rank = [](EventKind k) { return k == EventKind::kFault ? 2 : k == EventKind::kTimer ? 1 : 0; };
    size_t best = 0;
    for (size_t i = 1; i < enabled.size(); ++i) {
      const int r = rank(enabled[i].key.kind), rb = rank(enabled[best].key.kind);
      if (r < rb || (r == rb && enabled[i].key < enabled[best].key)) best = i;
    }
    return best;
  }

  // The lowest id but the delayed process and faults; then the delayed
  // process; a fault only when nothing else is enabled.
  size_t delay(std::span<const Op> enabled) const {
    size_t best = kAbandon;
    for (size_t i = 0; i < enabled.size(); ++i) {
      const EventKey k = enabled[i].key;
      if (k.kind == EventKind::kFault || k == EventKey::process(tail_.delayed)) continue;
      if (best == kAbandon || k < enabled[best].key) best = i;
    }
    if (best != kAbandon) return best;
    for (size_t i = 0; i < enabled.size(); ++i) {
      if (enabled[i].key.kind != EventKind::kFault) return i;
    }
    return 0;
  }

  std::vector<Decision> decisions_;
  ReplayTail tail_;
  ReplayNames names_;
  StateSource* states_ = nullptr;
  std::vector<uint64_t> enabled_names_;  // the names of this pick's enabled events
  bool named_ = false;                   // enabled_names_ is this pick's
  size_t next_ = 0;
  EventKey last_;
  bool have_last_ = false;
};

}  // namespace

std::unique_ptr<Strategy> make_lenient_replay_strategy(std::vector<Decision> decisions, ReplayTail tail,
                                                       ReplayNames names) {
  return std::make_unique<LenientReplayStrategy>(std::move(decisions), tail, std::move(names));
}

}  // namespace lockstep

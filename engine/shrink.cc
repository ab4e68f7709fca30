#include "engine/shrink.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "engine/causality.h"
#include "engine/replay.h"
#include "engine/runner.h"
#include "engine/scheduler.h"

namespace lockstep {
namespace {

using Decisions = std::vector<Decision>;

// Smaller is better: fewer faults first (a fault a failure does not need
// misleads whoever reads the schedule more than a longer schedule does),
// then fewer steps, then fewer context switches.
struct Key {
  uint64_t faults, steps, switches;
  auto operator<=>(const Key&) const = default;
};

class Shrinker {
 public:
  Shrinker(const Trace& input, Program& program, size_t test, const ShrinkOptions& options)
      : input_(input), program_(program), test_(test), options_(options), start_(std::chrono::steady_clock::now()) {}

  // Runs a candidate; the decisions it actually took (and what its steps
  // did, in facts_) if it fails the same way.
  std::optional<Decisions> attempt(const Decisions& candidate) {
    ++attempts_;
    auto strategy = make_lenient_replay_strategy(candidate);
    strategy->begin_iteration(input_.iteration_seed, input_.hint);
    auto system = program_.start(test_, input_.options);
    if (!system.ok()) return std::nullopt;
    Decisions taken;
    facts_.clear();
    IterationResult r = run_iteration(**system, *strategy,
                                      iteration_limits(input_.options, input_.strategy, input_.params, input_.iteration), &taken, &facts_);
    if (r.outcome != Outcome::kFailed || r.failure.kind != input_.failure.kind ||
        r.failure.message != input_.failure.message) {
      return std::nullopt;
    }
    failed_step_ = r.failure.step;
    if (options_.progress) options_.progress(attempts_, steps(best_));
    return taken;
  }

  bool out_of_budget() const {
    return attempts_ >= options_.max_attempts ||
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() > options_.max_seconds;
  }

  // Tries a candidate; keeps it if it fails the same way and is smaller.
  bool offer(const Decisions& candidate) {
    if (out_of_budget() || !tried_.insert(candidate_hash(candidate)).second) return false;
    auto taken = attempt(candidate);
    if (!taken || !(key(*taken) < key(best_))) return false;
    best_ = std::move(*taken);
    best_facts_ = facts_;
    best_failed_step_ = failed_step_;
    return true;
  }

  // `facts` and `failed_step` describe `start` (the recorded run).
  Decisions run(Decisions start, const FactLog& facts, uint32_t failed_step) {
    best_ = std::move(start);
    best_facts_ = facts;
    best_failed_step_ = failed_step;
    bool improved = true;
    while (improved && !out_of_budget()) {
      improved = false;
      improved |= remove_faults();
      improved |= keep_causal_slice();
      improved |= drop_processes();
      improved |= shorten_prefix();
      improved |= remove_chunks();
      improved |= remove_preemptions();
    }
    return best_;
  }

  uint64_t attempts() const { return attempts_; }

  static uint64_t steps(const Decisions& d) {
    return static_cast<uint64_t>(std::count_if(d.begin(), d.end(), [](const Decision& x) {
      return x.kind != DecisionKind::kChoice;
    }));
  }
  static uint64_t faults(const Decisions& d) {
    return static_cast<uint64_t>(
        std::count_if(d.begin(), d.end(), [](const Decision& x) { return x.kind == DecisionKind::kFault; }));
  }
  static Key key(const Decisions& d) { return {faults(d), steps(d), context_switches(d)}; }

 private:
  static uint64_t candidate_hash(const Decisions& d) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const Decision& x : d) {
      h = (h ^ (static_cast<uint64_t>(x.kind) << 56 ^ x.value)) * 0x100000001b3ull;
    }
    return h ^ d.size();
  }

  // Keep only the steps that happen before the failure (the causal slice of
  // the best run so far, engine/causality.h), with the choices made inside
  // them: everything else is work the failure does not depend on.
  bool keep_causal_slice() {
    if (best_facts_.empty()) return false;
    const std::vector<uint32_t> slice =
        causal_slice(best_facts_, best_failed_step_, whole_frontier(input_.failure.kind));
    Decisions c;
    uint32_t step = 0;
    bool keep = false;
    for (const Decision& d : best_) {
      if (d.kind != DecisionKind::kChoice) keep = std::binary_search(slice.begin(), slice.end(), ++step);
      if (keep) c.push_back(d);
    }
    return c.size() < best_.size() && offer(c);
  }

  // Take out one injected fault at a time, the last first (a restart or a
  // heal whose crash or cut is gone no longer fits and is skipped).
  bool remove_faults() {
    bool improved = false;
    for (size_t i = best_.size(); i-- > 0 && !out_of_budget();) {
      if (i >= best_.size() || best_[i].kind != DecisionKind::kFault) continue;
      Decisions c = best_;
      c.erase(c.begin() + static_cast<ptrdiff_t>(i));
      improved |= offer(c);
    }
    return improved;
  }

  // Drop every step of one process (highest pid first).
  bool drop_processes() {
    std::set<uint64_t> pids;
    for (const Decision& d : best_) {
      if (d.kind == DecisionKind::kSchedule && d.value != 0) pids.insert(d.value);
    }
    bool improved = false;
    for (auto it = pids.rbegin(); it != pids.rend(); ++it) {
      Decisions c;
      for (const Decision& d : best_) {
        if (!(d.kind == DecisionKind::kSchedule && d.value == *it)) c.push_back(d);
      }
      improved |= offer(c);
    }
    return improved;
  }

  // Keep a prefix, run the rest without preemption; shortest prefix first.
  bool shorten_prefix() {
    const size_t n = best_.size();
    for (size_t k : {size_t{0}, n / 16, n / 8, n / 4, n / 2, 3 * n / 4}) {
      if (k >= n) continue;
      if (offer(Decisions(best_.begin(), best_.begin() + static_cast<ptrdiff_t>(k)))) return true;
    }
    return false;
  }

  // Delta-debugging style: remove chunks of halving size.
  bool remove_chunks() {
    bool improved = false;
    for (size_t chunk = std::max<size_t>(best_.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (size_t at = 0; at + chunk <= best_.size() && !out_of_budget();) {
        Decisions c(best_.begin(), best_.begin() + static_cast<ptrdiff_t>(at));
        c.insert(c.end(), best_.begin() + static_cast<ptrdiff_t>(at + chunk), best_.end());
        if (offer(c)) {
          improved = true;  // best_ changed: retry at the same place
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    return improved;
  }

  // At each context switch, try letting the previous process continue:
  // move the switched-to decision after the next decision of the previous one.
  bool remove_preemptions() {
    bool improved = false;
    for (size_t i = 1; i < best_.size() && !out_of_budget(); ++i) {
      const Decision& prev = best_[i - 1];
      const Decision& cur = best_[i];
      if (cur.kind == DecisionKind::kChoice || prev.kind == DecisionKind::kChoice) continue;
      if (cur.kind == prev.kind && cur.value == prev.value) continue;
      size_t j = i + 1;
      while (j < best_.size() && !(best_[j].kind == prev.kind && best_[j].value == prev.value)) ++j;
      if (j >= best_.size()) continue;
      Decisions c = best_;
      const Decision moved = c[i];
      c.erase(c.begin() + static_cast<ptrdiff_t>(i));
      c.insert(c.begin() + static_cast<ptrdiff_t>(j), moved);
      improved |= offer(c);
    }
    return improved;
  }

  const Trace& input_;
  Program& program_;
  size_t test_;
  const ShrinkOptions& options_;
  std::chrono::steady_clock::time_point start_;
  uint64_t attempts_ = 0;
  Decisions best_;
  FactLog best_facts_;          // what best_'s steps did
  uint32_t best_failed_step_ = 0;
  FactLog facts_;               // scratch: the last attempt's facts
  uint32_t failed_step_ = 0;
  std::set<uint64_t> tried_;
};

}  // namespace

ShrinkResult shrink_trace(const Trace& input, Program& program, const ShrinkOptions& options) {
  ShrinkResult result;
  auto index = find_test(program, input.test_name);
  if (!index.ok()) {
    result.status = index.status();
    return result;
  }
  // The input must reproduce before it can be shrunk.
  ReplayResult check = replay_trace(input, program, {});
  if (check.verdict == ReplayResult::Verdict::kError) {
    result.status = check.status;
    return result;
  }
  if (check.verdict != ReplayResult::Verdict::kReproduced) {
    result.verdict = ShrinkResult::Verdict::kDoesNotReproduce;
    result.why = check.verdict == ReplayResult::Verdict::kDiverged ? check.divergence
                                                                   : "the replayed run does not fail as recorded";
    return result;
  }
  result.steps_before = Shrinker::steps(input.decisions);
  result.switches_before = context_switches(input.decisions);
  result.faults_before = Shrinker::faults(input.decisions);

  Shrinker shrinker(input, program, *index, options);
  Decisions best = shrinker.run(input.decisions, check.run.facts, check.run.failure.step);
  result.attempts = shrinker.attempts();

  // Record the winner's events with a strict replay.
  Trace out = input;
  auto strategy = make_replay_strategy(best);
  Status status;
  IterationResult r =
      record_iteration(program, *index, input.options, *strategy, input.iteration_seed, input.hint, out, status);
  if (!status.ok()) {
    result.status = status;
    return result;
  }
  out.failure = r.failure;
  out.steps = r.steps;
  result.trace = std::move(out);
  result.steps_after = Shrinker::steps(result.trace.decisions);
  result.switches_after = context_switches(result.trace.decisions);
  result.faults_after = Shrinker::faults(result.trace.decisions);
  result.verdict = ShrinkResult::Verdict::kShrunk;
  return result;
}

}  // namespace lockstep

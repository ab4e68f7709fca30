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

// A decision sequence with the name of each decision's event as the
// system names it (0 for a choice): a candidate follows events by name, so
// taking out a step does not make a later decision's id (a message, a
// timer, a fault on a message, numbered in the order they were made) name
// another event.
struct Schedule {
  Decisions d;
  std::vector<uint64_t> names;

  size_t size() const { return d.size(); }
  Schedule slice(size_t from, size_t to) const {
    return {Decisions(d.begin() + static_cast<ptrdiff_t>(from), d.begin() + static_cast<ptrdiff_t>(to)),
            std::vector<uint64_t>(names.begin() + static_cast<ptrdiff_t>(from),
                                  names.begin() + static_cast<ptrdiff_t>(to))};
  }
  void push(const Schedule& from, size_t i) {
    d.push_back(from.d[i]);
    names.push_back(from.names[i]);
  }
  void erase(size_t from, size_t to) {
    d.erase(d.begin() + static_cast<ptrdiff_t>(from), d.begin() + static_cast<ptrdiff_t>(to));
    names.erase(names.begin() + static_cast<ptrdiff_t>(from), names.begin() + static_cast<ptrdiff_t>(to));
  }
  // Moves decision i to just after position j (j > i).
  void move_after(size_t i, size_t j) {
    std::rotate(d.begin() + static_cast<ptrdiff_t>(i), d.begin() + static_cast<ptrdiff_t>(i) + 1,
                d.begin() + static_cast<ptrdiff_t>(j) + 1);
    std::rotate(names.begin() + static_cast<ptrdiff_t>(i), names.begin() + static_cast<ptrdiff_t>(i) + 1,
                names.begin() + static_cast<ptrdiff_t>(j) + 1);
  }
  // Moves decision i to position j (j < i).
  void move_before(size_t i, size_t j) {
    std::rotate(d.begin() + static_cast<ptrdiff_t>(j), d.begin() + static_cast<ptrdiff_t>(i),
                d.begin() + static_cast<ptrdiff_t>(i) + 1);
    std::rotate(names.begin() + static_cast<ptrdiff_t>(j), names.begin() + static_cast<ptrdiff_t>(i),
                names.begin() + static_cast<ptrdiff_t>(i) + 1);
  }
};

class Shrinker {
 public:
  Shrinker(const Trace& input, Program& program, size_t test, const ShrinkOptions& options)
      : input_(input), program_(program), test_(test), options_(options), start_(std::chrono::steady_clock::now()) {}

  // Runs a candidate; the schedule it actually took (and what its steps
  // did, in facts_) if it fails the same way.
  std::optional<Schedule> attempt(const Schedule& candidate) {
    ++attempts_;
    std::vector<uint64_t> taken_names;
    auto strategy = make_lenient_replay_strategy(candidate.d, {}, {candidate.names, &taken_names});
    strategy->begin_iteration(input_.iteration_seed, input_.hint);
    auto system = program_.start(test_, input_.options);
    if (!system.ok()) return std::nullopt;
    Schedule taken;
    facts_.clear();
    IterationResult r =
        run_iteration(**system, *strategy, iteration_limits(input_.options, input_.strategy, input_.params, input_.iteration),
                      &taken.d, &facts_);
    if (r.outcome != Outcome::kFailed || !same_failure(r.failure)) return std::nullopt;
    size_t next = 0;
    for (const Decision& x : taken.d) {
      taken.names.push_back(x.kind == DecisionKind::kChoice || next >= taken_names.size() ? 0 : taken_names[next++]);
    }
    failed_step_ = r.failure.step;
    if (options_.progress) options_.progress(attempts_, steps(best_.d));
    return taken;
  }

  // The same failure: of the same kind, raised at the same place (its
  // message may show other values: the same assertion failing on another
  // read), or with the same message where it has no place.
  bool same_failure(const Failure& f) const {
    const Failure& want = input_.failure;
    if (f.kind != want.kind || f.location != want.location) return false;
    return !want.location.empty() || f.message == want.message;
  }

  bool out_of_attempts() const { return attempts_ >= options_.max_attempts; }
  bool out_of_time() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() > options_.max_seconds;
  }
  bool out_of_budget() const { return out_of_attempts() || out_of_time(); }

  // Why run() stopped.
  std::string stopped() const {
    if (out_of_attempts()) {
      return "it ran out of attempts (--max-attempts " + std::to_string(options_.max_attempts) +
             "): a larger budget may shrink it further";
    }
    if (out_of_time()) return "it ran out of time (--max-seconds): a larger budget may shrink it further";
    return "no candidate was smaller (taking out a fault, a process, a chunk of steps or a preemption, or moving "
           "a fault): " +
           std::to_string(not_smaller_) + " failed the same way with no fewer faults, steps or context switches, " +
           std::to_string(attempts_ - not_smaller_ - smaller_ - 1) + " did not fail the same way";
  }

  // Tries a candidate; keeps it if it fails the same way and is smaller.
  bool offer(const Schedule& candidate) {
    if (out_of_budget() || !tried_.insert(candidate_hash(candidate.d)).second) return false;
    auto taken = attempt(candidate);
    if (!taken) return false;
    if (!(key(taken->d) < key(best_.d))) {
      ++not_smaller_;
      return false;
    }
    ++smaller_;
    best_ = std::move(*taken);
    best_facts_ = facts_;
    best_failed_step_ = failed_step_;
    return true;
  }

  // Starts from the recorded run `start` (its names found by running it
  // once); nullopt if it does not fail as recorded.
  std::optional<Decisions> run(const Decisions& start) {
    auto named = attempt(Schedule{start, {}});
    if (!named) return std::nullopt;
    best_ = std::move(*named);
    best_facts_ = facts_;
    best_failed_step_ = failed_step_;
    bool improved = true;
    while (improved && !out_of_budget()) {
      improved = false;
      improved |= remove_faults();
      improved |= keep_causal_slice();
      improved |= drop_processes();
      improved |= shorten_prefix();
      improved |= remove_chunks();
      improved |= remove_preemptions();
      if (!improved) improved |= move_faults();
    }
    return best_.d;
  }

  uint64_t attempts() const { return attempts_; }

  static uint64_t steps(const Decisions& d) {
    return static_cast<uint64_t>(std::count_if(d.begin(), d.end(), [](const Decision& x) {
      return x.kind != DecisionKind::kChoice;
    }));
  }
  // Faults injected: a restart or heal only undoes one (and costs no budget).
  static uint64_t faults(const Decisions& d) {
    return static_cast<uint64_t>(std::count_if(d.begin(), d.end(), [](const Decision& x) {
      return x.kind == DecisionKind::kFault && step_role(x.step) != StepRole::kRecovery;
    }));
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
    Schedule c;
    uint32_t step = 0;
    bool keep = false;
    for (size_t i = 0; i < best_.size(); ++i) {
      if (best_.d[i].kind != DecisionKind::kChoice) keep = std::binary_search(slice.begin(), slice.end(), ++step);
      if (keep) c.push(best_, i);
    }
    return c.size() < best_.size() && offer(c);
  }

  // Take out one injected fault at a time, the last first (a restart or a
  // heal whose crash or cut is gone no longer fits and is skipped).
  bool remove_faults() {
    bool improved = false;
    for (size_t i = best_.size(); i-- > 0 && !out_of_budget();) {
      if (i >= best_.size() || best_.d[i].kind != DecisionKind::kFault) continue;
      Schedule c = best_;
      c.erase(i, i + 1);
      improved |= offer(c);
    }
    return improved;
  }

  // Move each injected fault earlier, then later, by halving distances:
  // where the failure needs a fault is often not where sampling put it,
  // and the steps it then no longer waits for can be taken out.
  bool move_faults() {
    bool improved = false;
    for (size_t i = 0; i < best_.size() && !out_of_budget(); ++i) {
      if (best_.d[i].kind != DecisionKind::kFault) continue;
      for (size_t by = std::max<size_t>(i / 2, 1); by >= 1 && by <= i; by /= 2) {
        Schedule c = best_;
        c.move_before(i, i - by);
        if (offer(c)) {
          improved = true;
          break;
        }
        if (by == 1) break;
      }
      if (improved || i >= best_.size()) continue;
      for (size_t by = std::max<size_t>((best_.size() - 1 - i) / 2, 1); by >= 1 && i + by < best_.size(); by /= 2) {
        Schedule c = best_;
        c.move_after(i, i + by);
        if (offer(c)) {
          improved = true;
          break;
        }
        if (by == 1) break;
      }
    }
    return improved;
  }

  // Drop every step of one process (highest pid first).
  bool drop_processes() {
    std::set<uint64_t> pids;
    for (const Decision& d : best_.d) {
      if (d.kind == DecisionKind::kSchedule && d.value != 0) pids.insert(d.value);
    }
    bool improved = false;
    for (auto it = pids.rbegin(); it != pids.rend(); ++it) {
      Schedule c;
      for (size_t i = 0; i < best_.size(); ++i) {
        if (!(best_.d[i].kind == DecisionKind::kSchedule && best_.d[i].value == *it)) c.push(best_, i);
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
      if (offer(best_.slice(0, k))) return true;
    }
    return false;
  }

  // Delta-debugging style: remove chunks of halving size.
  bool remove_chunks() {
    bool improved = false;
    for (size_t chunk = std::max<size_t>(best_.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (size_t at = 0; at + chunk <= best_.size() && !out_of_budget();) {
        Schedule c = best_;
        c.erase(at, at + chunk);
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
      const Decision& prev = best_.d[i - 1];
      const Decision& cur = best_.d[i];
      if (cur.kind == DecisionKind::kChoice || prev.kind == DecisionKind::kChoice) continue;
      if (cur.kind == prev.kind && cur.value == prev.value) continue;
      size_t j = i + 1;
      while (j < best_.size() && !(best_.d[j].kind == prev.kind && best_.d[j].value == prev.value)) ++j;
      if (j >= best_.size()) continue;
      Schedule c = best_;
      c.move_after(i, j);
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
  Schedule best_;
  FactLog best_facts_;          // what best_'s steps did
  uint32_t best_failed_step_ = 0;
  FactLog facts_;               // scratch: the last attempt's facts
  uint32_t failed_step_ = 0;
  std::set<uint64_t> tried_;
  // Besides the first run (which names the recorded schedule's events):
  uint64_t smaller_ = 0;      // candidates that became the best
  uint64_t not_smaller_ = 0;  // candidates that failed the same way, but were no smaller
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
  std::optional<Decisions> best = shrinker.run(input.decisions);
  result.attempts = shrinker.attempts();
  if (!best) {  // a strict replay reproduced it, but following it by names did not
    best = input.decisions;
    result.stopped = "the recorded schedule does not fail the same way when its events are followed by name";
  } else {
    result.stopped = shrinker.stopped();
  }

  // Record the winner's events with a strict replay.
  Trace out = input;
  auto strategy = make_replay_strategy(*best);
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

#include "engine/warnings.h"

#include <cstdio>
#include <string>

#include "engine/base/text.h"

namespace lockstep {

namespace {

std::string count(uint64_t n, const char* one, const char* many) {
  return with_commas(n) + " " + (n == 1 ? one : many);
}

// Why an incomplete search stopped.
std::string stopped_by(const TestReport& t) {
  if (t.interrupted) return "it was interrupted";
  if (t.bounded_by_time) return "its time ran out (--max-seconds)";
  return "its budget of " + count(t.iteration_budget, "iteration", "iterations") + " ran out";
}

}  // namespace

std::vector<TestReport::Warning> exercise_warnings(const TestReport& t, const ResolvedOptions& opts) {
  std::vector<TestReport::Warning> out;
  if (t.search && !t.complete) {
    out.push_back({"no_proof", "no proof: the search stopped after " +
                                   count(t.schedules_explored, "schedule", "schedules") + " because " +
                                   stopped_by(t) + "; what it did not explore may hold a bug"});
  }
  if (t.search && t.complete && t.bitstate_bytes) {
    char p[32];
    std::snprintf(p, sizeof p, "%.2g", t.omission_probability);
    out.push_back({"no_proof", std::string("no proof: the states were kept in a bit table (--bitstate), which may take a "
                                           "new state for an explored one and skip it (probability ") +
                                   p + " for a new state by the end); an exact table (without --bitstate) proves"});
  }
  if (t.search && t.complete && t.shard_count > 1 && !opts.run.faults.empty() && t.fault_offers > 0) {
    out.push_back({"no_proof", "no proof: a search split with --shard under a fault budget may miss a class in "
                               "every part (a fault offered beside one event only; docs/strategies.md, \"A known "
                               "gap\"); run it whole to prove"});
  }
  if (t.max_steps_hits > 0) {
    const std::string cut = (t.search ? count(t.max_steps_hits, "run was", "runs were")
                                      : count(t.max_steps_hits, "iteration was", "iterations were")) +
                            " cut off at max_steps (" +
                            with_commas(opts.run.max_steps) + ")";
    out.push_back({"max_steps", t.search && t.complete
                                    ? "the proof covers only runs of at most " + with_commas(opts.run.max_steps) +
                                          " steps: " + cut + " and never checked to the end"
                                    : cut + " and never checked to the end; raise max_steps, or "
                                            "--fail-on-max-steps if the loop is the bug"});
  }
  if (!opts.run.faults.empty()) {
    const std::string budget = "faults = \"" + format_faults(opts.run.faults) + "\": ";
    if (t.fault_offers == 0) {
      out.push_back({"faults_unused", budget +
                                          "no fault could be injected in any iteration (no message ever in "
                                          "flight between nodes, no node that could crash or be cut off)"});
    } else if (t.faults_taken == 0) {
      out.push_back({"faults_unused", budget + "faults were offered at " +
                                          count(t.fault_offers, "step", "steps") +
                                          " but none was injected; run more iterations or a strategy that "
                                          "explores them (dfs)"});
    }
  }
  if (t.quiescent_timeouts_armed > 0 && t.quiescent_timeouts_fired == 0) {
    out.push_back({"timeouts_never_fired",
                   "receive timeouts were armed " + count(t.quiescent_timeouts_armed, "time", "times") +
                       " and none fired: under timers = \"quiescent\" a timeout fires only once nothing else "
                       "can run, so what follows one (a retry, a fallback) never ran; try --timers any"});
  }
  for (const OptionSpec* param : opts.ignored_params) {
    out.push_back({"ignored_option", std::string(param->flag) + " was given, but this test runs " + opts.strategy +
                                         ", which does not take it (a parameter of " +
                                         strategies_taking(param->name) + "): give --strategy too"});
  }
  if (t.monitored && !t.monitored_fairly) {
    out.push_back({"unfair_liveness", "liveness monitors were judged only when each run ended: " +
                                          opts.strategy +
                                          " is not fair, so a monitor that stays hot while the run goes on is "
                                          "never reported (fair_pct and portfolio are fair)"});
  }
  return out;
}

}  // namespace lockstep

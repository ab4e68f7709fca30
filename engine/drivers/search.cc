// The driver of a search (engine/test_run.h).
#include <new>

#include "engine/test_run.h"

namespace lockstep {

// A search learns from every iteration before the next: all of them run
// here, in order, on this thread, until it has explored everything or
// the iteration budget is spent.
TestReport TestRun::drive_search() {
  report_.search = true;
  if (config_.shard_count > 1) {
    const std::string refused = strategy_->search()->split(config_.shard_index, config_.shard_count);
    if (!refused.empty()) {
      return error(Status::InvalidArgument("strategy \"" + opts_.strategy + "\" cannot be sharded: " + refused));
    }
    report_.shard_index = config_.shard_index;
    report_.shard_count = config_.shard_count;
  }
  strategy_->search()->limit_memory(static_cast<size_t>(opts_.run.max_memory_mb) << 20);
  uint64_t last = config_.only_iteration ? *config_.only_iteration + 1 : opts_.iterations;
  uint64_t planning = 0;  // runs spent planning a split
  for (uint64_t i = 0; i < last; ++i) {
    if (stop_requested()) break;
    if (i > 0 && (i & 255) == 0) {
      SearchProgress p{report_.schedules_explored, i, strategy_->search()->estimated_schedules(), std::nullopt,
                       seconds()};
      if (auto states = strategy_->search()->state_counts()) p.states = states->states;
      reporter_.search_progress(report_.name, p);
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
    } catch (const SearchOutOfMemory& e) {
      return error(Status::ResourceExhausted(e.what()));
    }
    if (std::string why = strategy_->search()->self_check_failure(); !why.empty()) {
      return error(Status::Internal("internal error: " + why));
    }
    // Every run is work done: the report's iterations and steps count runs
    // that repeated a schedule, gave up or stopped at a known state too
    // (schedules_explored counts the schedules).
    if (result.outcome == Outcome::kAbandoned && !config_.only_iteration) count_run(result);
    if (strategy_->search()->restarting()) {  // all it counted is void
      if (result.outcome != Outcome::kAbandoned && !config_.only_iteration) count_run(result);  // but it was work
      report_.schedules_explored = report_.abandoned = 0;
      if (coverage_) coverage_->totals = {};
      continue;
    }
    if (result.outcome == Outcome::kAbandoned) {
      count_goals(result);  // what it met before it stopped is met
      if (strategy_->search()->stopped_at_known_state()) continue;  // counted as a state cache hit
      ++report_.abandoned;
      // Planning a split explores nothing: it does not spend the budget.
      if (strategy_->search()->planning_run() && !config_.only_iteration) {
        ++planning;
        ++last;
      }
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
  return finish_search(last, planning);
}

// After the last iteration: whether the search was complete, its counts,
// and whether a part of a split search checked anything at all.
TestReport TestRun::finish_search(uint64_t last, uint64_t planning) {
  if (!config_.only_iteration && !report_.complete && !report_.interrupted && !report_.bounded_by_time &&
      (report_.status != TestReport::Status::kBug || config_.keep_going)) {
    // The budget ran out exactly as the tree did: ask once more.
    report_.complete = !strategy_->begin_iteration(derive_seed(opts_.seed, last), hint_for(last));
  }
  if (auto states = strategy_->search()->state_counts()) {
    report_.states = states->states;
    report_.state_cache_hits = states->hits;
    report_.states_with_time = states->with_time;
    report_.state_cache_turned_on = states->turned_on;
    report_.states_with_ids = states->with_ids;
    if (states->depth) report_.shortest_depth = states->depth;
    report_.bitstate_bytes = states->bitstate_bytes;
    report_.omission_probability = states->omission_probability;
  }
  report_.delay_bound = strategy_->search()->bound();
  report_.beyond_bound = strategy_->search()->beyond_bound();
  report_.fewest_delays = strategy_->search()->deepens_bound();
  report_.wall_seconds = seconds();
  finish_coverage(last);
  if (report_.status != TestReport::Status::kPassed) return report_;
  if (planning > 0 && report_.schedules_explored == 0 && !report_.complete) {
    // Not a pass: nothing of this part was checked.
    const double seconds = report_.wall_seconds;
    error(Status::InvalidArgument("part " + std::to_string(config_.shard_index) + "/" +
                                  std::to_string(config_.shard_count) + " explored no schedule of its own in " +
                                  std::to_string(opts_.iterations) + " iterations (after " +
                                  std::to_string(planning) + " runs planning the split); raise --iterations"));
    report_.wall_seconds = seconds;
    return report_;
  }
  return nothing_checked();
}

}  // namespace lockstep

#include "engine/report/schedule.h"

#include <algorithm>

namespace lockstep {

Schedule::Schedule(const Trace& trace, bool slice)
    : trace_(trace),
      names_(trace),
      sliced_(slice),
      deadlock_(trace.failure.kind == FailureKind::kDeadlock),
      failed_step_(trace.failure ? trace.failure.step : 0) {
  if (slice) kept_ = causal_slice(trace);
  for (size_t i = 0; i < size(); ++i) slice_size_ += in_slice(i);
}

bool Schedule::in_slice(size_t i) const {
  return !sliced_ || std::binary_search(kept_.begin(), kept_.end(), trace_.events[i].step);
}

ScheduleRow Schedule::row(size_t i) const {
  const Event& e = trace_.events[i];
  ScheduleRow row;
  row.step = e.step;
  row.kind = e.kind;
  if (e.pid >= 0) row.actor = names_.display(e.pid);
  if (e.peer >= 0) row.peer = names_.display(e.peer);
  row.detail = one_line(e.detail);
  row.carries_message = e.kind == StepKind::kSend || e.kind == StepKind::kReceive ||
                        e.kind == StepKind::kSendAfter || e.kind == StepKind::kTimer;
  row.in_slice = in_slice(i);
  row.failed = trace_.failure && e.step == trace_.failure.step && !deadlock_;
  // A log line belongs to the first step at or after its own: the lines
  // after the step before this one, up to this one.
  const uint32_t after = i == 0 ? 0 : trace_.events[i - 1].step;
  auto by_step = [](const LogLine& l, uint32_t step) { return l.step < step; };
  auto from = std::lower_bound(trace_.logs.begin(), trace_.logs.end(), after + 1, by_step);
  auto to = std::lower_bound(from, trace_.logs.end(), e.step + 1, by_step);
  if (i == 0) from = trace_.logs.begin();
  for (auto l = from; l != to; ++l) {
    // A report shows the start of a long line; dump-trace shows it whole.
    constexpr size_t kShown = 400;
    std::string text = l->text.size() <= kShown ? one_line(l->text)
                                                : one_line(std::string_view(l->text).substr(0, kShown)) + "... (" +
                                                      std::to_string(l->text.size()) + " bytes)";
    row.logs.push_back(names_.display(l->pid) + ": " + text);
  }
  return row;
}

}  // namespace lockstep

#include "engine/report/schedule.h"

#include <algorithm>
#include <cstdio>


namespace lockstep {

Schedule build_schedule(const Trace& trace, bool slice) {
  Schedule s;
  s.sliced = slice;
  s.deadlock = trace.failure.kind == FailureKind::kDeadlock;
  s.failed_step = trace.failure ? trace.failure.step : 0;
  std::vector<uint32_t> kept;
  if (slice) kept = causal_slice(trace);
  s.rows.reserve(trace.events.size());
  const ProcessNames names(trace);
  size_t log_i = 0;
  for (const Event& e : trace.events) {
    ScheduleRow row;
    row.step = e.step;
    row.kind = e.kind;
    if (e.pid >= 0) row.actor = names.display(e.pid);
    if (e.peer >= 0) row.peer = names.display(e.peer);
    row.detail = one_line(e.detail);
    row.carries_message = e.kind == StepKind::kSend || e.kind == StepKind::kReceive ||
                          e.kind == StepKind::kSendAfter || e.kind == StepKind::kTimer;
    row.in_slice = !slice || std::binary_search(kept.begin(), kept.end(), e.step);
    row.failed = trace.failure && e.step == trace.failure.step && !s.deadlock;
    while (log_i < trace.logs.size() && trace.logs[log_i].step <= e.step) {
      const LogLine& l = trace.logs[log_i++];
      row.logs.push_back(names.display(l.pid) + ": " + one_line(l.text));
    }
    s.in_slice += row.in_slice;
    s.rows.push_back(std::move(row));
  }
  return s;
}

}  // namespace lockstep

#include "cli/exit_codes.h"

namespace lockstep::cli {

int exit_code(const Status& status) {
  if (status.ok()) return kExitOk;
  return status.code() == Status::Code::kLoadError ? kExitLoad : kExitUsage;
}

int exit_code(const RunSummary& summary) {
  bool load = summary.load_errors > summary.unloadable, other = summary.unloadable > 0;
  for (const TestReport& t : summary.tests) {
    if (t.status != TestReport::Status::kError) continue;
    if (t.error_code == Status::Code::kLoadError) load = true;
    else other = true;
  }
  if (load) return kExitLoad;
  if (other) return kExitUsage;
  return summary.bugs > 0 || summary.unmet > 0 || (summary.strict && summary.warnings > 0) ? kExitBug : kExitOk;
}

int exit_code(const ReplayResult& result) {
  switch (result.verdict) {
    case ReplayResult::Verdict::kReproduced:
    case ReplayResult::Verdict::kDifferentFailure: return kExitBug;
    case ReplayResult::Verdict::kPassed: return kExitOk;
    case ReplayResult::Verdict::kDiverged: return kExitDiverged;
    case ReplayResult::Verdict::kError: break;
  }
  return result.status.ok() ? kExitUsage : exit_code(result.status);
}

}  // namespace lockstep::cli

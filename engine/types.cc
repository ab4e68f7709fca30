#include "engine/types.h"

#include <array>

namespace lockstep {

std::string_view step_kind_name(StepKind kind) {
  switch (kind) {
#define LOCKSTEP_STEP_KIND_NAME(kind, number, name, role) \
  case StepKind::kind:                            \
    return name;
    LOCKSTEP_STEP_KINDS(LOCKSTEP_STEP_KIND_NAME)
#undef LOCKSTEP_STEP_KIND_NAME
    case StepKind::kCount_:
      break;
  }
  return "unknown";
}

std::string_view decision_kind_name(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kSchedule: return "schedule";
    case DecisionKind::kFireTimer: return "timer";
    case DecisionKind::kChoice: return "choice";
    case DecisionKind::kDeliver: return "deliver";
    case DecisionKind::kFault: return "fault";
  }
  return "unknown";
}

std::string event_key_name(EventKey key) {
  static constexpr std::array<char, kEventKinds> kLetter = {'P', 'T', 'D', 'F'};
  return kLetter[static_cast<size_t>(key.kind)] + std::to_string(key.id);
}

bool event_kind(DecisionKind kind, EventKind& out) {
  switch (kind) {
    case DecisionKind::kSchedule: out = EventKind::kProcess; return true;
    case DecisionKind::kFireTimer: out = EventKind::kTimer; return true;
    case DecisionKind::kDeliver: out = EventKind::kDelivery; return true;
    case DecisionKind::kFault: out = EventKind::kFault; return true;
    case DecisionKind::kChoice: return false;
  }
  return false;
}

std::string_view failure_kind_name(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone: return "none";
    case FailureKind::kAssertion: return "assertion";
    case FailureKind::kCrash: return "crash";
    case FailureKind::kDeadlock: return "deadlock";
    case FailureKind::kInvariant: return "invariant";
    case FailureKind::kMaxSteps: return "max_steps";
    case FailureKind::kTimeout: return "timeout";
    case FailureKind::kMemory: return "memory";
    case FailureKind::kLiveness: return "liveness";
    case FailureKind::kUnreachable: return "unreachable";
  }
  return "unknown";
}

}  // namespace lockstep

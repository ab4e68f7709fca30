// The engine's vocabulary: what a step is, what a decision is, how a run ends.
//
// These types are shared by the scheduler, the strategies, the trace format
// and the guest runtime. Enum values are written to trace files: never
// renumber them, only append (docs/trace-format.md lists them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep {

// The sync-point kind of a step: what the scheduled operation does.
enum class StepKind : uint8_t {
  kStart = 0,         // a new process runs for the first time
  kSpawn = 1,         // spawn / spawn_link
  kSend = 2,          // send to a pid or a name
  kReceive = 3,       // a receive completes (message or timeout)
  kExit = 4,          // a process ends (return, error, ls.exit, or killed)
  kLink = 5,
  kUnlink = 6,
  kMonitor = 7,
  kDemonitor = 8,
  kTrapExit = 9,
  kSignal = 10,       // ls.exit(pid, reason): an exit signal to another process
  kIsAlive = 11,
  kRegister = 12,
  kUnregister = 13,
  kWhereis = 14,
  kRegistered = 15,
  kSleep = 16,        // a sleep ends
  kSendAfter = 17,    // a timer is armed
  kCancelTimer = 18,
  kTimer = 19,        // a timer fires (send_after delivery, sleep end, receive timeout)
  kCount_,
};

std::string_view step_kind_name(StepKind kind);

// What the scheduler decided at one point of the run.
enum class DecisionKind : uint8_t {
  kSchedule = 0,   // run process `value`
  kFireTimer = 1,  // fire timer `value`
  kChoice = 2,     // a controlled random choice took `value`
  kDeliver = 3,    // reserved: deliver an in-flight network message
  kFault = 4,      // reserved: a node fault
};

std::string_view decision_kind_name(DecisionKind kind);

// One enabled operation, as the guest offers it to the scheduler.
// `object` names what the operation touches (a mailbox, a name, later a
// table key); two operations race when they touch the same object and at
// least one writes. Zero means "touches nothing shared".
struct Op {
  DecisionKind kind = DecisionKind::kSchedule;  // kSchedule or kFireTimer
  StepKind step = StepKind::kStart;
  uint32_t id = 0;  // pid or timer id
  bool writes = false;
  uint64_t object = 0;

  bool races_with(const Op& other) const {
    return object != 0 && object == other.object && (writes || other.writes);
  }
};

// Conflict-object name spaces, so distinct kinds of object never collide.
namespace object {
constexpr uint64_t kProcess = 1ull << 56;  // a process: its mailbox, links, exit state
constexpr uint64_t kName = 2ull << 56;     // a registered name (id = name hash)
constexpr uint64_t kIdMask = (1ull << 56) - 1;
inline uint64_t process(uint32_t pid) { return kProcess | pid; }
inline uint64_t name(uint64_t hash) { return kName | (hash & kIdMask); }
}  // namespace object

struct Decision {
  DecisionKind kind = DecisionKind::kSchedule;
  StepKind step = StepKind::kStart;  // for kSchedule/kFireTimer: the op's kind
  uint64_t value = 0;                // pid, timer id, or chosen value

  bool operator==(const Decision&) const = default;
};

enum class FailureKind : uint8_t {
  kNone = 0,
  kAssertion = 1,  // the root ended abnormally
  kCrash = 2,      // an unprotected process raised
  kDeadlock = 3,
  kInvariant = 4,
  kMaxSteps = 5,   // only with fail_on_max_steps
  kTimeout = 6,    // the iteration ran past iter_timeout
};

std::string_view failure_kind_name(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::kNone;
  uint32_t step = 0;     // 1-based step at which it was detected (0: before any step)
  int64_t pid = -1;      // process it is attributed to, -1 for none
  std::string message;   // e.g. the error message, without its source position
  std::string location;  // "file.lua:12" where known
  std::string details;   // extra lines (blocked processes of a deadlock)

  explicit operator bool() const { return kind != FailureKind::kNone; }
};

// One printed line of the schedule: what a step did. Pids are stored raw and
// named at print time from the trace's process table.
struct Event {
  uint32_t step = 0;   // 1-based
  StepKind kind = StepKind::kStart;
  int64_t pid = -1;    // acting process; -1 for a timer firing with no owner
  int64_t peer = -1;   // the other process involved, if any
  uint32_t cause = 0;  // step this one directly depends on across processes (0: none)
  std::string detail;  // rendered message, reason, name ...
};

// Guest output (ls.log / print), tagged with where it happened.
struct LogLine {
  uint32_t step = 0;
  int64_t pid = -1;
  std::string text;
};

// How one iteration ended.
enum class Outcome : uint8_t {
  kPassed = 0,    // the root returned normally
  kFailed = 1,    // see Failure
  kMaxSteps = 2,  // cut off at max_steps (not a bug unless fail_on_max_steps)
  kDiverged = 3,  // replay could not follow the recorded decisions
};

}  // namespace lockstep

// Virtual time and the timers armed in it: sleeps, send_after, receive
// timeouts. The state of the timers concern (vm/ops_timers.cc holds its
// operations): which timers exist, which are armed, when each is due, and
// the current virtual time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vm/state_hash.h"

namespace lockstep::vm {

using Pid = uint32_t;
using TimerId = uint32_t;  // 0 = none
using NameId = uint32_t;   // 0 = none
using NodeId = uint32_t;   // 0 = "main"

inline constexpr Pid kNoPid = UINT32_MAX;
inline constexpr NodeId kLocalNode = UINT32_MAX;  // Dest: the sender's node

// Where a send goes: a pid, or a name resolved when the send takes effect
// (on `node`; kLocalNode: the sender's).
struct Dest {
  Pid pid = kNoPid;
  NameId name = 0;
  NodeId node = kLocalNode;
};

// Where a named thing (a process, reference, timer, table, atomics array)
// came from: the process that created it (kNoPid: the top level or the VM)
// and how many named things that one had created before, counting it. Its
// canonical name is derived from this (vm/state.cc), so a renaming of its
// creator (symmetry) renames it too.
struct Origin {
  Pid creator = kNoPid;
  uint32_t seq = 0;
};

struct Timer {
  enum class Kind : uint8_t { kSendAfter, kSleep, kReceive };
  Kind kind = Kind::kSendAfter;
  bool armed = false;
  Pid owner = kNoPid;
  int64_t deadline = 0;
  Dest dest;
  ValueRef msg = 0;
  uint32_t armed_step = 0;
  Origin origin;       // its canonical name's source (vm/state.cc)
  bool queued = false;   // quiescent: fires only once time reaches it (TimerMode::kQuiescent)
  bool counted = false;  // a scenario's own receive timeout (Exercised)
};

class Timers {
 public:
  Timers() { reset(); }

  // Back to no timers at time 0, keeping capacity.
  void reset();

  // A new armed timer due `ms` from now (saturating at the end of time);
  // `queued`: kept in the deadline heap until advance_time makes it due.
  TimerId arm(Timer::Kind kind, Pid owner, int64_t ms, uint32_t step, bool queued, Origin origin);
  // Pops the earliest queued deadline; false when none is left.
  bool pop_due(int64_t& deadline, TimerId& id);
  // Whether a queued deadline is at or before now.
  bool due_now() const { return !heap_.empty() && heap_.front().first <= now; }

  Timer& operator[](TimerId id) { return list_[id]; }
  const Timer& operator[](TimerId id) const { return list_[id]; }
  TimerId end() const { return static_cast<TimerId>(list_.size()); }  // ids are 1 .. end() - 1

  // The armed timers, as a multiset: kind, owner, time left, destination
  // and message (names through `name_text`).
  template <class NameText>
  void hash(StateHasher& h, ValueHasher& values, NameText&& name_text) const;
  // One line per armed timer, for a reader.
  std::string describe() const;

  int64_t now = 0;

 private:
  std::vector<Timer> list_;                           // index = TimerId (0 unused)
  std::vector<std::pair<int64_t, TimerId>> heap_;     // min-heap on (deadline, id)
};

template <class NameText>
void Timers::hash(StateHasher& h, ValueHasher& values, NameText&& name_text) const {
  StateHasher::Unordered set;
  for (TimerId id = 1; id < list_.size(); ++id) {
    const Timer& t = list_[id];
    if (!t.armed) continue;
    StateHasher e = h.element();
    e.timer(id).u64(static_cast<uint64_t>(t.kind)).pid(t.owner).i64(t.deadline - now);
    if (t.kind == Timer::Kind::kSendAfter) {
      if (t.dest.name) {
        e.tag(1).bytes(name_text(t.dest.name));
      } else {
        e.tag(2).pid(t.dest.pid);
      }
      e.u64(t.dest.node);
      values.hash_value(t.msg, e);
    }
    set.add(e.finish());
  }
  h.tag(0x7103).unordered(set);
}

}  // namespace lockstep::vm

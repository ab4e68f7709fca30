// The sleep-set judgements dfs makes past each step: whether a sleeping
// event commutes with the step just taken where happens-before alone would
// call them dependent (messages to one mailbox), and whether an event is
// asleep or covered at a level. Used by engine/strategies/dfs.cc (inline:
// they run for each sleeper at each step); the rules are explained at the
// top of that file.
#pragma once

#include <algorithm>

#include "engine/facts.h"
#include "engine/strategies/dfs_execution.h"
#include "engine/strategies/dfs_tree.h"

namespace lockstep::dfs {

// Whether a and b meet in a mailbox and conflict nowhere else (both may
// read one object: a send and a receive that arms a timer both read the
// clock).
inline bool meets_only_in_mailbox(const Summary& a, const Summary& b) {
  if (a.thread == b.thread || a.opaque || b.opaque) return false;
  return meet_only_in_mailbox(a.accesses, b.accesses);
}

// Whether step a, a send or an end (which queues DOWN and EXIT messages),
// and sleeping send b, to one mailbox on their node, depend on each other
// only there, where each queues one message: the receive that takes a's
// tells whether they commute (dfs.cc, "Sleepers a send woke"). (An end
// that queues two, a DOWN and an EXIT, or that throws that mailbox away
// as its own, does not.)
inline bool sends_meet_in_mailbox(const Summary& a, const Summary& b) {
  if ((a.role != StepRole::kSend && a.role != StepRole::kExit) || b.role != StepRole::kSend) return false;
  if (a.thread == b.thread || a.opaque || b.opaque) return false;
  int met = 0;
  for (const Access& x : a.accesses) {
    for (const Access& y : b.accesses) {
      if (!object::overlap(x.object, y.object)) continue;
      if (!object::is_mailbox(x.object)) {
        if (conflicts(x, y)) return false;
      } else if (a.role == StepRole::kExit && (a.actor < 0 || x.object == object::mailbox(static_cast<uint32_t>(a.actor)))) {
        return false;
      } else {
        ++met;
        break;
      }
    }
  }
  return a.role == StepRole::kSend ? met > 0 : met == 1;
}

// Whether sends a and b, to one mailbox, commute because the receive
// waiting there takes one of their messages and not the other: both
// queued their message while that receive waited with nothing in the
// mailbox matching it, and its process took no step in between (it is the
// same receive). In either order it takes the one message it matches, the
// first it finds, and leaves the other behind whatever was queued before:
// the same mailbox. (A sleeper's facts are those of its step at the level
// where it fell asleep; its process had taken waiter_pos steps there, and
// has taken as many at the step just taken only if it took none since.)
inline bool one_taken_by_waiting_receive(const Summary& a, const Summary& b) {
  return one_taken_by_waiter(a, b) && sends_meet_in_mailbox(a, b);
}

// Whether a demonitor that flushes its DOWN from its own mailbox and a
// send to that mailbox commute, either one the step and the other asleep:
// they meet only there, and the flush takes out only the DOWN of its
// monitor, which no send queues (a sent message carries no monitor
// reference). A delivery may carry a DOWN from another node: it does not.
inline bool flush_passes_send(const Summary& a, const Summary& b) {
  return flush_beside_send(a, b) && meets_only_in_mailbox(a, b);
}

// Whether a process's end and a step that queues a message for it (a
// send, a delivery, a timer's message) commute: they meet only in that
// process's mailbox, whose messages its end throws away, so the message is
// lost in either order (queued, then thrown away; or sent to a process
// that is gone). Either may be the one asleep. Where they meet elsewhere
// (a send by a name the end unregisters, a DOWN the end queues in the
// sender's mailbox) they do not.
inline bool end_discards_message(const Summary& end, const Summary& queuer) {
  if (end.role != StepRole::kExit || end.actor < 0) return false;
  if (queuer.role != StepRole::kSend && !(queuer.role == StepRole::kTimer && !queuer.timeout)) return false;
  if (end.thread == queuer.thread || end.opaque || queuer.opaque) return false;
  const uint64_t own = object::mailbox(static_cast<uint32_t>(end.actor));
  bool met = false;
  for (const Access& x : end.accesses) {
    for (const Access& y : queuer.accesses) {
      if (!object::overlap(x.object, y.object)) continue;
      if (x.object == own && y.object == own) met = true;
      else if (object::is_mailbox(x.object) || conflicts(x, y)) return false;
    }
  }
  return met;
}

// Whether the step just taken (a send, a delivery, an end queuing DOWN
// and EXIT messages) and sleeping receive q commute: they meet only in
// q's mailbox, and the receive would not take what the step queued there
// (its pattern does not take it, or it takes one queued before), which
// queues behind whatever it takes. q has not run since it fell asleep,
// so its receive is the one pending now, which the VM tried the messages
// on (StepFacts::passed).
inline bool send_passes_receive(const StepFacts& facts, const Summary& taken, const Summary& q) {
  if (q.role != StepRole::kReceive || q.actor < 0) return false;
  const auto owner = static_cast<uint32_t>(q.actor);
  return std::find(facts.passed.begin(), facts.passed.end(), owner) != facts.passed.end() &&
         meets_only_in_mailbox(taken, q);
}

// Whether sleeping q, were it taken at `level` instead of the fault that
// was, might leave nothing but faults and timers to run: the system
// offers faults only beside another event (else time advances first),
// so q may take the fault away, and q stays asleep through the fault
// only when another event was there to keep it offered, or (explored
// here) was there after it.
inline bool last_to_run(const Level& level, const Summary& q, bool explored_here) {
  if (is_fault(q.role) || q.role == StepRole::kTimer || (explored_here && q.left_others)) return false;
  return std::none_of(level.offered.begin(), level.offered.end(), [&](Thread t) { return t != q.thread; });
}

// Whether t is a sleeper a send woke that a run left alone passes by
// (Level::pending_sleepers).
inline bool passed_by(const Level& level, Thread t) {
  for (const Pending& p : level.pending_sleepers) {
    if (p.q.thread == t) return true;
  }
  return false;
}

// Whether t sleeps at `level`.
inline bool asleep(const Level& level, Thread t) {
  for (const Summary& q : level.sleep) {
    if (q.thread == t) return true;
  }
  return false;
}

// Whether event t need not be explored here: asleep, or (a state met
// again) explored from this state before.
inline bool covered(const Level& level, Thread t) {
  return asleep(level, t) ||
         (level.restricted && std::find(level.only.begin(), level.only.end(), t) == level.only.end());
}

}  // namespace lockstep::dfs

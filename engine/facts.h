// Step facts: what one step did, as the system reports it on the fast path
// (no strings, no allocation once warm). Every notion of causality in the
// engine is built on these: the happens-before relation and the causal
// slice (engine/causality.h), POS's races, and the trace's record of a run.
//
// A step acts as one process (a timer firing acts as its owner), and
// touches objects (engine/types.h, namespace object): a mailbox, a
// process's control state (links, monitors, liveness), a registered name,
// a table key, an atomic cell, ... each read or written.
#pragma once

#include <cstdint>
#include <span>

#include "engine/types.h"

namespace lockstep {

struct Access {
  uint64_t object = 0;
  bool writes = false;
  uint64_t value = 0;  // a write storing exactly this (see Op::value)

  bool operator==(const Access&) const = default;
};

// A receive's pattern would take a message: `receive` is the receive step,
// `send` the step that enqueued the message (reported only to a strategy
// that asks, System::set_observing).
struct Observation {
  uint32_t receive = 0;
  uint32_t send = 0;

  bool operator==(const Observation&) const = default;
};

struct StepFacts {
  uint32_t step = 0;        // 1-based
  EventKey event;           // what ran
  StepKind kind = StepKind::kStart;  // the guest's operation: for traces and renderers
  int64_t actor = -1;       // the process the step belongs to (-1: none)
  uint32_t consumed = 0;    // receive: the step that sent the message it took
  uint32_t cause = 0;       // the step that made this one happen: the spawn a
                            // start follows, the signal an exit follows, the
                            // step that armed a firing timer (0: none)
  std::span<const Access> accesses;  // valid until the system's next step
  // With observing on: which earlier or current receives' patterns match
  // which messages, learnt at this step (a receive tests the messages
  // queued behind the one it took; a message is tested against the
  // patterns of the receives its recipient has completed).
  std::span<const Observation> observations;
  // The events this step created: the process a spawn started, the timers
  // it armed, in the order created. Lets a search name an event by who
  // created it (stable when pid and timer numbers are not).
  std::span<const EventKey> created;
  // With observing on, a receive: the processes about to send its
  // recipient a message (their pending send) that its pattern would have
  // taken, had the send come first (for one that took a message: before
  // the send of the message it took). A search keeps a sleeping send
  // asleep through a receive that would not take its message.
  std::span<const EventKey> would_take;
  // With observing on, the processes about to receive for which this step
  // queued messages (a local send, a delivery, the DOWN and EXIT messages
  // of an end) that the receive would not take (its pattern does not take
  // them, or takes one queued before): the step and each of those receives
  // commute. passes_receive: it queued some, and only such.
  std::span<const uint32_t> passed;
  bool passes_receive = false;
  // With observing on, the processes whose receive waited with nothing in
  // their mailbox matching it when this step queued a message for them:
  // in `woke`, those whose receive takes that message (it can run now); in
  // `still_waiting`, those whose receive does not. Until such a receive
  // runs, it will take the first message that matches it, so two messages
  // of which it takes one leave the same mailbox behind it in either order.
  std::span<const uint32_t> woke;
  std::span<const uint32_t> still_waiting;
  bool poll = false;  // a receive that did not wait: had no message been
                      // there, it would have returned nothing
  bool timed = false;  // a receive with a timeout (its timer could end it)
  bool takes_raised = false;  // with observing on, a receive whose pattern
                              // raised on a pending send's message (that
                              // send is in would_take)
  uint64_t shape = 0;  // a receive: a hash of the shape of the message it
                       // took (System::set_shapes; 0 when not asked for)
  uint32_t after = 0;  // a step that made this one possible besides its
                       // cause, and that it never races with: a delivery (or
                       // a drop or duplicate) follows the delivery or loss of
                       // the message before it on its channel, which is
                       // first-in first-out (0: none)
  uint32_t released = 0;  // a delivery (or a drop or duplicate) a cut held
                          // back in its turn: the step that lifted the cut
                          // and let it through, which it never races with
                          // (it could not run before it; 0: none)

  // What the step is to strategies (engine/types.h): they branch on this,
  // never on the guest's kind.
  StepRole role() const { return step_role(kind); }
};

// Whether two accesses conflict: overlapping objects, at least one writing.
// Two writes that store the same value commute (as Concuerror treats
// inserts of one tuple).
inline bool conflicts(const Access& a, const Access& b) {
  if (a.writes && b.writes && a.value != 0 && a.value == b.value) return false;
  return (a.writes || b.writes) && object::overlap(a.object, b.object);
}

// Whether the enabled operation `op` races with `access` of a step that ran.
inline bool races(const Op& op, const Access& access) {
  return conflicts({op.object, op.writes, op.value}, access);
}

}  // namespace lockstep

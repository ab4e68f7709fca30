// One execution of a dfs search, as its race analysis needs it: the steps
// it ran (who ran, what each touched and observed), the direct dependencies
// between them, and vector clocks for happens-before. engine/strategies/
// dfs.cc says what depends on what and why; this file computes it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory_resource>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/base/hash.h"
#include "engine/facts.h"

namespace lockstep::dfs {

using Thread = uint32_t;  // a stable event name (see Names in dfs.cc)
constexpr Thread kNoThread = UINT32_MAX;

using lockstep::mix64;

// What a step did, kept with a branch or a sleeping event so independence
// can be judged without running it again.
struct Summary {
  Thread thread = kNoThread;
  bool opaque = false;  // not run: assume it depends on everything
  // A sibling of a branch that full expansion took, not a race: above a
  // split search's frontier (explored by whichever part), or beside a
  // fault, timer or disabled event offered as a branch of its own that
  // stood for a reversal (Branch::absorbed). Its races that began with that
  // branch were not added as wakeup sequences: it keeps sleeping, but it
  // covers no reversed race below (dfs.cc, reverse()).
  bool beside_expansion = false;
  // After it ran, something other than faults and timers could run (so
  // the system still offered faults): dfs.cc, last_to_run().
  bool left_others = false;
  StepRole role = StepRole::kOther;
  StepKind kind = StepKind::kStart;
  int64_t actor = -1;
  // A timer's step: a receive's timeout (the receive got nothing), not a
  // sleep's end or a send_after's message; one that fired before it was
  // due (timers = "any": it moved the clock on).
  bool timeout = false;
  bool early = false;
  // Asleep through a step it commutes with only because a process's end
  // throws away the message the other sends it (dfs_sleep.h,
  // end_discards_message()).
  bool past_end = false;
  // A send that queued its message for a process whose receive waited with
  // nothing in its mailbox matching (StepFacts::woke, still_waiting): that
  // process's event, how many steps it had taken, and whether its receive
  // takes the message (dfs_sleep.h, one_taken_by_waiting_receive()).
  Thread waiter = kNoThread;
  uint32_t waiter_pos = 0;
  bool waiter_takes = false;
  std::vector<Access> accesses;
};

// Whether two steps may not commute, judged from what each did alone (for
// sleep sets and weak initials, where the receives that would tell two
// messages apart may not have run yet): messages to one mailbox do not.
bool dependent(const Summary& a, const Summary& b);
// The same, for what two steps touched alone.
bool accesses_conflict(std::span<const Access> a, std::span<const Access> b);
// Whether a and b overlap in a mailbox and conflict nowhere else.
bool meet_only_in_mailbox(std::span<const Access> a, std::span<const Access> b);

// A bit for each object the accesses touch (every bit for a whole table,
// which overlaps each of its keys): two sets of accesses whose masks share
// no bit cannot overlap, so accesses_conflict() need not compare them.
inline uint64_t access_mask(std::span<const Access> accesses) {
  uint64_t mask = 0;
  for (const Access& a : accesses) {
    mask |= (a.object & object::kTagMask) == object::kTable ? ~uint64_t{0} : uint64_t{1} << (mix64(a.object) & 63);
  }
  return mask;
}

// The judgements of dfs_sleep.h that read only the two steps' own records
// (a Summary, or a Step of the execution): whether both are sends whose
// recipient waited in one receive that takes one message and not the
// other (one_taken_by_waiting_receive()), and whether one is a demonitor
// and the other a send (flush_passes_send()). Their footprints are judged
// apart.
template <class A, class B>
bool one_taken_by_waiter(const A& a, const B& b) {
  return a.role == StepRole::kSend && b.role == StepRole::kSend && a.waiter != kNoThread && a.waiter == b.waiter &&
         a.waiter_pos == b.waiter_pos && a.waiter_takes != b.waiter_takes;
}
template <class A, class B>
bool flush_beside_send(const A& a, const B& b) {
  return (a.kind == StepKind::kDemonitor && b.kind == StepKind::kSend) ||
         (b.kind == StepKind::kDemonitor && a.kind == StepKind::kSend);
}

// One step of the current execution, as the race analysis needs it.
struct Step {
  Thread thread = kNoThread;
  uint32_t lane = 0;  // dense index of its thread in this execution
  uint32_t pos = 0;   // 1-based position among its thread's steps
  uint32_t epoch = 0;  // time advances before it (races stay within one)
  int64_t time = 0;    // virtual time when it ran (part of its identity)
  StepKind kind = StepKind::kStart;  // opaque here: part of the step's identity
  StepRole role = StepRole::kOther;
  int64_t actor = -1;
  uint32_t consumed = 0;  // step number
  uint32_t cause = 0;     // step number
  uint32_t after = 0;     // step number (StepFacts::after)
  uint32_t released = 0;  // step number (StepFacts::released)
  bool poll = false;
  bool timed = false;         // a receive that a timer could end
  bool takes_raised = false;  // a receive whose pattern raised on a message about to be sent
  bool passes_receive = false;  // a send its recipient's pending receive would not take (StepFacts)
  bool waiter_takes = false;    // Summary::waiter_takes
  Thread waiter = kNoThread;    // Summary::waiter
  uint32_t waiter_pos = 0;      // Summary::waiter_pos
  uint32_t first_access = 0, access_count = 0;
  uint64_t mask = ~uint64_t{0};  // access_mask() of its accesses (all set: not known, compare them)
};

class Execution {
 public:
  std::vector<Step> steps;
  std::vector<Access> accesses;
  std::vector<Observation> observations;
  // Per receive, the events about to send its recipient a message its
  // pattern takes (StepFacts::would_take), by name: (receive's index, event).
  std::vector<std::pair<uint32_t, Thread>> would_take;
  std::vector<Thread> lanes;  // lane -> event name
  // Per event name, a hash of what it is that does not depend on the order
  // names were met in (fingerprints use it when set).
  const std::vector<uint64_t>* name_hashes = nullptr;

  void clear();
  // What step k did, to keep with a branch or a sleeper.
  Summary summary(size_t k) const;
  // The same into `out`, reusing its storage.
  void summary_into(size_t k, Summary& out) const;
  // What step k touched.
  std::span<const Access> accesses_of(size_t k) const {
    return {accesses.data() + steps[k].first_access, steps[k].access_count};
  }
  // dependent(u, summary(x)), without the copy.
  bool dependent_on(const Summary& u, size_t x) const { return dependent_on(u, ~uint64_t{0}, x); }
  // The same, given u's access_mask().
  bool dependent_on(const Summary& u, uint64_t u_mask, size_t x) const {
    if (u.thread == steps[x].thread || u.opaque) return true;
    return (u_mask & steps[x].mask) != 0 && accesses_conflict(u.accesses, accesses_of(x));
  }

  // Whether sleeper u stays asleep through step x, where dependent_on()
  // says they do not commute (they meet in a mailbox).
  bool sleeps_through(const Summary& u, uint32_t x) const;

  // The direct dependencies and vector clocks of the steps recorded.
  void analyse();
  // a -> b or a == b (after analyse()).
  bool happens_before(uint32_t a, uint32_t b) const {
    return clocks_[b * width_ + steps[a].lane] >= steps[a].pos;
  }
  // The races to reverse, i < j: reversible direct dependencies between
  // steps of different events in one time epoch that nothing else orders.
  // The root's exit is never raced (nothing is gained by ending earlier).
  const std::vector<std::pair<uint32_t, uint32_t>>& races(Thread root);

  // A name for the class of this execution: each step's event, position,
  // kind and epoch (`with_choices` mixes in the values its choices took)
  // and its direct dependencies, which equivalent executions share.
  uint64_t fingerprint(
      const std::function<uint64_t(uint64_t h, uint32_t step)>& with_choices) const;

  // Whether event `u` can start a schedule equivalent to running `v` (step
  // indices), then step `then` (the race's first step, which v is to run
  // before): it has a step in v that nothing before it in v happens
  // before, or it has none, commutes with all of v and is neither a fault
  // nor a timer (those are optional: a run may end without them) nor a
  // step that touches nodes (a partition, a remote send, a delivery: a
  // partition disables deliveries, so what such a u stands for may leave
  // out what v and `then` lead to), and `then` is no step that changes
  // nodes on which u depends (it would disable u).
  //
  // With `next_of_event` (u is its event's next step in the state before
  // `then`: a sleeper there, or a branch of the wakeup tree's first level),
  // a receive u and a send in v to its mailbox commute when the send's
  // message would not be taken by u (the send's passes_receive, with u
  // still pending when it ran), as sleep sets judge them.
  //
  // A timer u is one only with `timer_fires` (u is enabled in the state
  // before `then`, where the root waits for time: System::root_waits_for_time):
  // no run from there can end without it, unless a step it depends on
  // disables it; and only where no step of v changes nodes.
  bool weak_initial(const Summary& u, const std::vector<uint32_t>& v, uint32_t then, bool next_of_event = false,
                    bool timer_fires = false) const;
  // Whether send u (asleep at the state before `then`, its event's next
  // step there) commutes with every send in `sends` (step numbers, before
  // `then`, to u's mailbox, their messages not yet taken there) in every
  // run that extends v: two sends to one mailbox commute unless the
  // receive that takes the first one's message would have taken the
  // second's (Concuerror's receive patterns). Either the receive in v
  // that takes the send's message would not have taken u's, or u's message
  // is sent in v and taken by the owner's next receive before any receive
  // could see the two side by side (taken_first()). A sleeper that such
  // sends woke (dfs.cc).
  bool commutes_with_sends(const Summary& u, const std::vector<uint32_t>& sends, const std::vector<uint32_t>& v,
                           uint32_t then) const;
  // Whether step `then` kills u's process or signals it an exit (it writes
  // that process's control state): u's step is replaced by an exit.
  bool kills(uint32_t then, const Summary& u) const;
  // Whether event `u` may disarm the timer that step `fired` fired before
  // it was due (timers = "any"): u cancels it, sends to the receive it
  // times out (the message may end the wait), or kills its owner. Had u
  // run first, it might not have fired.
  bool disarms(const Summary& u, uint32_t fired) const;
  // Whether event `u` has a step in v that nothing before it in v happens
  // before.
  bool starts(const Summary& u, const std::vector<uint32_t>& v) const;
  // Whether nothing before x in v happens before x.
  bool initial(const std::vector<uint32_t>& v, uint32_t x) const;
  // Whether event t can take the first step after step k-1 in a schedule
  // equivalent to this one: its first step from k on is in k's time epoch
  // and none of the steps from k before it happens before it (after
  // analyse()). The root's exit ends the run: it can come first only when
  // it is the first step from k. That step's index, or kNotInitial.
  static constexpr uint32_t kNotInitial = UINT32_MAX;
  uint32_t initial_from(uint32_t k, Thread t, Thread root) const;
  // Whether v's last step, holding the footprint of a step the run did not
  // take (dfs.cc, insert_replacing_exit()), can come first in v: nothing
  // before it touches what it touches, outside mailboxes (messages to one
  // mailbox are ordered by the receives that take them), nor writes the
  // mailbox it receives from.
  bool replaced_first(const std::vector<uint32_t>& v) const;
  // Whether u and step y conflict in shared state other than mailboxes
  // (messages are judged by the receives' patterns, in analyse()).
  bool conflicts_with(const Summary& u, uint32_t y) const;

  // The bytes its vectors hold (for the search's memory limit).
  size_t bytes() const {
    return steps.capacity() * sizeof(Step) + accesses.capacity() * sizeof(Access) +
           observations.capacity() * sizeof(Observation) + preds_.capacity() * sizeof(Pred) +
           clocks_.capacity() * sizeof(uint32_t) + races_.capacity() * sizeof(races_[0]) +
           preds_start_.capacity() * sizeof(uint32_t) + (consumers_.capacity() + consumers_start_.capacity()) * sizeof(uint32_t) +
           would_take.capacity() * sizeof(would_take[0]);
  }

 private:
  bool passes_over(uint32_t r, const Summary& u, uint32_t then) const;
  bool send_passes(const Summary& u, uint32_t x, uint32_t then) const;
  bool commutes_in_mailbox(const Summary& u, uint32_t x) const;
  bool taken_first(const Summary& u, const std::vector<uint32_t>& v, uint32_t then) const;
  bool touches_mailbox(uint32_t x, uint64_t mailbox, bool writing) const;
  void build_dependencies();
  void build_clocks();

  // What a step touching an object must follow. Writes storing one value
  // commute, so the latest writes are a group; a write joining the group
  // follows what the group follows.
  struct ObjectState {
    std::vector<uint32_t> writes;       // the latest group of writes
    uint64_t value = 0;                 // what the group stored (0: unknown)
    std::vector<uint32_t> before;       // the group before it
    std::vector<uint32_t> prior_reads;  // reads between the two groups
    std::vector<uint32_t> reads;        // reads since the group began
  };
  void follow(uint32_t j, const std::vector<uint32_t>& earlier);
  void link(uint32_t j, const Access& acc, const ObjectState& st);
  void add_access_dependencies(uint32_t j, const Access& acc);

  struct Pred {
    uint32_t step;
    bool reversible;
  };
  std::vector<uint32_t> preds_start_;
  std::vector<Pred> preds_;
  std::vector<uint32_t> consumers_start_, consumers_;
  std::vector<std::pair<uint32_t, uint32_t>> observed_;
  std::vector<int32_t> last_of_thread_;
  // Object -> its state in states_ (whose entries keep their vectors'
  // storage from run to run). The map's nodes come from a pool, for the
  // same reason; iterating it visits objects as a plain unordered_map does.
  std::pmr::unsynchronized_pool_resource pool_;
  std::pmr::unordered_map<uint64_t, uint32_t> objects_{&pool_};
  std::vector<ObjectState> states_;
  uint32_t states_used_ = 0;
  size_t width_ = 0;
  std::vector<uint32_t> clocks_;
  std::vector<std::pair<uint32_t, uint32_t>> races_;
};

}  // namespace lockstep::dfs

// The seam between the scheduler and the system under test.
//
// The scheduler knows nothing of Lua or processes: it asks a System which
// operations are enabled, picks one through a Strategy, and tells the System
// to run it. The guest runtime (vm/) implements System; engine tests use a
// fake. All of a System's behaviour must be a function of the decisions it is
// given, so a recorded decision sequence replays the same run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/facts.h"
#include "engine/types.h"

namespace lockstep {

// Answers the controlled random choices a guest makes inside a step
// (random_int, choose, ...). Returns a value in [0, n).
class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  virtual uint64_t choose(uint64_t n) = 0;
};

// Receives the printable record of a run. Only attached when a run's events
// are wanted (re-running a failing iteration, replay), so the fast path pays
// nothing for rendering.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(Event event) = 0;
  virtual void on_log(LogLine line) = 0;
  virtual void on_process_name(uint32_t pid, std::string_view name) = 0;
  // A process runs on a node other than "main" (a test with nodes).
  virtual void on_process_node(uint32_t pid, std::string_view node) {}
  // The id an event's `location` carries for "file.lua:12" (0 for none):
  // a sink that keeps events keeps each distinct location once.
  virtual uint32_t location_id(std::string_view where) { return 0; }
  // False for a sink that wants only logs and names (the system then
  // renders no events: -v on an ordinary run).
  virtual bool wants_events() const { return true; }
};

// A fingerprint of a system's state: equal for two runs that reached one
// state (whatever order their independent steps ran in), 128 bits.
struct StateId {
  uint64_t hi = 0, lo = 0;
  bool operator==(const StateId&) const = default;
};
struct StateIdHash {
  size_t operator()(const StateId& id) const { return static_cast<size_t>(id.lo ^ (id.hi >> 7)); }
};

// What a fingerprint leaves out that a run may still depend on.
struct StateOptions {
  // Hash the absolute virtual time (a run read the clock: ls.now,
  // os.time, os.clock), not only the time left on each timer.
  bool absolute_time = false;
  // Hash how things are numbered (pids, references, timers, tables and
  // where guest objects sit), not only how they were made, and leave any
  // declared symmetry out: a run read the numbering (tostring of a pid,
  // pids compared, pairs or an ETS table ordered by them).
  bool ids = false;
};

// Where a strategy that remembers states asks for the current one
// (Strategy::set_states).
class StateSource {
 public:
  virtual ~StateSource() = default;
  // The state now, before the next pick; nullopt when the system cannot say.
  virtual std::optional<StateId> current(const StateOptions& options) = 0;
  // A name for each enabled event (in order) that is the same for the same
  // event of the same state however the run reached it (pids, timer and
  // message numbers are not: they depend on the order things were made),
  // as a fingerprint taken with `options` names them: by their rank where
  // processes are declared symmetric, unless options.ids (never by number).
  virtual void event_names(std::span<const Op> enabled, const StateOptions& options, std::vector<uint64_t>& out) = 0;
  // Whether the run so far read the absolute virtual time.
  virtual bool clock_read() const = 0;
  // Whether the run so far read how things are numbered (StateOptions::ids).
  virtual bool ids_read() const = 0;
  // System::root_waits_for_time().
  virtual bool root_waits_for_time() const { return false; }
  // System::roots_due_timer().
  virtual std::optional<EventKey> roots_due_timer() const { return std::nullopt; }
  // System::timer_footprint().
  virtual bool timer_footprint(const Op& timer, std::vector<Access>& out) const { return false; }
};

// A goal (ls.sometimes, ls.reachable, ls.unreachable): how often its call
// ran with its condition true (met) and false, in one iteration or summed.
struct GoalCount {
  std::string name;
  std::string location;      // "file.lua:12" of the call
  bool unreachable = false;  // ls.unreachable: meeting it is a bug
  uint64_t met = 0, missed = 0;
};

// What an iteration exercised that the scheduler cannot see, for the
// warnings of a test that never did (engine/warnings.h), and its goals.
struct Exercised {
  // Receive timeouts armed under timers = "quiescent" (they fire only once
  // nothing else can run), and how many of them fired.
  uint64_t quiescent_timeouts_armed = 0, quiescent_timeouts_fired = 0;
  std::vector<GoalCount> goals;  // in the order first met
};

struct StepResult {
  bool finished = false;  // the root has ended: the iteration is over
  Failure failure;        // set when this step revealed a bug
  StepFacts facts;        // what the step did (the scheduler fills step, event, kind)
  // Liveness monitors (ls.liveness) after this step: how many are
  // registered, and bit i set while monitor i is hot (its property is
  // still pending). At most kMaxMonitors.
  uint32_t monitors = 0;
  uint64_t hot = 0;
};

inline constexpr uint32_t kMaxMonitors = 64;

class System {
 public:
  virtual ~System() = default;

  // The operations that can run now, in a deterministic order. The span is
  // valid until the next call to step() or advance_time().
  virtual std::span<const Op> enabled() = 0;

  // Called when nothing is enabled: moves virtual time to the next timer
  // deadline and enables what is then due. False if no timer is armed.
  virtual bool advance_time() = 0;
  // Virtual time now, in ms (0 for a system without time).
  virtual int64_t now() const { return 0; }

  // Runs one enabled operation (a copy of an element of enabled()).
  virtual StepResult step(const Op& op, ChoiceSource& choices) = 0;

  // The failure to report when nothing is enabled and time cannot advance.
  virtual Failure deadlock() = 0;

  // Attaches (or detaches, with nullptr) the sink for printable events.
  virtual void set_event_sink(EventSink* sink) = 0;

  // Turns on (for this iteration) the reporting of StepFacts::observations,
  // which an exhaustive search needs to know which message orders a
  // receive can tell apart. Costs a pattern test per message and completed
  // receive of its recipient, so it is off unless asked for.
  virtual void set_observing(bool on) {}

  // Whether every step that creates a process, reference, timer, table or
  // atomics array should write object::numbering(): the order of two
  // creations decides what each is numbered, which guest code can read
  // (StateSource::ids_read), so a search that saw it read must explore it.
  virtual void set_numbering_races(bool on) {}

  // Whether receives' facts should carry the shape of the message taken
  // (StepFacts::shape: its first element, for coverage). Off unless asked.
  virtual void set_shapes(bool on) {}

  // A fingerprint of the state now (what every concern holds, named
  // canonically: vm/state.cc), or nullopt when the system cannot take one.
  // Taking one changes nothing the run can see.
  virtual std::optional<StateId> state_id(const StateOptions& options) { return std::nullopt; }
  // Names of the enabled events that do not depend on how the state was
  // reached (StateSource::event_names); by default their keys, which suits
  // a system whose event ids are such names.
  virtual void event_names(std::span<const Op> enabled, const StateOptions&, std::vector<uint64_t>& out) {
    out.clear();
    for (const Op& op : enabled) out.push_back(static_cast<uint64_t>(op.key.kind) << 32 | op.key.id);
  }
  // Whether this iteration read the absolute virtual time (ls.now and the
  // like), which a fingerprint leaves out unless asked.
  virtual bool clock_read() const { return false; }
  virtual bool ids_read() const { return false; }
  // Whether the root now waits for virtual time to pass: it sleeps until a
  // deadline later than now, which only time moving on ends. Time moves on
  // only when nothing can run, so until every event enabled now has run
  // (or a step it depends on has disabled it) the run cannot end, short of
  // a failure. False when the system cannot tell.
  virtual bool root_waits_for_time() const { return false; }
  // The timer the root sleeps on, where it is due now (enabled): the
  // root's next step, which every run that goes on takes (short of a step
  // that ends the root first). nullopt when the root does not sleep on a
  // timer due now, or the system cannot tell.
  virtual std::optional<EventKey> roots_due_timer() const { return std::nullopt; }
  // What firing timer `timer` (enabled now) would touch, appended to
  // `out`: a superset of the step's accesses. False (out unchanged) when
  // the system cannot tell.
  virtual bool timer_footprint(const Op& timer, std::vector<Access>& out) const { return false; }
  // What this iteration exercised so far (Exercised).
  virtual Exercised exercised() const { return {}; }
  // The iteration's steps are over (called before the strategy's
  // end_iteration): what follows is the search's own work (a race
  // analysis over thousands of processes), which the iteration's time
  // bound does not cover.
  virtual void end_steps() {}

  // The name liveness monitor `i` was registered with.
  virtual std::string monitor_name(uint32_t i) const { return "#" + std::to_string(i + 1); }
};

}  // namespace lockstep

#include "vm/vm.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "engine/base/hash.h"

namespace lockstep::vm {

std::string_view reason_atom(ReasonKind kind) {
  switch (kind) {
    case ReasonKind::kNormal: return "normal";
    case ReasonKind::kKill: return "kill";
    case ReasonKind::kKilled: return "killed";
    case ReasonKind::kNoproc: return "noproc";
    case ReasonKind::kNoconnection: return "noconnection";
    case ReasonKind::kValue: return "";
  }
  return "";
}

std::string pid_str(Pid p) { return "P" + std::to_string(p); }

Vm::Vm(Guest& guest, VmOptions options) : guest_(guest), options_(options) {
  procs_.reserve(64);
  enabled_.reserve(64);
  init();
}

Vm::~Vm() = default;

void Vm::init() {
  net_.reset(intern("main"));
  faults_on_ = !options_.faults.empty();
  faults_left_ = options_.faults;
  faults_paused_ = false;
  gate_step_ = 0;
}

void Vm::reset(VmOptions options) {
  options_ = options;
  sink_ = nullptr;
  log_sink_ = nullptr;
  choices_ = nullptr;
  facts_ = &idle_facts_;
  for (Process& p : procs_) {
    p.recycle();
    spare_.push_back(std::move(p));
  }
  procs_.clear();
  enabled_.clear();
  fault_ops_.clear();
  with_faults_.clear();
  recovering_ = false;
  enabled_pos_.reset();
  forced_ = kNoPid;
  forced_op_ = Op{};
  timers_.reset();
  monitors_.clear();
  atomics_ = Atomics{};
  terms_ = PersistentTerms{};
  ets_ = Ets{};
  released_.clear();
  names_.reset();
  registry_.reset();
  running_ = kNoPid;
  posted_ = false;
  step_no_ = 0;
  log_bytes_ = 0;
  last_ref_ = 0;
  performing_ = kNoPid;
  ref_origins_.clear();
  table_origins_.clear();
  atomics_origins_.clear();
  symmetric_.clear();
  outside_made_ = 0;
  finished_ = false;
  clock_read_ = false;
  ids_read_ = false;
  exercised_.quiescent_timeouts_armed = exercised_.quiescent_timeouts_fired = 0;
  exercised_.goals.clear();
  unreachable_ = Failure{};
  observing_ = false;
  numbering_races_ = false;
  shapes_ = false;
  init();
}

void Vm::Process::recycle() {
  // Field by field (a blank Process would cost a construction per process
  // per iteration); keep in step with the struct.
  state = State::kReady;
  node = kMainNode;
  op.set<NoArgs>(StepKind::kStart);
  mailbox.clear();
  head = removed = scan = 0;
  matched = -1;
  timed_out = waited = false;
  match_error.clear();
  timer = 0;
  links.clear();
  watchers.clear();
  watching.clear();
  abandoned.clear();
  trap_exit = false;
  own_timers = false;
  timers = TimerMode::kQuiescent;
  global_named = false;
  name = 0;
  fatal = crashed = false;
  exit_cause = 0;
  path = 0;
  made = 0;
  origin = Origin{};
  wake_cause = 0;
  crash_message.clear();
  crash_location.clear();
  display_name.clear();
  patterns.clear();  // forgotten with the iteration's values, as in reset()
}

const Vm::OpTable& Vm::op_table() {
  static const OpTable table = [] {
    OpTable t{};
    add_process_ops(t);
    add_mailbox_ops(t);
    add_registry_ops(t);
    add_timers_ops(t);
    add_shared_ops(t);
    add_ets_ops(t);
    add_cluster_ops(t);
    add_global_ops(t);
    add_disk_ops(t);
    add_fault_ops(t);
    for (const OpKind& row : t) {
      if (!row.access || !row.perform) std::abort();  // a StepKind no concern claims
    }
    return t;
  }();
  return table;
}

Op Vm::op_for(Pid pid) const {
  const PendingOp& pending = procs_[pid].op;
  Op op;
  op.key = EventKey::process(pid);
  op.step = pending.kind;
  (this->*ops_[static_cast<size_t>(pending.kind)].access)(pid, pending, op);
  return op;
}

void Vm::enable(const Op& op) {
  std::vector<Op>& set = op.key.kind == EventKind::kFault ? fault_ops_ : enabled_;
  int32_t& pos = enabled_pos_[op.key];
  if (pos >= 0) {
    set[pos] = op;
    return;
  }
  pos = static_cast<int32_t>(set.size());
  set.push_back(op);
}

void Vm::disable(EventKey key) {
  std::vector<Op>& set = key.kind == EventKind::kFault ? fault_ops_ : enabled_;
  int32_t& pos = enabled_pos_[key];
  const int32_t i = pos;
  if (i < 0) return;
  pos = -1;
  const int32_t last = static_cast<int32_t>(set.size()) - 1;
  if (i != last) {
    set[i] = set[last];
    enabled_pos_[set[i].key] = i;
  }
  set.pop_back();
}

void Vm::refresh(Pid pid) {
  const Process& p = procs_[pid];
  if (p.state == Process::State::kReady) {
    enable(op_for(pid));
  } else {
    disable(EventKey::process(pid));
  }
  if (p.fatal && p.state == Process::State::kReady) {
    forced_ = pid;
    forced_op_ = op_for(pid);
  }
}

std::span<const Op> Vm::enabled() {
  if (forced_ != kNoPid) return {&forced_op_, 1};
  if (fault_ops_.empty()) return enabled_;
  // Faults come after everything else (a strategy may tell them apart by
  // position); with nothing else to run, only a restart or heal, and only
  // once time cannot advance (recovering_).
  if (!enabled_.empty()) {
    with_faults_.assign(enabled_.begin(), enabled_.end());
    with_faults_.insert(with_faults_.end(), fault_ops_.begin(), fault_ops_.end());
    return with_faults_;
  }
  with_faults_.clear();
  if (!recovering_) return with_faults_;
  for (const Op& op : fault_ops_) {
    if (op.step == StepKind::kFaultRestart || op.step == StepKind::kFaultHeal) with_faults_.push_back(op);
  }
  return with_faults_;
}

Vm::Process& Vm::running() {
  assert(running_ != kNoPid);
  return procs_[running_];
}

PendingOp& Vm::post_op() {
  Process& p = running();
  posted_ = true;
  p.state = Process::State::kReady;
  return p.op;
}

void Vm::set_label(std::string_view label) {
  if (running_ != kNoPid) name_process(running_, label);
}

void Vm::set_timer_mode(TimerMode mode) {
  if (running_ == kNoPid) return;
  procs_[running_].own_timers = true;
  procs_[running_].timers = mode;
}

void Vm::name_process(Pid pid, std::string_view name) {
  std::string& current = procs_[pid].display_name;
  if (!current.empty()) return;  // a process keeps its first name
  current = name;
  if (log_sink_) log_sink_->on_process_name(pid, name);
}

void Vm::set_event_sink(EventSink* sink) {
  sink_ = sink && sink->wants_events() ? sink : nullptr;
  log_sink_ = sink;
  if (!log_sink_) return;
  for (Pid pid = 0; pid < procs_.size(); ++pid) {
    if (!procs_[pid].display_name.empty()) log_sink_->on_process_name(pid, procs_[pid].display_name);
    if (procs_[pid].node != kMainNode) log_sink_->on_process_node(pid, node_name(procs_[pid].node));
  }
}

void Vm::log(std::string_view text) {
  if (log_bytes_ > options_.max_log_bytes) return;
  log_bytes_ += text.size() + sizeof(LogLine);
  if (log_bytes_ > options_.max_log_bytes) {
    text = "lockstep: the iteration's later log lines are dropped: its log passed a quarter of max_memory";
  }
  if (log_sink_) {
    log_sink_->on_log({step_no_, running_ == kNoPid ? -1 : static_cast<int64_t>(running_), std::string(text)});
  }
}

uint64_t Vm::choose(uint64_t n) { return choices_ ? choices_->choose(n) : 0; }

StepResult Vm::step(const Op& op, ChoiceSource& choices) {
  StepResult result;
  facts_ = &result.facts;  // the step's facts are written where they are returned
  begin_step(op, choices);
  try {
    switch (op.key.kind) {
      case EventKind::kTimer: fire_timer(op.key.id, result); break;
      case EventKind::kProcess: perform(op.key.id, result); break;
      case EventKind::kDelivery: deliver(op.key.id, result); break;
      case EventKind::kFault: inject(op.key.id, result); break;
    }
  } catch (const GuestMemoryExhausted&) {
    // Out of memory outside guest code (a mailbox flooded with copies):
    // this iteration ends here; reset() forgets what the step left half done.
    running_ = performing_ = kNoPid;
    result.finished = false;
    result.monitors = 0;
    result.hot = 0;
    result.failure = Failure{};
    result.failure.kind = FailureKind::kMemory;
    result.failure.step = step_no_;
    result.failure.pid = result.facts.actor;
    result.failure.message = "the iteration's guest memory passed max_memory (--max-memory) while the VM ran " +
                             std::string(step_kind_name(op.step));
  }
  choices_ = nullptr;
  facts_ = &idle_facts_;
  result.facts.accesses = accesses_;
  result.facts.observations = observations_;
  result.facts.created = created_;
  result.facts.would_take = would_take_;
  if (!takers_.empty()) {
    std::erase_if(passed_, [&](uint32_t p) { return std::find(takers_.begin(), takers_.end(), p) != takers_.end(); });
  }
  result.facts.passed = passed_;
  result.facts.woke = woke_;
  result.facts.still_waiting = still_waiting_;
  result.facts.passes_receive = !passed_.empty() && takers_.empty();
  if (unreachable_ || guest_.needs_step_checks()) check_after_step(result);
  return result;
}

// A new step: this step's facts start empty, with its actor and what the
// operation itself touches.
void Vm::begin_step(const Op& op, ChoiceSource& choices) {
  ++step_no_;
  recovering_ = false;
  choices_ = &choices;
  guest_.begin_step();
  accesses_.clear();
  observations_.clear();
  created_.clear();
  would_take_.clear();
  passed_.clear();
  takers_.clear();
  woke_.clear();
  still_waiting_.clear();
  switch (op.key.kind) {
    case EventKind::kTimer: facts_->actor = static_cast<int64_t>(timers_[op.key.id].owner); break;
    case EventKind::kProcess: facts_->actor = static_cast<int64_t>(op.key.id); break;
    case EventKind::kDelivery:  // belongs to no process: its cause is the send
    case EventKind::kFault: facts_->actor = -1; break;
  }
  located_ = kNoPid;
  if (sink_ && op.key.kind == EventKind::kProcess) {
    located_ = op.key.id;
    step_location_ = sink_->location_id(guest_.location(located_));
  }
  // A send to a name writes the mailbox of whoever holds the name when it
  // runs. The op's footprint was taken when it was posted, and a register,
  // unregister or end since may have changed the holder: had the step
  // recorded the old one, its footprint would depend on whether the send
  // was posted before or after the register (the two would not commute).
  // (No Op is built for the others: zeroing one is a rep stos, a
  // noticeable share of a step.)
  uint64_t touched = op.object;
  bool writes = op.writes;
  uint64_t value = op.value;
  if (op.key.kind == EventKind::kProcess && op.step == StepKind::kSend &&
      procs_[op.key.id].op.as<SendArgs>().dest.name) {
    const Op now = op_for(op.key.id);
    touched = now.object;
    writes = now.writes;
    value = now.value;
  }
  if (touched) touch(touched, writes, value);
  // A process runs only while alive: each of its steps reads its control
  // state, which an exit signal, a linked exit or its node stopping writes
  // (so a kill races with everything its victim does).
  if (op.key.kind == EventKind::kProcess && touched != object::process(op.key.id)) {
    touch(object::process(op.key.id), false);
  }
}

// After a step: the iteration's limits (memory, time) caught in a receive
// match function or an invariant, then the invariants and liveness
// monitors.
void Vm::check_after_step(StepResult& result) {
  if (guest_.memory_exhausted() && result.failure.kind != FailureKind::kMemory) {
    result.failure = Failure{};
    result.failure.kind = FailureKind::kMemory;
    result.failure.step = step_no_;
    result.failure.message = "the iteration's guest memory passed max_memory (in a receive match function or an invariant)";
  }
  if (!result.failure && guest_.timed_out()) {
    result.failure.kind = FailureKind::kTimeout;
    result.failure.step = step_no_;
    result.failure.message = "the iteration ran past iter_timeout (in a receive match function or an invariant)";
  }
  if (!result.failure && !result.finished && guest_.has_invariants()) {
    std::string message;
    if (!guest_.check_invariants(message)) {
      result.failure.kind = guest_.timed_out() ? FailureKind::kTimeout : FailureKind::kInvariant;
      result.failure.step = step_no_;
      result.failure.message = guest_.timed_out() ? "the iteration ran past iter_timeout (in " +
                                                        message.substr(0, message.find(" raised:")) + ")"
                                                  : std::move(message);
    }
  }
  if (!result.failure && unreachable_) {  // ls.unreachable ran in this step (or an invariant)
    result.failure = std::move(unreachable_);
    result.failure.step = step_no_;
    unreachable_ = Failure{};
    return;
  }
  // Liveness monitors, also after the root's last step: the scheduler
  // judges their streaks (engine/scheduler.cc).
  if (!result.failure && (result.monitors = guest_.monitor_count()) != 0) {
    std::string message;
    if (!guest_.check_monitors(result.hot, message)) {
      result.failure.kind = FailureKind::kLiveness;
      result.failure.step = step_no_;
      result.failure.message = std::move(message);
    }
  }
}

void Vm::count_goal(std::string_view name, std::string_view location, bool unreachable, bool met) {
  auto it = std::find_if(exercised_.goals.begin(), exercised_.goals.end(), [&](const GoalCount& g) {
    return g.name == name && g.location == location;
  });
  if (it == exercised_.goals.end()) {
    it = exercised_.goals.insert(exercised_.goals.end(), GoalCount{std::string(name), std::string(location), unreachable});
  }
  ++(met ? it->met : it->missed);
  if (unreachable && met && !unreachable_) {
    unreachable_.kind = FailureKind::kUnreachable;
    unreachable_.pid = running_ != kNoPid ? static_cast<int64_t>(running_) : -1;
    unreachable_.message = "reached ls.unreachable(\"" + std::string(name) + "\")";
    unreachable_.location = std::string(location);
  }
}

void Vm::perform(Pid pid, StepResult& result) {
  PendingOp& op = procs_[pid].op;
  if (procs_[pid].wake_cause) {  // the timer that made this step possible
    facts_->cause = procs_[pid].wake_cause;
    procs_[pid].wake_cause = 0;
  }
  Reply reply;
  performing_ = pid;
  const bool goes_on = (this->*ops_[static_cast<size_t>(op.kind)].perform)(pid, op, reply, result);
  performing_ = kNoPid;
  if (!goes_on) return;  // it ended
  if (procs_[pid].op.kind == StepKind::kExit) return;  // killed by its own step (noconnection, a name conflict)

  running_ = pid;
  posted_ = false;
  ResumeResult r = guest_.resume(pid, reply);
  running_ = kNoPid;
  after_resume(pid, r);
  if (r.how == ResumeResult::How::kTimedOut && !guest_.memory_exhausted()) {
    result.failure.kind = FailureKind::kTimeout;
    result.failure.step = step_no_;
    result.failure.pid = pid;
    result.failure.message = "the iteration ran past iter_timeout while " + pid_str(pid) +
                             " was running without reaching a sync point";
    result.failure.location = r.location;
  } else if (guest_.memory_exhausted()) {
    // Even if the process caught the error: the limit holds for the iteration.
    result.failure = Failure{};
    result.failure.kind = FailureKind::kMemory;
    result.failure.step = step_no_;
    result.failure.pid = pid;
    result.failure.message = "the iteration's guest memory passed max_memory (--max-memory)";
    result.failure.location = r.location;
  }
}

void Vm::after_resume(Pid pid, ResumeResult& r) {
  Process& p = procs_[pid];
  switch (r.how) {
    case ResumeResult::How::kYielded:
      if (!posted_) {
        // Yielded without posting: a bare coroutine.yield in process code.
        p.op.set<ExitArgs>(StepKind::kExit).reason = Reason{ReasonKind::kNormal, 0};
        p.crashed = true;
        p.crash_message = "coroutine.yield called outside a coroutine created by the process";
        p.fatal = pid == kRootPid || !protected_crash(pid);
        p.state = Process::State::kReady;
      }
      break;
    case ResumeResult::How::kReturned:
      p.op.set<ExitArgs>(StepKind::kExit);
      p.state = Process::State::kReady;
      p.fatal = pid == kRootPid && !options_.root_waits;  // the iteration ends when the root returns
      break;
    case ResumeResult::How::kRaised:
      p.op.set<ExitArgs>(StepKind::kExit).reason = Reason{ReasonKind::kValue, r.error};
      p.state = Process::State::kReady;
      p.crashed = true;
      p.crash_message = std::move(r.message);
      p.crash_location = std::move(r.location);
      p.fatal = pid == kRootPid || !protected_crash(pid);
      break;
    case ResumeResult::How::kTimedOut:
      p.state = Process::State::kBlocked;
      break;
  }
  // From here on the process counts as dead (is_alive, monitor, link), so
  // this step decided what those see.
  if (p.op.kind == StepKind::kExit) touch(object::process(pid), true);
  refresh(pid);
}

Failure Vm::deadlock() {
  Failure f;
  f.kind = FailureKind::kDeadlock;
  f.pid = kRootPid;
  std::string details = "blocked processes:\n";
  size_t blocked = 0;
  for (Pid pid = 0; pid < procs_.size(); ++pid) {
    const Process& p = procs_[pid];
    if (p.state == Process::State::kDead) continue;
    ++blocked;
    details += "  " + pid_str(pid);
    if (net_.nodes.size() > 1) details += "@" + node_name(p.node);
    if (!p.display_name.empty()) details += "(" + p.display_name + ")";
    if (p.op.kind == StepKind::kReceive) {
      const size_t queued = p.mailbox.size() - p.head - p.removed;
      details += " waits in receive";
      if (p.op.as<ReceiveArgs>().matcher) details += " (with a match function)";
      details += ", " + std::to_string(queued) + " message" + (queued == 1 ? "" : "s") + " queued";
    } else {
      details += " waits in " + std::string(step_kind_name(p.op.kind));
    }
    details += "\n";
  }
  f.message = "no process can run and no timer is pending (" + std::to_string(blocked) + " process" +
              (blocked == 1 ? "" : "es") + " blocked)";
  if (const size_t held = held_messages()) {
    details += "  " + std::to_string(held) + " message" + (held == 1 ? "" : "s") +
               " in flight, held by a partition (heal to deliver)\n";
  }
  f.details = std::move(details);
  return f;
}

void Vm::emit(StepKind kind, int64_t pid, int64_t peer, std::string detail) {
  if (!sink_) return;
  Event e;
  e.step = step_no_;
  e.kind = kind;
  e.pid = pid;
  e.peer = peer;
  e.detail = std::move(detail);
  if (located_ != kNoPid && pid == static_cast<int64_t>(located_)) e.location = step_location_;
  sink_->on_event(std::move(e));
}

std::string Vm::reason_text(const Reason& r) {
  if (r.kind != ReasonKind::kValue) return std::string(reason_atom(r.kind));
  std::string s = guest_.render(r.value);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::string Vm::render_reason(const Reason& r) {
  if (r.kind == ReasonKind::kValue) return guest_.render(r.value);
  return "\"" + std::string(reason_atom(r.kind)) + "\"";
}

std::string Vm::render_dest(const Dest& d) {
  if (d.name) return "\"" + names_[d.name] + "\"";
  return pid_str(d.pid);
}

}  // namespace lockstep::vm

#include "vm/vm.h"

#include <algorithm>
#include <cassert>

#include "engine/hash.h"

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

namespace {
std::string pid_str(Pid p) { return "P" + std::to_string(p); }
}  // namespace

Vm::Vm(Guest& guest, VmOptions options) : guest_(guest), options_(options) {
  procs_.reserve(64);
  enabled_.reserve(64);
  init();
}

Vm::~Vm() = default;

void Vm::init() {
  names_.emplace_back();  // NameId 0 is "none"
  name_owner_.push_back(kNoPid);
  timers_.emplace_back();  // TimerId 0 is "none"
}

void Vm::reset(VmOptions options) {
  options_ = options;
  sink_ = nullptr;
  choices_ = nullptr;
  for (Process& p : procs_) {
    p.recycle();
    spare_.push_back(std::move(p));
  }
  procs_.clear();
  enabled_.clear();
  enabled_pos_.reset();
  forced_ = kNoPid;
  forced_op_ = Op{};
  timers_.clear();
  timer_heap_.clear();
  now_ = 0;
  monitors_.clear();
  atomics_ = Atomics{};
  terms_ = PersistentTerms{};
  ets_ = Ets{};
  released_.clear();
  names_.clear();
  name_ids_.clear();
  name_owner_.clear();
  running_ = kNoPid;
  posted_ = false;
  step_no_ = 0;
  last_ref_ = 0;
  finished_ = false;
  init();
}

void Vm::Process::recycle() {
  // Field by field (a blank Process would cost a construction per process
  // per iteration); keep in step with the struct.
  state = State::kReady;
  op.reset(StepKind::kStart);
  mailbox.clear();
  head = removed = scan = 0;
  matched = -1;
  timed_out = false;
  match_error.clear();
  timer = 0;
  links.clear();
  watchers.clear();
  watching.clear();
  abandoned.clear();
  trap_exit = false;
  name = 0;
  fatal = crashed = false;
  exit_cause = 0;
  crash_message.clear();
  crash_location.clear();
  display_name.clear();
}

// ---------------------------------------------------------------------------
// Enabled set

Op Vm::op_for(Pid pid) const {
  const Process& p = procs_[pid];
  Op op;
  op.key = EventKey::process(pid);
  op.step = p.op.kind;
  switch (p.op.kind) {
    case StepKind::kSend: {
      Pid to = resolve(p.op.dest);
      if (to != kNoPid) {
        op.object = object::mailbox(to);
      } else if (p.op.dest.name) {
        op.object = object::name(fnv1a(names_[p.op.dest.name]));
      }
      op.writes = true;
      break;
    }
    case StepKind::kReceive:
      op.object = object::mailbox(pid);
      op.writes = true;
      break;
    case StepKind::kExit:
    case StepKind::kTrapExit:
      op.object = object::process(pid);
      op.writes = true;
      break;
    case StepKind::kCancelTimer:
      op.object = object::timer(static_cast<uint32_t>(p.op.ref));
      op.writes = true;
      break;
    case StepKind::kLink:
    case StepKind::kUnlink:
    case StepKind::kMonitor:
      // Commutes with other links and monitors on the target; races with
      // its exit (which writes its control state).
      op.object = object::process(p.op.pid);
      break;
    case StepKind::kSignal:
      op.object = object::process(p.op.pid);
      op.writes = true;
      break;
    case StepKind::kIsAlive:
      op.object = object::process(p.op.pid);
      break;
    case StepKind::kRegister:
    case StepKind::kUnregister:
      op.object = object::name(fnv1a(names_[p.op.name]));
      op.writes = true;
      break;
    case StepKind::kWhereis:
      op.object = object::name(fnv1a(names_[p.op.name]));
      break;
    case StepKind::kAtomicsGet:
      op.object = object::atomic(p.op.ref, static_cast<uint64_t>(p.op.num));
      break;
    case StepKind::kAtomicsPut:
    case StepKind::kAtomicsAdd:
    case StepKind::kAtomicsExchange:
    case StepKind::kAtomicsCompareExchange:
      op.object = object::atomic(p.op.ref, static_cast<uint64_t>(p.op.num));
      op.writes = true;
      break;
    case StepKind::kTermGet:
      op.object = object::term(fnv1a(p.op.key));
      break;
    case StepKind::kHistory:
      op.object = object::history(p.op.ref);
      op.writes = true;
      break;
    case StepKind::kEtsNew:
      if (!p.op.ets.name.empty()) op.object = object::name(fnv1a("ets:" + p.op.ets.name));
      op.writes = true;
      break;
    case StepKind::kEtsInsert:
    case StepKind::kEtsInsertNew:
      // One row touches its key; several rows are one atomic write to the table.
      op.object = p.op.rows.size() == 1 ? object::table_key(static_cast<uint32_t>(p.op.ref), fnv1a(p.op.rows[0].key))
                                        : object::table(static_cast<uint32_t>(p.op.ref));
      op.writes = true;
      break;
    case StepKind::kEtsDelete:
    case StepKind::kEtsTake:
    case StepKind::kEtsUpdateCounter:
      op.object = object::table_key(static_cast<uint32_t>(p.op.ref), fnv1a(p.op.key));
      op.writes = true;
      break;
    case StepKind::kEtsLookup:
    case StepKind::kEtsLookupElement:
    case StepKind::kEtsMember:
      op.object = object::table_key(static_cast<uint32_t>(p.op.ref), fnv1a(p.op.key));
      break;
    case StepKind::kEtsTab2List:
    case StepKind::kEtsInfo:
      op.object = object::table(static_cast<uint32_t>(p.op.ref));
      break;
    case StepKind::kEtsDeleteTable:
      op.object = object::table(static_cast<uint32_t>(p.op.ref));
      op.writes = true;
      break;
    case StepKind::kTermPut:
    case StepKind::kTermErase:
      op.object = object::term(fnv1a(p.op.key));
      op.writes = true;
      break;
    default:
      break;
  }
  return op;
}

void Vm::enable(const Op& op) {
  int32_t& pos = enabled_pos_[op.key];
  if (pos >= 0) {
    enabled_[pos] = op;
    return;
  }
  pos = static_cast<int32_t>(enabled_.size());
  enabled_.push_back(op);
}

void Vm::disable(EventKey key) {
  int32_t& pos = enabled_pos_[key];
  const int32_t i = pos;
  if (i < 0) return;
  pos = -1;
  const int32_t last = static_cast<int32_t>(enabled_.size()) - 1;
  if (i != last) {
    enabled_[i] = enabled_[last];
    enabled_pos_[enabled_[i].key] = i;
  }
  enabled_.pop_back();
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
  return enabled_;
}

// ---------------------------------------------------------------------------
// Processes

Pid Vm::new_process(ValueRef body, uint32_t cause) {
  const Pid pid = static_cast<Pid>(procs_.size());
  if (spare_.empty()) {
    procs_.emplace_back();
  } else {
    procs_.push_back(std::move(spare_.back()));
    spare_.pop_back();
  }
  Process& p = procs_.back();
  p.op.kind = StepKind::kStart;
  p.op.value = body;
  p.exit_cause = cause;
  refresh(pid);
  return pid;
}

void Vm::start_root(ValueRef body) {
  assert(procs_.empty());
  new_process(body, 0);
  name_process(kRootPid, "root");
}

Vm::Process& Vm::running() {
  assert(running_ != kNoPid);
  return procs_[running_];
}

Vm::PendingOp& Vm::post(StepKind kind) {
  Process& p = running();
  posted_ = true;
  p.op.reset(kind);
  p.state = Process::State::kReady;
  return p.op;
}

void Vm::post_spawn(ValueRef body, SpawnMode mode) {
  auto& op = post(StepKind::kSpawn);
  op.value = body;
  op.num = static_cast<int64_t>(mode);
}

void Vm::post_send(Dest dest, ValueRef msg) {
  auto& op = post(StepKind::kSend);
  op.dest = dest;
  op.value = msg;
}

void Vm::post_receive(ValueRef matcher, int64_t timeout_ms) {
  auto& op = post(StepKind::kReceive);
  op.value = matcher;
  op.num = timeout_ms;
  begin_receive(running_);
}

void Vm::post_link(Pid pid) { post(StepKind::kLink).pid = pid; }
void Vm::post_unlink(Pid pid) { post(StepKind::kUnlink).pid = pid; }
void Vm::post_monitor(Pid pid) { post(StepKind::kMonitor).pid = pid; }
void Vm::post_demonitor(RefId ref, bool flush) {
  auto& op = post(StepKind::kDemonitor);
  op.ref = ref;
  op.flag = flush;
}
void Vm::post_trap_exit(bool on) { post(StepKind::kTrapExit).flag = on; }
void Vm::post_exit(Reason reason) { post(StepKind::kExit).reason = reason; }
void Vm::post_signal(Pid pid, Reason reason) {
  auto& op = post(StepKind::kSignal);
  op.pid = pid;
  op.reason = reason;
}
void Vm::post_is_alive(Pid pid) { post(StepKind::kIsAlive).pid = pid; }
void Vm::post_register(NameId name, Pid pid) {
  auto& op = post(StepKind::kRegister);
  op.name = name;
  op.pid = pid;
}
void Vm::post_unregister(NameId name) { post(StepKind::kUnregister).name = name; }
void Vm::post_whereis(NameId name) { post(StepKind::kWhereis).name = name; }
void Vm::post_registered() { post(StepKind::kRegistered); }

void Vm::post_sleep(int64_t ms) {
  auto& op = post(StepKind::kSleep);
  op.num = ms;
  Process& p = running();
  p.state = Process::State::kBlocked;
  p.timer = arm_timer(Timer::Kind::kSleep, running_, ms);
}

void Vm::post_send_after(Dest dest, ValueRef msg, int64_t ms) {
  auto& op = post(StepKind::kSendAfter);
  op.dest = dest;
  op.value = msg;
  op.num = ms;
}

void Vm::post_cancel_timer(TimerId timer) { post(StepKind::kCancelTimer).ref = timer; }

void Vm::post_atomics(StepKind kind, uint64_t id, int64_t index, int64_t a, int64_t b, bool get_new) {
  auto& op = post(kind);
  op.ref = id;
  op.num = index;
  op.a = a;
  op.b = b;
  op.flag = get_new;
}

void Vm::post_term_put(std::string key, ValueRef value) {
  auto& op = post(StepKind::kTermPut);
  op.key = std::move(key);
  op.value = value;
}

void Vm::post_term_get(std::string key, ValueRef fallback, bool has_fallback) {
  auto& op = post(StepKind::kTermGet);
  op.key = std::move(key);
  op.value = fallback;
  op.flag = has_fallback;
}

void Vm::post_term_erase(std::string key) { post(StepKind::kTermErase).key = std::move(key); }

void Vm::post_history(uint64_t history, std::string detail) {
  auto& op = post(StepKind::kHistory);
  op.ref = history;
  op.key = std::move(detail);
}

void Vm::post_ets_new(Ets::Options options) { post(StepKind::kEtsNew).ets = std::move(options); }

void Vm::post_ets(StepKind kind, uint32_t table, std::string key, std::vector<EtsRow> rows, int64_t a, int64_t b,
                  ValueRef value) {
  auto& op = post(kind);
  op.ref = table;
  op.key = std::move(key);
  op.rows = std::move(rows);
  op.a = a;
  op.b = b;
  op.value = value;
}

void Vm::release_all(std::vector<ValueRef>& values) {
  for (ValueRef v : values) guest_.release(v);
  values.clear();
}

void Vm::perform_ets(Pid pid, PendingOp& op, Reply& reply) {
  const auto id = static_cast<uint32_t>(op.ref);
  const bool writes = op.kind == StepKind::kEtsInsert || op.kind == StepKind::kEtsInsertNew ||
                      op.kind == StepKind::kEtsDelete || op.kind == StepKind::kEtsTake ||
                      op.kind == StepKind::kEtsUpdateCounter || op.kind == StepKind::kEtsDeleteTable;
  const std::string denied = ets_.check(id, pid, writes);
  if (sink_) {
    std::string detail = "T" + std::to_string(id);
    if (!op.rows.empty()) {
      detail += " " + guest_.render(op.rows[0].value);
      if (op.rows.size() > 1) detail += " (+" + std::to_string(op.rows.size() - 1) + " more)";
    }
    if (!denied.empty()) detail += "  (" + denied + ")";
    emit(op.kind, pid, -1, std::move(detail));
  }
  auto fail = [&](std::string why) {
    reply.kind = Reply::Kind::kError;
    reply.error = std::string(step_kind_name(op.kind)) + ": " + why;
    for (EtsRow& r : op.rows) guest_.release(r.value);
    op.rows.clear();
    if (op.value) guest_.release(op.value);
    op.value = 0;
  };
  if (!denied.empty()) {
    fail(denied);
    return;
  }
  switch (op.kind) {
    case StepKind::kEtsInsert:
      ets_.insert(id, op.rows, released_);
      release_all(released_);
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    case StepKind::kEtsInsertNew:
      reply.kind = Reply::Kind::kBool;
      reply.b = ets_.insert_new(id, op.rows);
      for (EtsRow& r : op.rows) guest_.release(r.value);
      op.rows.clear();
      break;
    case StepKind::kEtsLookup:
    case StepKind::kEtsLookupElement: {
      const std::vector<EtsRow>* rows = ets_.find(id, op.key);
      if (op.kind == StepKind::kEtsLookupElement && !rows) {
        fail("no row has this key");
        return;
      }
      reply.kind = op.kind == StepKind::kEtsLookup ? Reply::Kind::kList : Reply::Kind::kElement;
      reply.i = op.a;
      reply.as_list = ets_.options(id).type == Ets::Type::kBag || ets_.options(id).type == Ets::Type::kDuplicateBag;
      if (rows) {
        for (const EtsRow& r : *rows) reply.values.push_back(r.value);
      }
      break;
    }
    case StepKind::kEtsMember:
      reply.kind = Reply::Kind::kBool;
      reply.b = ets_.find(id, op.key) != nullptr;
      break;
    case StepKind::kEtsDelete:
      ets_.erase(id, op.key, released_);
      release_all(released_);
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    case StepKind::kEtsTake:
      reply.kind = Reply::Kind::kList;
      reply.owned = true;
      ets_.erase(id, op.key, reply.values);
      break;
    case StepKind::kEtsTab2List:
      reply.kind = Reply::Kind::kList;
      ets_.list(id, reply.values);
      break;
    case StepKind::kEtsInfo:
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(ets_.size(id));
      break;
    case StepKind::kEtsDeleteTable:
      ets_.drop(id, released_);
      release_all(released_);
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    case StepKind::kEtsUpdateCounter: {
      const Ets::Type type = ets_.options(id).type;
      if (type == Ets::Type::kBag || type == Ets::Type::kDuplicateBag) {
        fail("update_counter works on set and ordered_set tables only");
        return;
      }
      if (!ets_.find(id, op.key)) {
        if (!op.value) {
          fail("no row has this key, and no default was given");
          return;
        }
        std::vector<EtsRow> rows(1);
        rows[0].key = op.key;
        rows[0].value = op.value;
        op.value = 0;
        ets_.insert(id, rows, released_);
        release_all(released_);
      } else if (op.value) {
        guest_.release(op.value);
        op.value = 0;
      }
      const ValueRef row = ets_.find(id, op.key)->front().value;
      int64_t current = 0;
      if (!guest_.tuple_integer(row, op.a, current)) {
        fail("element " + std::to_string(op.a) + " of the row is not an integer");
        return;
      }
      const auto updated = static_cast<int64_t>(static_cast<uint64_t>(current) + static_cast<uint64_t>(op.b));
      guest_.set_tuple_integer(row, op.a, updated);
      reply.kind = Reply::Kind::kInt;
      reply.i = updated;
      break;
    }
    default:
      break;
  }
}

void Vm::perform_shared(Pid pid, PendingOp& op, Reply& reply) {
  if (op.kind == StepKind::kHistory) {
    if (sink_) emit(op.kind, pid, -1, "H" + std::to_string(op.ref) + " " + op.key);
    return;
  }
  if (op.kind == StepKind::kEtsNew) {
    auto id = ets_.create(pid, op.ets);
    if (sink_) emit(op.kind, pid, -1, "\"" + op.ets.name + "\"" + (id ? " -> T" + std::to_string(*id) : " (name taken)"));
    if (!id) {
      reply.kind = Reply::Kind::kError;
      reply.error = "ets.new: a table named \"" + op.ets.name + "\" already exists";
    } else {
      reply.kind = Reply::Kind::kTable;
      reply.u = *id;
    }
    return;
  }
  if (op.kind >= StepKind::kEtsInsert && op.kind <= StepKind::kEtsInfo) {
    perform_ets(pid, op, reply);
    return;
  }
  const bool is_signed = op.kind >= StepKind::kAtomicsGet && op.kind <= StepKind::kAtomicsCompareExchange &&
                         atomics_.is_signed(op.ref);
  auto atomic_detail = [&](const std::string& what) {
    return "A" + std::to_string(op.ref) + "[" + std::to_string(op.num) + "] " + what;
  };
  auto num = [&](uint64_t v) {
    return is_signed ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v);
  };
  switch (op.kind) {
    case StepKind::kAtomicsGet: {
      const uint64_t v = atomics_.get(op.ref, op.num);
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(v);
      reply.as_unsigned = !is_signed;
      if (sink_) emit(op.kind, pid, -1, atomic_detail("-> " + num(v)));
      break;
    }
    case StepKind::kAtomicsPut:
      atomics_.put(op.ref, op.num, static_cast<uint64_t>(op.a));
      if (sink_) emit(op.kind, pid, -1, atomic_detail(":= " + num(static_cast<uint64_t>(op.a))));
      break;
    case StepKind::kAtomicsAdd: {
      const uint64_t v = atomics_.add_get(op.ref, op.num, static_cast<uint64_t>(op.a));
      if (op.flag) {
        reply.kind = Reply::Kind::kInt;
        reply.i = static_cast<int64_t>(v);
        reply.as_unsigned = !is_signed;
      }
      if (sink_) emit(op.kind, pid, -1, atomic_detail("+= " + std::to_string(op.a) + " -> " + num(v)));
      break;
    }
    case StepKind::kAtomicsExchange: {
      const uint64_t old = atomics_.exchange(op.ref, op.num, static_cast<uint64_t>(op.a));
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(old);
      reply.as_unsigned = !is_signed;
      if (sink_) emit(op.kind, pid, -1, atomic_detail(":= " + num(static_cast<uint64_t>(op.a)) + ", was " + num(old)));
      break;
    }
    case StepKind::kAtomicsCompareExchange: {
      const uint64_t old =
          atomics_.compare_exchange(op.ref, op.num, static_cast<uint64_t>(op.a), static_cast<uint64_t>(op.b));
      reply.kind = Reply::Kind::kCas;
      reply.b = old == static_cast<uint64_t>(op.a);
      reply.i = static_cast<int64_t>(old);
      reply.as_unsigned = !is_signed;
      if (sink_) {
        emit(op.kind, pid, -1,
             atomic_detail("expected " + num(static_cast<uint64_t>(op.a)) + ", was " + num(old) +
                           (reply.b ? ": swapped" : ": unchanged")));
      }
      break;
    }
    case StepKind::kTermPut: {
      if (sink_) emit(op.kind, pid, -1, guest_.render(op.value));
      if (auto old = terms_.put(op.key, op.value)) guest_.release(*old);
      op.value = 0;
      break;
    }
    case StepKind::kTermGet: {
      auto v = terms_.get(op.key);
      if (v) {
        reply.kind = Reply::Kind::kCopyOf;
        reply.value = *v;
        if (op.value) guest_.release(op.value);
      } else if (op.flag) {
        reply.kind = Reply::Kind::kValue;
        reply.value = op.value;
      } else {
        reply.kind = Reply::Kind::kError;
        reply.error = "persistent_term.get: no term is stored under this key";
      }
      op.value = 0;
      if (sink_) emit(op.kind, pid, -1, v ? guest_.render(*v) : "(missing)");
      break;
    }
    case StepKind::kTermErase: {
      auto old = terms_.erase(op.key);
      reply.kind = Reply::Kind::kBool;
      reply.b = old.has_value();
      if (old) guest_.release(*old);
      if (sink_) emit(op.kind, pid, -1, old ? "erased" : "(missing)");
      break;
    }
    default:
      break;
  }
}

void Vm::set_label(std::string_view label) {
  if (running_ != kNoPid) name_process(running_, label);
}

void Vm::name_process(Pid pid, std::string_view name) {
  std::string& current = procs_[pid].display_name;
  if (!current.empty()) return;  // a process keeps its first name
  current = name;
  if (sink_) sink_->on_process_name(pid, name);
}

void Vm::set_event_sink(EventSink* sink) {
  sink_ = sink;
  if (!sink_) return;
  for (Pid pid = 0; pid < procs_.size(); ++pid) {
    if (!procs_[pid].display_name.empty()) sink_->on_process_name(pid, procs_[pid].display_name);
  }
}

void Vm::abandon_ref(RefId ref) {
  if (running_ == kNoPid) return;
  Process& p = procs_[running_];
  p.abandoned.push_back(ref);
  for (size_t i = p.head; i < p.mailbox.size(); ++i) {
    Message& m = p.mailbox[i];
    if (m.kind == Message::Kind::kUser && guest_.message_tag(m.value) == ref) {
      Message gone = take_message(p, i);
      guest_.release(gone.value);
      break;
    }
  }
}

void Vm::log(std::string_view text) {
  if (sink_) sink_->on_log({step_no_, running_ == kNoPid ? -1 : static_cast<int64_t>(running_), std::string(text)});
}

uint64_t Vm::choose(uint64_t n) { return choices_ ? choices_->choose(n) : 0; }

bool Vm::is_alive(Pid pid) const {
  return pid < procs_.size() && procs_[pid].state != Process::State::kDead && procs_[pid].op.kind != StepKind::kExit;
}

Pid Vm::whereis(NameId name) const { return name < name_owner_.size() ? name_owner_[name] : kNoPid; }

std::vector<NameId> Vm::registered_names() const {
  std::vector<NameId> out;
  for (NameId id = 1; id < name_owner_.size(); ++id) {
    if (name_owner_[id] != kNoPid) out.push_back(id);
  }
  std::sort(out.begin(), out.end(), [&](NameId a, NameId b) { return names_[a] < names_[b]; });
  return out;
}

NameId Vm::intern(std::string_view name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  const auto id = static_cast<NameId>(names_.size());
  names_.emplace_back(name);
  name_owner_.push_back(kNoPid);
  name_ids_.emplace(names_.back(), id);
  return id;
}

Pid Vm::resolve(const Dest& d) const {
  if (d.name) return name_owner_[d.name];
  return d.pid;
}

// ---------------------------------------------------------------------------
// Steps

StepResult Vm::step(const Op& op, ChoiceSource& choices) {
  StepResult result;
  ++step_no_;
  choices_ = &choices;
  guest_.begin_step();
  accesses_.clear();
  facts_ = StepFacts{};
  facts_.actor = op.key.kind == EventKind::kTimer ? static_cast<int64_t>(timers_[op.key.id].owner)
                                                   : static_cast<int64_t>(op.key.id);
  if (op.object) touch(op.object, op.writes);
  switch (op.key.kind) {
    case EventKind::kTimer: fire_timer(op.key.id, result); break;
    case EventKind::kProcess: perform(op.key.id, result); break;
    case EventKind::kDelivery:
    case EventKind::kFault: break;  // not offered by this VM yet
  }
  choices_ = nullptr;
  result.facts = facts_;
  result.facts.accesses = accesses_;
  if (!result.failure && guest_.timed_out()) {
    result.failure.kind = FailureKind::kTimeout;
    result.failure.step = step_no_;
    result.failure.message = "the iteration ran past iter_timeout (in a receive match function or an invariant)";
  }
  if (!result.failure && !result.finished && guest_.has_invariants()) {
    std::string message;
    if (!guest_.check_invariants(message)) {
      result.failure.kind = FailureKind::kInvariant;
      result.failure.step = step_no_;
      result.failure.message = std::move(message);
    }
  }
  return result;
}

void Vm::perform(Pid pid, StepResult& result) {
  Process& p = procs_[pid];
  PendingOp& op = p.op;
  Reply reply;
  switch (op.kind) {
    case StepKind::kStart:
      reply.kind = Reply::Kind::kStart;
      reply.value = op.value;
      op.value = 0;
      facts_.cause = p.exit_cause;
      if (sink_) emit(StepKind::kStart, pid, -1, "");
      p.exit_cause = 0;
      break;
    case StepKind::kSpawn: {
      const auto mode = static_cast<SpawnMode>(op.num);
      ValueRef body = op.value;
      op.value = 0;
      const Pid child = new_process(body, step_no_);
      Process& self = procs_[pid];  // new_process may have moved procs_
      reply.kind = Reply::Kind::kPid;
      reply.u = child;
      if (mode == SpawnMode::kLink) {
        self.links.push_back(child);
        procs_[child].links.push_back(pid);
      } else if (mode == SpawnMode::kMonitor) {
        const RefId ref = make_ref();
        monitors_.emplace(ref, Monitor{pid, child});
        self.watching.push_back(ref);
        procs_[child].watchers.push_back(ref);
        reply.kind = Reply::Kind::kPidRef;
        reply.i = static_cast<int64_t>(ref);
      }
      if (sink_) {
        emit(StepKind::kSpawn, pid, child,
             mode == SpawnMode::kLink      ? "linked"
             : mode == SpawnMode::kMonitor ? "monitored #Ref<" + std::to_string(reply.i) + ">"
                                           : "");
      }
      break;
    }
    case StepKind::kSend: {
      const Pid to = resolve(op.dest);
      if (sink_) {
        std::string detail = guest_.render(op.value);
        if (op.dest.name) detail = "(" + names_[op.dest.name] + ") " + detail;
        if (to != kNoPid && !is_alive(to)) detail += "  (dropped: dead)";
        emit(StepKind::kSend, pid, to == kNoPid ? -1 : static_cast<int64_t>(to), std::move(detail));
      }
      if (op.dest.name) touch(object::name(fnv1a(names_[op.dest.name])), false);
      if (to != kNoPid && !is_alive(to)) touch(object::process(to), false);  // dropped: it saw the exit
      if (to == kNoPid) {
        guest_.release(op.value);
        op.value = 0;
        reply.kind = Reply::Kind::kError;
        reply.error = "send: no process is registered as \"" + names_[op.dest.name] + "\"";
        break;
      }
      Message m;
      m.from = pid;
      m.value = op.value;
      m.origin_step = step_no_;
      op.value = 0;
      enqueue(to, m);
      break;
    }
    case StepKind::kReceive: {
      if (!p.match_error.empty()) {
        reply.kind = Reply::Kind::kError;
        reply.error = "receive: the match function raised: " + p.match_error;
        if (sink_) emit(StepKind::kReceive, pid, -1, "match error");
      } else if (p.matched >= 0) {
        reply.kind = Reply::Kind::kMessage;
        reply.message = take_message(p, static_cast<size_t>(p.matched));
        facts_.consumed = reply.message.origin_step;
        if (sink_) {
          std::string detail;
          switch (reply.message.kind) {
            case Message::Kind::kDown:
              detail = "{\"DOWN\", #Ref<" + std::to_string(reply.message.ref) + ">, " +
                       pid_str(reply.message.from) + ", " + render_reason(reply.message.reason) + "}";
              break;
            case Message::Kind::kExit:
              detail = "{\"EXIT\", " + pid_str(reply.message.from) + ", " + render_reason(reply.message.reason) + "}";
              break;
            default:
              detail = guest_.render(reply.message.value);
          }
          emit(StepKind::kReceive, pid, reply.message.from == kNoPid ? -1 : static_cast<int64_t>(reply.message.from), std::move(detail));
        }
      } else {
        reply.kind = Reply::Kind::kNil;
        if (sink_) emit(StepKind::kReceive, pid, -1, "timeout");
      }
      end_receive(procs_[pid]);
      break;
    }
    case StepKind::kExit:
      do_exit(pid, result);
      return;
    case StepKind::kLink: {
      const Pid t = op.pid;
      if (sink_) emit(StepKind::kLink, pid, t, "");
      if (t == pid) break;
      touch(object::process(pid), true);
      if (!is_alive(t)) {
        // As in Erlang: a process trapping exits gets {"EXIT", t, "noproc"};
        // any other gets a noproc error it can catch.
        if (p.trap_exit) {
          exit_signal(pid, t, Reason{ReasonKind::kNoproc, 0}, true, step_no_);
        } else {
          reply.kind = Reply::Kind::kError;
          reply.error = "noproc";
        }
        break;
      }
      if (std::find(p.links.begin(), p.links.end(), t) == p.links.end()) {
        p.links.push_back(t);
        procs_[t].links.push_back(pid);
      }
      break;
    }
    case StepKind::kUnlink: {
      const Pid t = op.pid;
      if (sink_) emit(StepKind::kUnlink, pid, t, "");
      touch(object::process(pid), true);
      std::erase(p.links, t);
      if (t < procs_.size()) std::erase(procs_[t].links, pid);
      break;
    }
    case StepKind::kMonitor: {
      const Pid t = op.pid;
      const RefId ref = make_ref();
      if (sink_) emit(StepKind::kMonitor, pid, t, "#Ref<" + std::to_string(ref) + ">");
      if (!is_alive(t)) {
        Message m;
        m.kind = Message::Kind::kDown;
        m.from = t;
        m.ref = ref;
        m.reason = Reason{ReasonKind::kNoproc, 0};
        m.origin_step = step_no_;
        touch(object::mailbox(pid), true);
        enqueue(pid, m);
      } else {
        monitors_.emplace(ref, Monitor{pid, t});
        procs_[pid].watching.push_back(ref);
        procs_[t].watchers.push_back(ref);
      }
      reply.kind = Reply::Kind::kRef;
      reply.u = ref;
      break;
    }
    case StepKind::kDemonitor: {
      const RefId ref = op.ref;
      const bool flush = op.flag;
      bool was_active = false;
      auto it = monitors_.find(ref);
      if (it != monitors_.end() && it->second.watcher == pid) {
        was_active = true;
        touch(object::process(it->second.target), false);
        std::erase(procs_[it->second.target].watchers, ref);
        std::erase(p.watching, ref);
        monitors_.erase(it);
      }
      if (flush) {
        touch(object::mailbox(pid), true);
        for (size_t i = p.head; i < p.mailbox.size(); ++i) {
          if (p.mailbox[i].kind == Message::Kind::kDown && p.mailbox[i].ref == ref) {
            Message m = take_message(p, i);
            release_reason(m.reason);
            break;
          }
        }
      }
      if (sink_) emit(StepKind::kDemonitor, pid, -1, "#Ref<" + std::to_string(ref) + ">" + (flush ? " flush" : ""));
      (void)was_active;
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kTrapExit:
      reply.kind = Reply::Kind::kBool;
      reply.b = p.trap_exit;
      p.trap_exit = op.flag;
      if (sink_) emit(StepKind::kTrapExit, pid, -1, op.flag ? "true" : "false");
      break;
    case StepKind::kSignal: {
      const Pid t = op.pid;
      Reason r = op.reason;
      op.reason = {};
      if (sink_) emit(StepKind::kSignal, pid, t, "reason=" + render_reason(r));
      exit_signal(t, pid, r, false, step_no_);
      release_reason(r);
      if (procs_[pid].op.kind == StepKind::kExit && t == pid) return;  // signalled itself
      reply.kind = Reply::Kind::kBool;
      reply.b = true;
      break;
    }
    case StepKind::kIsAlive:
      reply.kind = Reply::Kind::kBool;
      reply.b = is_alive(op.pid);
      if (sink_) emit(StepKind::kIsAlive, pid, op.pid, reply.b ? "true" : "false");
      break;
    case StepKind::kRegister: {
      const NameId n = op.name;
      const Pid t = op.pid;
      if (sink_) emit(StepKind::kRegister, pid, t, "\"" + names_[n] + "\"");
      touch(object::process(t), false);  // whether it is alive and already named
      if (name_owner_[n] != kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: the name \"" + names_[n] + "\" is already registered to " + pid_str(name_owner_[n]);
      } else if (!is_alive(t)) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is not alive";
      } else if (procs_[t].name) {
        reply.kind = Reply::Kind::kError;
        reply.error = "register: " + pid_str(t) + " is already registered as \"" + names_[procs_[t].name] + "\"";
      } else {
        name_owner_[n] = t;
        procs_[t].name = n;
        name_process(t, names_[n]);
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      break;
    }
    case StepKind::kUnregister: {
      const NameId n = op.name;
      if (sink_) emit(StepKind::kUnregister, pid, -1, "\"" + names_[n] + "\"");
      if (name_owner_[n] == kNoPid) {
        reply.kind = Reply::Kind::kError;
        reply.error = "unregister: no process is registered as \"" + names_[n] + "\"";
      } else {
        procs_[name_owner_[n]].name = 0;
        name_owner_[n] = kNoPid;
        reply.kind = Reply::Kind::kBool;
        reply.b = true;
      }
      break;
    }
    case StepKind::kWhereis: {
      const Pid owner = name_owner_[op.name];
      if (sink_) {
        emit(StepKind::kWhereis, pid, owner == kNoPid ? -1 : static_cast<int64_t>(owner),
             "\"" + names_[op.name] + "\"" + (owner == kNoPid ? " -> nil" : ""));
      }
      if (owner == kNoPid) {
        reply.kind = Reply::Kind::kNil;
      } else {
        reply.kind = Reply::Kind::kPid;
        reply.u = owner;
      }
      break;
    }
    case StepKind::kRegistered:
      if (sink_) emit(StepKind::kRegistered, pid, -1, "");
      reply.kind = Reply::Kind::kNames;
      break;
    case StepKind::kSleep:
      if (sink_) emit(StepKind::kSleep, pid, -1, "woke at " + std::to_string(now_) + " ms");
      p.timer = 0;
      break;
    case StepKind::kSendAfter: {
      const Dest dest = op.dest;
      const ValueRef msg = op.value;
      const int64_t ms = op.num;
      op.value = 0;
      const TimerId id = arm_timer(Timer::Kind::kSendAfter, pid, ms);
      touch(object::timer(id), true);
      timers_[id].dest = dest;
      timers_[id].msg = msg;
      if (sink_) {
        emit(StepKind::kSendAfter, pid, -1,
             "T" + std::to_string(id) + " in " + std::to_string(ms) + " ms to " + render_dest(dest) + " " +
                 guest_.render(msg));
      }
      reply.kind = Reply::Kind::kTimer;
      reply.u = id;
      break;
    }
    case StepKind::kCancelTimer: {
      const TimerId id = static_cast<TimerId>(op.ref);
      const bool active = id < timers_.size() && timers_[id].armed && timers_[id].kind == Timer::Kind::kSendAfter;
      if (sink_) emit(StepKind::kCancelTimer, pid, -1, "T" + std::to_string(id) + (active ? "" : " (not armed)"));
      if (active) {
        reply.kind = Reply::Kind::kInt;
        reply.i = std::max<int64_t>(0, timers_[id].deadline - now_);
        guest_.release(timers_[id].msg);
        timers_[id].msg = 0;
        disarm_timer(id);
      } else {
        reply.kind = Reply::Kind::kBool;
        reply.b = false;
      }
      break;
    }
    default:
      perform_shared(pid, op, reply);
      break;
  }

  running_ = pid;
  posted_ = false;
  ResumeResult r = guest_.resume(pid, reply);
  running_ = kNoPid;
  after_resume(pid, r);
  if (r.how == ResumeResult::How::kTimedOut) {
    result.failure.kind = FailureKind::kTimeout;
    result.failure.step = step_no_;
    result.failure.pid = pid;
    result.failure.message = "the iteration ran past iter_timeout while " + pid_str(pid) +
                             " was running without reaching a sync point";
  }
}

void Vm::after_resume(Pid pid, ResumeResult& r) {
  Process& p = procs_[pid];
  switch (r.how) {
    case ResumeResult::How::kYielded:
      if (!posted_) {
        // Yielded without posting: a bare coroutine.yield in process code.
        p.op.reset(StepKind::kExit);
        p.op.reason = Reason{ReasonKind::kNormal, 0};
        p.crashed = true;
        p.crash_message = "coroutine.yield called outside a coroutine created by the process";
        p.fatal = pid == kRootPid || !protected_crash(pid);
        p.state = Process::State::kReady;
      }
      break;
    case ResumeResult::How::kReturned:
      p.op.reset(StepKind::kExit);
      p.state = Process::State::kReady;
      p.fatal = pid == kRootPid;  // the iteration ends when the root returns
      break;
    case ResumeResult::How::kRaised:
      p.op.reset(StepKind::kExit);
      p.op.reason = Reason{ReasonKind::kValue, r.error};
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

bool Vm::protected_crash(Pid pid) const {
  if (options_.allow_crashes) return true;
  for (Pid l : procs_[pid].links) {
    if (is_alive(l) && procs_[l].trap_exit) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Mailboxes and receive

void Vm::enqueue(Pid to, Message m) {
  if (to >= procs_.size() || procs_[to].state == Process::State::kDead) {
    if (m.kind == Message::Kind::kUser) guest_.release(m.value);
    release_reason(m.reason);
    return;
  }
  Process& q = procs_[to];
  if (!q.abandoned.empty() && m.kind == Message::Kind::kUser) {
    const RefId tag = guest_.message_tag(m.value);
    if (tag != 0 && std::find(q.abandoned.begin(), q.abandoned.end(), tag) != q.abandoned.end()) {
      guest_.release(m.value);  // a late reply to an abandoned call
      return;
    }
  }
  q.mailbox.push_back(m);
  if (q.op.kind == StepKind::kReceive && q.matched < 0 && !q.timed_out && q.match_error.empty()) {
    test_message(to, q.mailbox.size() - 1);
  }
}

// Tests mailbox[index] against the pending receive of `pid`; on a match (or
// a matcher error) the receive becomes runnable and its timer is dropped.
void Vm::test_message(Pid pid, size_t index) {
  Process& q = procs_[pid];
  Message& m = q.mailbox[index];
  q.scan = index + 1;
  if (m.kind == Message::Kind::kRemoved) return;
  bool ok = true;
  if (q.op.value != 0) {
    std::string error;
    ok = guest_.match(q.op.value, m, error);
    Process& again = procs_[pid];  // the matcher cannot spawn, but stay safe
    if (!error.empty()) {
      again.match_error = std::move(error);
      ok = true;
    }
  }
  if (!ok) return;
  Process& p = procs_[pid];
  if (p.match_error.empty()) p.matched = static_cast<int64_t>(index);
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  if (p.state != Process::State::kReady) {
    p.state = Process::State::kReady;
    refresh(pid);
  }
}

void Vm::begin_receive(Pid pid) {
  Process& p = procs_[pid];
  p.matched = -1;
  p.timed_out = false;
  p.match_error.clear();
  p.scan = p.head;
  while (p.scan < p.mailbox.size() && p.matched < 0 && procs_[pid].match_error.empty()) {
    test_message(pid, procs_[pid].scan);
  }
  Process& q = procs_[pid];
  if (q.matched >= 0 || !q.match_error.empty()) return;  // ready
  const int64_t timeout = q.op.num;
  if (timeout == 0) return;  // polls: ready, returns nil if nothing matches
  q.state = Process::State::kBlocked;
  if (timeout > 0) q.timer = arm_timer(Timer::Kind::kReceive, pid, timeout);
}

void Vm::end_receive(Process& p) {
  guest_.release(p.op.value);
  p.op.value = 0;
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  p.matched = -1;
  p.timed_out = false;
  p.match_error.clear();
}

Message Vm::take_message(Process& p, size_t index) {
  Message m = p.mailbox[index];
  p.mailbox[index].kind = Message::Kind::kRemoved;
  ++p.removed;
  while (p.head < p.mailbox.size() && p.mailbox[p.head].kind == Message::Kind::kRemoved) {
    ++p.head;
    --p.removed;
  }
  if (p.head == p.mailbox.size()) {
    p.mailbox.clear();
    p.head = 0;
    p.removed = 0;
  } else if (p.head >= 32 && p.head * 2 >= p.mailbox.size()) {
    p.mailbox.erase(p.mailbox.begin(), p.mailbox.begin() + static_cast<ptrdiff_t>(p.head));
    p.head = 0;
  } else if (p.removed >= 32 && p.removed * 2 >= p.mailbox.size() - p.head) {
    std::erase_if(p.mailbox, [](const Message& x) { return x.kind == Message::Kind::kRemoved; });
    p.head = 0;
    p.removed = 0;
  }
  return m;
}

// ---------------------------------------------------------------------------
// Exits, links, monitors

Reason Vm::copy_reason(const Reason& r) {
  if (r.kind == ReasonKind::kValue && r.value) guest_.retain(r.value);
  return r;
}

void Vm::release_reason(Reason& r) {
  if (r.kind == ReasonKind::kValue && r.value) guest_.release(r.value);
  r = {};
}

void Vm::release_op(PendingOp& op) {
  if (op.kind != StepKind::kExit) {
    if (op.value) guest_.release(op.value);
    op.value = 0;
  }
  for (EtsRow& r : op.rows) guest_.release(r.value);
  op.rows.clear();
  release_reason(op.reason);
}

void Vm::kill(Pid pid, Reason reason, uint32_t cause) {
  Process& p = procs_[pid];
  release_op(p.op);
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  p.matched = -1;
  p.op.reset(StepKind::kExit);
  p.op.reason = copy_reason(reason);
  p.state = Process::State::kReady;
  p.exit_cause = cause;
  p.fatal = false;
  refresh(pid);
}

void Vm::exit_signal(Pid to, Pid from, Reason reason, bool from_link, uint32_t cause) {
  if (to >= procs_.size() || !is_alive(to)) return;
  Process& t = procs_[to];
  touch(object::process(to), true);
  if (reason.kind == ReasonKind::kKill && !from_link) {
    kill(to, Reason{ReasonKind::kKilled, 0}, cause);
    return;
  }
  if (t.trap_exit) {
    touch(object::mailbox(to), true);
    Message m;
    m.kind = Message::Kind::kExit;
    m.from = from;
    m.reason = copy_reason(reason);
    m.origin_step = cause;
    enqueue(to, m);
    return;
  }
  if (reason.kind == ReasonKind::kNormal) {
    if (!from_link && to == from) kill(to, reason, cause);  // exit(self(), "normal")
    return;
  }
  kill(to, reason, cause);
}

void Vm::do_exit(Pid pid, StepResult& result) {
  Process& p = procs_[pid];
  Reason reason = p.op.reason;
  p.op.reason = {};
  const bool fatal = p.fatal;
  const bool crashed = p.crashed;
  if (sink_) {
    std::string detail = "reason=";
    if (p.crashed) {
      detail += "\"" + p.crash_message + "\"";
      if (!p.crash_location.empty()) detail += " (at " + p.crash_location + ")";
    } else {
      detail += render_reason(reason);
    }
    emit(StepKind::kExit, pid, -1, std::move(detail));
  }
  facts_.cause = p.exit_cause;
  touch(object::mailbox(pid), true);  // its queued messages are gone
  p.state = Process::State::kDead;
  p.fatal = false;
  if (forced_ == pid) forced_ = kNoPid;
  disable(EventKey::process(pid));
  if (p.timer) {
    disarm_timer(p.timer);
    p.timer = 0;
  }
  if (p.name) {
    touch(object::name(fnv1a(names_[p.name])), true);
    name_owner_[p.name] = kNoPid;
    p.name = 0;
  }
  ets_.for_each_owned(pid, [&](uint32_t table) {
    touch(object::table(table), true);
    const std::string& name = ets_.options(table).name;
    if (!name.empty()) touch(object::name(fnv1a("ets:" + name)), true);
  });
  ets_.drop_owned(pid, released_);  // a table dies with its owner
  release_all(released_);
  for (size_t i = p.head; i < p.mailbox.size(); ++i) {
    Message& m = p.mailbox[i];
    if (m.kind == Message::Kind::kRemoved) continue;
    if (m.kind == Message::Kind::kUser) guest_.release(m.value);
    release_reason(m.reason);
  }
  p.mailbox.clear();
  p.mailbox.shrink_to_fit();
  p.head = p.removed = 0;

  std::vector<Pid> links = std::move(p.links);
  std::vector<RefId> watchers = std::move(p.watchers);
  std::vector<RefId> watching = std::move(p.watching);
  p.links.clear();
  p.watchers.clear();
  p.watching.clear();
  for (RefId ref : watching) {
    auto it = monitors_.find(ref);
    if (it == monitors_.end()) continue;
    std::erase(procs_[it->second.target].watchers, ref);
    monitors_.erase(it);
  }
  for (Pid l : links) {
    std::erase(procs_[l].links, pid);
    exit_signal(l, pid, reason, true, step_no_);
  }
  for (RefId ref : watchers) {
    auto it = monitors_.find(ref);
    if (it == monitors_.end()) continue;
    const Pid w = it->second.watcher;
    monitors_.erase(it);
    std::erase(procs_[w].watching, ref);
    Message m;
    m.kind = Message::Kind::kDown;
    m.from = pid;
    m.ref = ref;
    m.reason = copy_reason(reason);
    m.origin_step = step_no_;
    touch(object::mailbox(w), true);
    enqueue(w, m);
  }
  guest_.discard(pid);

  Process& q = procs_[pid];
  if (pid == kRootPid) {
    result.finished = true;
    if (reason.kind != ReasonKind::kNormal) {
      result.failure.kind = FailureKind::kAssertion;
      result.failure.step = step_no_;
      result.failure.pid = pid;
      result.failure.message = crashed ? q.crash_message : reason_text(reason);
      result.failure.location = q.crash_location;
    }
  } else if (fatal && crashed) {
    result.failure.kind = FailureKind::kCrash;
    result.failure.step = step_no_;
    result.failure.pid = pid;
    result.failure.message = q.crash_message;
    result.failure.location = q.crash_location;
  }
  release_reason(reason);
}

// ---------------------------------------------------------------------------
// Timers

Op Vm::timer_op(TimerId id) const {
  Op op;
  op.key = EventKey::timer(id);
  op.step = StepKind::kTimer;
  op.writes = true;
  // A receive timeout races with messages to its owner; other timers with
  // whatever cancels them.
  op.object = timers_[id].kind == Timer::Kind::kReceive ? object::mailbox(timers_[id].owner) : object::timer(id);
  return op;
}

TimerId Vm::arm_timer(Timer::Kind kind, Pid owner, int64_t ms) {
  const auto id = static_cast<TimerId>(timers_.size());
  timers_.emplace_back();
  Timer& t = timers_.back();
  t.kind = kind;
  t.armed = true;
  t.owner = owner;
  t.deadline = now_ + std::max<int64_t>(0, ms);
  t.armed_step = step_no_;
  if (options_.timers == TimerMode::kAny || t.deadline <= now_) {
    enable(timer_op(id));
  } else {
    timer_heap_.emplace_back(t.deadline, id);
    std::push_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
  }
  return id;
}

void Vm::disarm_timer(TimerId id) {
  if (id == 0 || id >= timers_.size()) return;
  timers_[id].armed = false;
  disable(EventKey::timer(id));
}

bool Vm::advance_time() {
  while (!timer_heap_.empty()) {
    const auto [deadline, id] = timer_heap_.front();
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
    timer_heap_.pop_back();
    if (!timers_[id].armed || enabled_pos_.get(EventKey::timer(id)) >= 0) continue;
    now_ = std::max(now_, deadline);
    enable(timer_op(id));
    // Everything else due at the same instant becomes enabled too.
    while (!timer_heap_.empty() && timer_heap_.front().first <= now_) {
      const TimerId next = timer_heap_.front().second;
      std::pop_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
      timer_heap_.pop_back();
      if (!timers_[next].armed || enabled_pos_.get(EventKey::timer(next)) >= 0) continue;
      enable(timer_op(next));
    }
    return true;
  }
  return false;
}

void Vm::fire_timer(TimerId id, StepResult& result) {
  Timer& t = timers_[id];
  t.armed = false;
  disable(EventKey::timer(id));
  now_ = std::max(now_, t.deadline);
  const Pid owner = t.owner;
  facts_.cause = t.armed_step;
  switch (t.kind) {
    case Timer::Kind::kSendAfter: {
      const Pid to = resolve(t.dest);
      if (sink_) {
        emit(StepKind::kTimer, owner, to == kNoPid ? -1 : static_cast<int64_t>(to),
             "T" + std::to_string(id) + " send_after " + guest_.render(t.msg) + (to == kNoPid ? " (dropped)" : ""));
      }
      Message m;
      m.from = owner;
      m.value = t.msg;
      m.origin_step = step_no_;
      t.msg = 0;
      if (t.dest.name) touch(object::name(fnv1a(names_[t.dest.name])), false);
      if (to != kNoPid) touch(object::mailbox(to), true);
      if (to == kNoPid) {
        guest_.release(m.value);
      } else {
        enqueue(to, m);
      }
      break;
    }
    case Timer::Kind::kSleep: {
      if (sink_) emit(StepKind::kTimer, owner, -1, "T" + std::to_string(id) + " sleep ends");
      Process& p = procs_[owner];
      p.timer = 0;
      p.state = Process::State::kReady;
      refresh(owner);
      break;
    }
    case Timer::Kind::kReceive: {
      if (sink_) emit(StepKind::kTimer, owner, -1, "T" + std::to_string(id) + " receive timeout");
      Process& p = procs_[owner];
      p.timer = 0;
      p.timed_out = true;
      p.state = Process::State::kReady;
      refresh(owner);
      break;
    }
  }
  (void)result;
}

// ---------------------------------------------------------------------------
// Deadlock and events

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
    if (!p.display_name.empty()) details += "(" + p.display_name + ")";
    if (p.op.kind == StepKind::kReceive) {
      const size_t queued = p.mailbox.size() - p.head - p.removed;
      details += " waits in receive";
      if (p.op.value) details += " (with a match function)";
      details += ", " + std::to_string(queued) + " message" + (queued == 1 ? "" : "s") + " queued";
    } else {
      details += " waits in " + std::string(step_kind_name(p.op.kind));
    }
    details += "\n";
  }
  f.message = "no process can run and no timer is pending (" + std::to_string(blocked) + " process" +
              (blocked == 1 ? "" : "es") + " blocked)";
  f.details = std::move(details);
  return f;
}

void Vm::touch(uint64_t object, bool writes) {
  if (object != 0) accesses_.push_back({object, writes});
}

void Vm::emit(StepKind kind, int64_t pid, int64_t peer, std::string detail) {
  if (!sink_) return;
  Event e;
  e.step = step_no_;
  e.kind = kind;
  e.pid = pid;
  e.peer = peer;
  e.detail = std::move(detail);
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

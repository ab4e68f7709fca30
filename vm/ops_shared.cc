// Shared state (SPEC 5.3): atomics, persistent terms, and ls.history
// recording; each call is one atomic step. ETS: vm/ops_ets.cc.
#include <algorithm>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Shared-state operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform). ETS: vm/ops_ets.cc.
void Vm::add_shared_ops(OpTable& table) {
  for (StepKind k : {StepKind::kAtomicsGet, StepKind::kAtomicsPut, StepKind::kAtomicsAdd, StepKind::kAtomicsExchange,
                     StepKind::kAtomicsCompareExchange}) {
    table[static_cast<size_t>(k)] = {&Vm::access_shared, &Vm::perform_atomics};
  }
  for (StepKind k : {StepKind::kTermPut, StepKind::kTermGet, StepKind::kTermErase}) {
    table[static_cast<size_t>(k)] = {&Vm::access_shared, &Vm::perform_term};
  }
  table[static_cast<size_t>(StepKind::kHistory)] = {&Vm::access_shared, &Vm::perform_history};
}

void Vm::access_shared(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kAtomicsGet:
    case StepKind::kAtomicsPut:
    case StepKind::kAtomicsAdd:
    case StepKind::kAtomicsExchange:
    case StepKind::kAtomicsCompareExchange: {
      const AtomicsArgs& args = op.as<AtomicsArgs>();
      out.object = object::atomic(args.array, static_cast<uint64_t>(args.index));
      out.writes = op.kind != StepKind::kAtomicsGet;
      break;
    }
    case StepKind::kTermGet:
    case StepKind::kTermPut:
    case StepKind::kTermErase:
      out.object = object::term(fnv1a(op.as<TermArgs>().key));
      out.writes = op.kind != StepKind::kTermGet;
      break;
    case StepKind::kHistory: {
      // Every event writes the history. What a checker reads from the
      // order of its events is real time: which completions come before
      // which invocations (and each process's own order, which its steps
      // keep). So two invocations with no completion between them commute,
      // as do two completions: each group writes one value, and writes of
      // one value commute (engine/facts.h). A history kept in total order
      // writes none, so every two of its events race.
      const HistoryArgs& args = op.as<HistoryArgs>();
      out.object = object::history(args.history);
      out.writes = true;
      out.value = static_cast<uint64_t>(args.order);
      break;
    }
    default:
      break;
  }
}

void Vm::post_atomics(StepKind kind, uint64_t id, int64_t index, int64_t a, int64_t b, bool get_new) {
  post<AtomicsArgs>(kind) = {id, index, a, b, get_new};
}

void Vm::post_term_put(std::string key, ValueRef value) {
  post<TermArgs>(StepKind::kTermPut) = {std::move(key), value, false};
}

void Vm::post_term_get(std::string key, ValueRef fallback, bool has_fallback) {
  post<TermArgs>(StepKind::kTermGet) = {std::move(key), fallback, has_fallback};
}

void Vm::post_term_erase(std::string key) { post<TermArgs>(StepKind::kTermErase).key = std::move(key); }

void Vm::post_history(uint64_t history, std::string detail, HistoryOrder order) {
  post<HistoryArgs>(StepKind::kHistory) = {history, std::move(detail), order};
}

bool Vm::perform_history(Pid pid, PendingOp& op, Reply&, StepResult&) {
  const HistoryArgs& args = op.as<HistoryArgs>();
  if (sink_) emit(op.kind, pid, -1, "H" + std::to_string(args.history) + " " + args.detail);
  return true;
}

bool Vm::perform_atomics(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const AtomicsArgs& args = op.as<AtomicsArgs>();
  const bool is_signed = atomics_.is_signed(args.array);
  auto atomic_detail = [&](const std::string& what) {
    return "A" + std::to_string(args.array) + "[" + std::to_string(args.index) + "] " + what;
  };
  auto num = [&](uint64_t v) {
    return is_signed ? std::to_string(static_cast<int64_t>(v)) : std::to_string(v);
  };
  const auto a = static_cast<uint64_t>(args.a);
  switch (op.kind) {
    case StepKind::kAtomicsGet: {
      const uint64_t v = atomics_.get(args.array, args.index);
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(v);
      reply.as_unsigned = !is_signed;
      if (sink_) emit(op.kind, pid, -1, atomic_detail("-> " + num(v)));
      break;
    }
    case StepKind::kAtomicsPut:
      atomics_.put(args.array, args.index, a);
      if (sink_) emit(op.kind, pid, -1, atomic_detail(":= " + num(a)));
      break;
    case StepKind::kAtomicsAdd: {
      const uint64_t v = atomics_.add_get(args.array, args.index, a);
      if (args.get_new) {
        reply.kind = Reply::Kind::kInt;
        reply.i = static_cast<int64_t>(v);
        reply.as_unsigned = !is_signed;
      }
      if (sink_) emit(op.kind, pid, -1, atomic_detail("+= " + std::to_string(args.a) + " -> " + num(v)));
      break;
    }
    case StepKind::kAtomicsExchange: {
      const uint64_t old = atomics_.exchange(args.array, args.index, a);
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(old);
      reply.as_unsigned = !is_signed;
      if (sink_) emit(op.kind, pid, -1, atomic_detail(":= " + num(a) + ", was " + num(old)));
      break;
    }
    case StepKind::kAtomicsCompareExchange: {
      const uint64_t old = atomics_.compare_exchange(args.array, args.index, a, static_cast<uint64_t>(args.b));
      reply.kind = Reply::Kind::kCas;
      reply.b = old == a;
      reply.i = static_cast<int64_t>(old);
      reply.as_unsigned = !is_signed;
      if (sink_) {
        emit(op.kind, pid, -1,
             atomic_detail("expected " + num(a) + ", was " + num(old) + (reply.b ? ": swapped" : ": unchanged")));
      }
      break;
    }
    default:
      break;
  }
  return true;
}

bool Vm::perform_term(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  TermArgs& args = op.as<TermArgs>();
  switch (op.kind) {
    case StepKind::kTermPut: {
      if (sink_) emit(op.kind, pid, -1, guest_.render(args.value));
      if (auto old = terms_.put(args.key, std::exchange(args.value, 0))) guest_.release(*old);
      break;
    }
    case StepKind::kTermGet: {
      auto v = terms_.get(args.key);
      const ValueRef fallback = std::exchange(args.value, 0);
      if (v) {
        reply.kind = Reply::Kind::kCopyOf;
        reply.value = *v;
        if (fallback) guest_.release(fallback);
      } else if (args.has_fallback) {
        reply.kind = Reply::Kind::kValue;
        reply.value = fallback;
      } else {
        reply.kind = Reply::Kind::kError;
        reply.error = "persistent_term.get: no term is stored under this key";
      }
      if (sink_) emit(op.kind, pid, -1, v ? guest_.render(*v) : "(missing)");
      break;
    }
    case StepKind::kTermErase: {
      auto old = terms_.erase(args.key);
      reply.kind = Reply::Kind::kBool;
      reply.b = old.has_value();
      if (old) guest_.release(*old);
      if (sink_) emit(op.kind, pid, -1, old ? "erased" : "(missing)");
      break;
    }
    default:
      break;
  }
  return true;
}

}  // namespace lockstep::vm

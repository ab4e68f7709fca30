// Shared state (SPEC 5.3): ETS tables, atomics, persistent terms, and
// ls.history recording; each call is one atomic step.
#include <algorithm>

#include "engine/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

// Shared-state operation kinds: what each pending operation touches (access) and
// what it does when its process is scheduled (perform).
void Vm::add_shared_ops(OpTable& table) {
  for (StepKind k : {StepKind::kEtsNew, StepKind::kEtsInsert, StepKind::kEtsInsertNew, StepKind::kEtsLookup, StepKind::kEtsLookupElement, StepKind::kEtsMember, StepKind::kEtsDelete, StepKind::kEtsDeleteTable, StepKind::kEtsTake, StepKind::kEtsUpdateCounter, StepKind::kEtsTab2List, StepKind::kEtsInfo, StepKind::kAtomicsGet, StepKind::kAtomicsPut, StepKind::kAtomicsAdd, StepKind::kAtomicsExchange, StepKind::kAtomicsCompareExchange, StepKind::kTermPut, StepKind::kTermGet, StepKind::kTermErase, StepKind::kHistory}) {
    table[static_cast<size_t>(k)] = {&Vm::access_shared, &Vm::perform_shared};
  }
}

void Vm::access_shared(Pid pid, const PendingOp& op, Op& out) const {
  switch (op.kind) {
    case StepKind::kAtomicsGet:
      out.object = object::atomic(op.ref, static_cast<uint64_t>(op.num));
      break;
    case StepKind::kAtomicsPut:
    case StepKind::kAtomicsAdd:
    case StepKind::kAtomicsExchange:
    case StepKind::kAtomicsCompareExchange:
      out.object = object::atomic(op.ref, static_cast<uint64_t>(op.num));
      out.writes = true;
      break;
    case StepKind::kTermGet:
      out.object = object::term(fnv1a(op.key));
      break;
    case StepKind::kHistory:
      out.object = object::history(op.ref);
      out.writes = true;
      break;
    case StepKind::kEtsNew:
      if (!op.ets.name.empty()) out.object = object::name(fnv1a("ets:" + op.ets.name));
      out.writes = true;
      break;
    case StepKind::kEtsInsert:
    case StepKind::kEtsInsertNew:
      // One row touches its key; several rows are one atomic write to the table.
      out.object = op.rows.size() == 1 ? object::table_key(static_cast<uint32_t>(op.ref), fnv1a(op.rows[0].key))
                                        : object::table(static_cast<uint32_t>(op.ref));
      out.writes = true;
      // Inserting a tuple the table may already hold changes nothing the
      // other order would not: two such inserts commute. (insert_new does
      // not: its result says which came first.) The value is a 64-bit hash
      // of the tuple's canonical bytes, there when a search asked for it.
      if (op.kind == StepKind::kEtsInsert && op.rows.size() == 1 && !op.rows[0].object.empty()) {
        out.value = fnv1a(op.rows[0].object) | 1;
      }
      break;
    case StepKind::kEtsDelete:
    case StepKind::kEtsTake:
    case StepKind::kEtsUpdateCounter:
      out.object = object::table_key(static_cast<uint32_t>(op.ref), fnv1a(op.key));
      out.writes = true;
      break;
    case StepKind::kEtsLookup:
    case StepKind::kEtsLookupElement:
    case StepKind::kEtsMember:
      out.object = object::table_key(static_cast<uint32_t>(op.ref), fnv1a(op.key));
      break;
    case StepKind::kEtsTab2List:
    case StepKind::kEtsInfo:
      out.object = object::table(static_cast<uint32_t>(op.ref));
      break;
    case StepKind::kEtsDeleteTable:
      out.object = object::table(static_cast<uint32_t>(op.ref));
      out.writes = true;
      break;
    case StepKind::kTermPut:
    case StepKind::kTermErase:
      out.object = object::term(fnv1a(op.key));
      out.writes = true;
      break;
    default:
      break;
  }
}

bool Vm::perform_shared(Pid pid, PendingOp& op, Reply& reply, StepResult& result) {
  perform_shared_op(pid, op, reply);
  return true;
}

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

void Vm::read_ets(StepKind kind, uint32_t id, const std::string& key, int64_t pos, Reply& reply) const {
  switch (kind) {
    case StepKind::kEtsLookup:
    case StepKind::kEtsLookupElement: {
      const std::vector<EtsRow>* rows = ets_.find(id, key);
      if (kind == StepKind::kEtsLookupElement && !rows) {
        reply.kind = Reply::Kind::kError;
        reply.error = "ets.lookup_element: no row has this key";
        return;
      }
      reply.kind = kind == StepKind::kEtsLookup ? Reply::Kind::kList : Reply::Kind::kElement;
      reply.i = pos;
      reply.as_list = ets_.options(id).type == Ets::Type::kBag || ets_.options(id).type == Ets::Type::kDuplicateBag;
      if (rows) {
        for (const EtsRow& r : *rows) reply.values.push_back(r.value);
      }
      break;
    }
    case StepKind::kEtsMember:
      reply.kind = Reply::Kind::kBool;
      reply.b = ets_.find(id, key) != nullptr;
      break;
    case StepKind::kEtsTab2List:
      reply.kind = Reply::Kind::kList;
      ets_.list(id, reply.values);
      break;
    case StepKind::kEtsInfo:
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(ets_.size(id));
      break;
    default:
      reply.kind = Reply::Kind::kError;
      reply.error = std::string(step_kind_name(kind)) + " does not read a table";
  }
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
    case StepKind::kEtsLookupElement:
    case StepKind::kEtsMember:
    case StepKind::kEtsTab2List:
    case StepKind::kEtsInfo:
      read_ets(op.kind, id, op.key, op.a, reply);
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

void Vm::perform_shared_op(Pid pid, PendingOp& op, Reply& reply) {
  if (op.kind == StepKind::kHistory) {
    if (sink_) emit(op.kind, pid, -1, "H" + std::to_string(op.ref) + " " + op.key);
    return;
  }
  if (op.kind == StepKind::kEtsNew) {
    auto id = ets_.create(pid, op.ets);
    if (id) table_names_.push_back(name_by(pid));
    if (sink_) emit(op.kind, pid, -1, "\"" + op.ets.label + "\"" + (id ? " -> T" + std::to_string(*id) : " (name taken)"));
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

}  // namespace lockstep::vm

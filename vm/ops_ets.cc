// ETS operations (SPEC 5.3, 5.9; the tables themselves: vm/ets.h). Each
// call is one atomic step. Race rules: a step on one key touches that key;
// a step on the whole table (tab2list, info, first, next, delete_table, a
// multi-row insert) touches the table, which overlaps every key of it.
//
// A new operation is a row in add_ets_ops, its access case, its perform
// function and its binding (lua/api_ets.cc).
#include <algorithm>
#include <utility>

#include "engine/base/hash.h"
#include "vm/vm.h"

namespace lockstep::vm {

void Vm::add_ets_ops(OpTable& table) {
  auto row = [&table](StepKind k, auto perform) { table[static_cast<size_t>(k)] = {&Vm::access_ets, perform}; };
  row(StepKind::kEtsNew, &Vm::perform_ets_new);
  row(StepKind::kEtsInsert, &Vm::perform_ets_insert);
  row(StepKind::kEtsInsertNew, &Vm::perform_ets_insert);
  for (StepKind k : {StepKind::kEtsLookup, StepKind::kEtsLookupElement, StepKind::kEtsMember, StepKind::kEtsTab2List,
                     StepKind::kEtsInfo, StepKind::kEtsFirst, StepKind::kEtsNext}) {
    row(k, &Vm::perform_ets_read);
  }
  row(StepKind::kEtsDelete, &Vm::perform_ets_delete);
  row(StepKind::kEtsTake, &Vm::perform_ets_delete);
  row(StepKind::kEtsDeleteTable, &Vm::perform_ets_delete_table);
  row(StepKind::kEtsUpdateCounter, &Vm::perform_ets_update_counter);
  row(StepKind::kEtsUpdateElement, &Vm::perform_ets_update_element);
}

void Vm::access_ets(Pid pid, const PendingOp& op, Op& out) const {
  if (op.kind == StepKind::kEtsNew) {
    const std::string& name = op.as<EtsNewArgs>().options.name;
    if (!name.empty()) out.object = object::name(fnv1a("ets:" + name));
    out.writes = true;
    return;
  }
  const EtsArgs& args = op.as<EtsArgs>();
  const auto key = [&](const std::string& k) { return object::table_key(args.table, fnv1a(k)); };
  switch (op.kind) {
    case StepKind::kEtsInsert:
    case StepKind::kEtsInsertNew:
      // One row touches its key; several rows are one atomic write to the table.
      out.object = args.rows.size() == 1 ? key(args.rows[0].key) : object::table(args.table);
      out.writes = true;
      // Inserting a tuple the table may already hold changes nothing the
      // other order would not: two such inserts commute. (insert_new does
      // not: its result says which came first.) The value is a 64-bit hash
      // of the tuple's canonical bytes, there when a search asked for it.
      if (op.kind == StepKind::kEtsInsert && args.rows.size() == 1 && !args.rows[0].object.empty()) {
        out.value = fnv1a(args.rows[0].object) | 1;
      }
      break;
    case StepKind::kEtsDelete:
    case StepKind::kEtsTake:
    case StepKind::kEtsUpdateCounter:
    case StepKind::kEtsUpdateElement:
      out.object = key(args.key);
      out.writes = true;
      break;
    case StepKind::kEtsLookup:
    case StepKind::kEtsLookupElement:
    case StepKind::kEtsMember:
      out.object = key(args.key);
      break;
    case StepKind::kEtsTab2List:
    case StepKind::kEtsInfo:
    case StepKind::kEtsFirst:
    case StepKind::kEtsNext:  // the answer depends on the table's whole key set
      out.object = object::table(args.table);
      break;
    case StepKind::kEtsDeleteTable:
      out.object = object::table(args.table);
      out.writes = true;
      break;
    default:
      break;
  }
}

void Vm::post_ets_new(Ets::Options options) { post<EtsNewArgs>(StepKind::kEtsNew).options = std::move(options); }

EtsArgs& Vm::post_ets(StepKind kind, uint32_t table) {
  EtsArgs& args = post<EtsArgs>(kind);
  args.table = table;
  return args;
}

void Vm::post_ets(StepKind kind, uint32_t table, std::string key, std::vector<EtsRow> rows, int64_t pos, int64_t incr,
                  ValueRef value) {
  EtsArgs& args = post_ets(kind, table);
  args.key = std::move(key);
  args.rows = std::move(rows);
  args.pos = pos;
  args.incr = incr;
  args.value = value;
}

void Vm::release_all(std::vector<ValueRef>& values) {
  for (ValueRef v : values) guest_.release(v);
  values.clear();
}

bool Vm::perform_ets_new(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  const Ets::Options& options = op.as<EtsNewArgs>().options;
  auto id = ets_.create(pid, options);
  if (id) table_origins_.push_back(origin_by(pid));
  if (sink_) emit(op.kind, pid, -1, "\"" + options.label + "\"" + (id ? " -> T" + std::to_string(*id) : " (name taken)"));
  if (!id) {
    reply.kind = Reply::Kind::kError;
    reply.error = "ets.new: a table named \"" + options.name + "\" already exists";
  } else {
    reply.kind = Reply::Kind::kTable;
    reply.u = *id;
  }
  return true;
}

// What every step on an existing table does first: records it, and checks
// the caller's access (false: the step failed with `reply`'s error).
bool Vm::begin_ets(Pid pid, PendingOp& op, Reply& reply) {
  EtsArgs& args = op.as<EtsArgs>();
  const bool writes = !(op.kind == StepKind::kEtsLookup || op.kind == StepKind::kEtsLookupElement ||
                        op.kind == StepKind::kEtsMember || op.kind == StepKind::kEtsTab2List ||
                        op.kind == StepKind::kEtsInfo || op.kind == StepKind::kEtsFirst ||
                        op.kind == StepKind::kEtsNext);
  const std::string denied = ets_.check(args.table, pid, writes);
  if (sink_) {
    std::string detail = "T" + std::to_string(args.table);
    if (!args.rows.empty()) {
      detail += " " + guest_.render(args.rows[0].value);
      if (args.rows.size() > 1) detail += " (+" + std::to_string(args.rows.size() - 1) + " more)";
    }
    if (!denied.empty()) detail += "  (" + denied + ")";
    emit(op.kind, pid, -1, std::move(detail));
  }
  if (denied.empty()) return true;
  ets_error(op, reply, denied);
  return false;
}

void Vm::ets_error(PendingOp& op, Reply& reply, const std::string& why) {
  reply.kind = Reply::Kind::kError;
  reply.error = std::string(step_kind_name(op.kind)) + ": " + why;
  op.release(guest_);
}

bool Vm::perform_ets_insert(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  EtsArgs& args = op.as<EtsArgs>();
  reply.kind = Reply::Kind::kBool;
  if (op.kind == StepKind::kEtsInsert) {
    ets_.insert(args.table, args.rows, released_);
    release_all(released_);
    reply.b = true;
  } else {
    reply.b = ets_.insert_new(args.table, args.rows);
  }
  op.release(guest_);  // what the table did not take
  return true;
}

bool Vm::perform_ets_read(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  const EtsArgs& args = op.as<EtsArgs>();
  read_ets(op.kind, args.table, args.key, args.pos, reply);
  return true;
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
      if (ets_.ordered_by_ids(id)) read_ids();
      ets_.list(id, reply.values);
      break;
    case StepKind::kEtsInfo:
      reply.kind = Reply::Kind::kInt;
      reply.i = static_cast<int64_t>(ets_.size(id));
      break;
    case StepKind::kEtsFirst:
    case StepKind::kEtsNext:
      // The key element of the next row (a copy), or nil at the end.
      if (ets_.ordered_by_ids(id)) read_ids();
      if (const EtsRow* row = ets_.next_row(id, kind == StepKind::kEtsNext ? &key : nullptr)) {
        reply.kind = Reply::Kind::kElement;
        reply.i = ets_.options(id).keypos;
        reply.values.push_back(row->value);
      } else {
        reply.kind = Reply::Kind::kNil;
      }
      break;
    default:
      reply.kind = Reply::Kind::kError;
      reply.error = std::string(step_kind_name(kind)) + " does not read a table";
  }
}

bool Vm::perform_ets_delete(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  const EtsArgs& args = op.as<EtsArgs>();
  if (op.kind == StepKind::kEtsTake) {
    reply.kind = Reply::Kind::kList;
    reply.owned = true;
    ets_.erase(args.table, args.key, reply.values);
    return true;
  }
  ets_.erase(args.table, args.key, released_);
  release_all(released_);
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

bool Vm::perform_ets_delete_table(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  ets_.drop(op.as<EtsArgs>().table, released_);
  release_all(released_);
  reply.kind = Reply::Kind::kBool;
  reply.b = true;
  return true;
}

bool Vm::perform_ets_update_counter(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  EtsArgs& args = op.as<EtsArgs>();
  const Ets::Type type = ets_.options(args.table).type;
  if (type == Ets::Type::kBag || type == Ets::Type::kDuplicateBag) {
    ets_error(op, reply, "update_counter works on set and ordered_set tables only");
    return true;
  }
  if (!ets_.find(args.table, args.key)) {
    if (!args.value) {
      ets_error(op, reply, "no row has this key, and no default was given");
      return true;
    }
    std::vector<EtsRow> rows(1);
    rows[0].key = args.key;
    rows[0].value = std::exchange(args.value, 0);
    ets_.insert(args.table, rows, released_);
    release_all(released_);
  }
  op.release(guest_);  // the default, when the key was there
  const ValueRef row = ets_.find(args.table, args.key)->front().value;
  int64_t current = 0;
  if (!guest_.tuple_integer(row, args.pos, current)) {
    ets_error(op, reply, "element " + std::to_string(args.pos) + " of the row is not an integer");
    return true;
  }
  const auto updated = static_cast<int64_t>(static_cast<uint64_t>(current) + static_cast<uint64_t>(args.incr));
  guest_.set_tuple_integer(row, args.pos, updated);
  reply.kind = Reply::Kind::kInt;
  reply.i = updated;
  return true;
}

// update_element(t, key, {pos, value} | {{pos, value}, ...}): as Erlang's,
// all or nothing; false when no row has the key; an error (Erlang's badarg)
// on a bag, or for a position past the tuple's end (the binding refuses
// the key's position and positions below 1).
bool Vm::perform_ets_update_element(Pid pid, PendingOp& op, Reply& reply, StepResult&) {
  if (!begin_ets(pid, op, reply)) return true;
  EtsArgs& args = op.as<EtsArgs>();
  const Ets::Type type = ets_.options(args.table).type;
  if (type == Ets::Type::kBag || type == Ets::Type::kDuplicateBag) {
    ets_error(op, reply, "update_element works on set and ordered_set tables only");
    return true;
  }
  const std::vector<EtsRow>* rows = ets_.find(args.table, args.key);
  reply.kind = Reply::Kind::kBool;
  reply.b = rows != nullptr;
  if (!rows) {
    op.release(guest_);
    return true;
  }
  const ValueRef row = rows->front().value;
  const int64_t size = guest_.tuple_size(row);
  for (const ElementWrite& e : args.elements) {
    if (e.pos > size) {
      ets_error(op, reply, "position " + std::to_string(e.pos) + " is past the row's " + std::to_string(size) +
                               " elements");
      return true;
    }
  }
  for (ElementWrite& e : args.elements) guest_.set_tuple_element(row, e.pos, std::exchange(e.value, 0));
  args.elements.clear();
  return true;
}

}  // namespace lockstep::vm

// Releasing and hashing each kind's arguments (vm/pending_op.h).
#include "vm/pending_op.h"

#include <utility>

#include "vm/vm.h"

namespace lockstep::vm {

namespace {

void drop(Guest& g, ValueRef& v) {
  if (v) g.release(v);
  v = 0;
}

void drop(Guest& g, Reason& r) {
  if (r.kind == ReasonKind::kValue && r.value) g.release(r.value);
  r = {};
}

void hash_dest(const OpHashing& o, const Dest& d) {
  if (d.name) {
    o.h.tag(1).bytes(o.names[d.name]);
  } else {
    o.h.tag(2).pid(d.pid);
  }
  o.h.u64(d.node);
}

void hash_names(const OpHashing& o, const std::vector<NameId>& names) {
  o.h.u64(names.size());
  for (NameId n : names) o.h.bytes(o.names[n]);
}

}  // namespace

void OpHashing::reason(const Reason& r) const {
  h.u64(static_cast<uint64_t>(r.kind));
  if (r.kind == ReasonKind::kValue) values.hash_value(r.value, h);
}

void OpHashing::value(ValueRef v) const {
  if (v) {
    values.hash_value(v, h);
  } else {
    h.tag(0);
  }
}

void StartArgs::release(Guest& g) { drop(g, body); }

void SpawnArgs::release(Guest& g) { drop(g, body); }
void SpawnArgs::hash(const OpHashing& o) const {
  o.value(body);
  o.h.u64(static_cast<uint64_t>(mode)).u64(node).bytes(o.names[name]);
}

void ExitArgs::release(Guest& g) { drop(g, reason); }

void SignalArgs::release(Guest& g) { drop(g, reason); }
void SignalArgs::hash(const OpHashing& o) const {
  o.h.pid(pid);
  o.reason(reason);
}

void SendArgs::release(Guest& g) { drop(g, msg); }
void SendArgs::hash(const OpHashing& o) const {
  hash_dest(o, dest);
  o.value(msg);
}

void ReceiveArgs::release(Guest& g) { drop(g, matcher); }
void ReceiveArgs::hash(const OpHashing& o) const {
  o.value(matcher);
  o.h.i64(timeout_ms);
}

void NameArgs::hash(const OpHashing& o) const { o.h.bytes(o.names[name]).pid(pid); }

void GlobalSendArgs::release(Guest& g) { drop(g, msg); }
void GlobalSendArgs::hash(const OpHashing& o) const {
  o.h.bytes(o.names[name]);
  o.value(msg);
}

void SendAfterArgs::release(Guest& g) { drop(g, msg); }
void SendAfterArgs::hash(const OpHashing& o) const {
  hash_dest(o, dest);
  o.value(msg);
  o.h.i64(ms);
}

void AtomicsArgs::hash(const OpHashing& o) const {
  o.h.atomics(array).i64(index).i64(a).i64(b).boolean(get_new);
}

void TermArgs::release(Guest& g) { drop(g, value); }
void TermArgs::hash(const OpHashing& o) const {
  o.key(key);
  o.value(value);
  o.h.boolean(has_fallback);
}

void EtsNewArgs::hash(const OpHashing& o) const {
  o.h.u64(static_cast<uint64_t>(options.type)).u64(static_cast<uint64_t>(options.access)).i64(options.keypos);
  o.h.bytes(options.name);
}

void EtsArgs::release(Guest& g) {
  for (EtsRow& r : rows) drop(g, r.value);
  rows.clear();
  for (ElementWrite& e : elements) drop(g, e.value);
  elements.clear();
  drop(g, value);
}
void EtsArgs::hash(const OpHashing& o) const {
  o.h.table(table);
  o.key(key);
  o.h.i64(pos).i64(incr);
  o.value(value);
  o.h.u64(rows.size());
  for (const EtsRow& row : rows) {
    o.key(row.key);
    o.value(row.value);
  }
  o.h.u64(elements.size());
  for (const ElementWrite& e : elements) {
    o.h.i64(e.pos);
    o.value(e.value);
  }
}

void NodesArgs::release(Guest& g) {
  for (ValueRef& v : boots) {
    if (v) g.release(std::exchange(v, 0));
  }
}

void NodesArgs::hash(const OpHashing& o) const {
  hash_names(o, nodes);
  for (ValueRef v : boots) o.value(v);
}

void CutArgs::hash(const OpHashing& o) const {
  hash_names(o, a);
  hash_names(o, b);
  o.h.u64(static_cast<uint64_t>(mode)).boolean(oneway);
}

void DiskArgs::release(Guest& g) { drop(g, value); }
void DiskArgs::hash(const OpHashing& o) const {
  o.key(key);
  o.value(value);
  o.h.boolean(has_fallback);
}

}  // namespace lockstep::vm

#include "vm/network.h"

namespace lockstep::vm {

void Network::reset(NameId main_name) {
  nodes.clear();
  nodes.emplace_back().name = main_name;
  cuts.clear();
  flights.clear();
  flights.emplace_back();   // delivery id 0 is "none"
  channels.clear();
  channels.emplace_back();  // channel id 0 is "none"
  channel_ids.clear();
  name_channel_ids.clear();
}

namespace {

void hash_reason(StateHasher& h, ValueHasher& values, const Reason& r) {
  h.u64(static_cast<uint64_t>(r.kind));
  if (r.kind == ReasonKind::kValue) values.hash_value(r.value, h);
}

}  // namespace

void Network::hash(StateHasher& h, ValueHasher& values, const Names& names) const {
  h.tag(0x6e0d).u64(nodes.size());
  for (const Node& n : nodes) {
    h.bytes(names[n.name]).boolean(n.up).boolean(n.crashed_by_fault);
    if (n.boot) values.hash_value(n.boot, h); else h.tag(0);
    h.u64(n.global.size());
    for (const auto& [name, pid] : n.global) h.bytes(names[name]).pid(pid);
    h.u64(n.disk.size());
    for (const auto& [key, value] : n.disk) {
      values.hash_key(key, h);
      values.hash_value(value, h);
    }
    h.u64(n.unsynced.size());
    for (const auto& [key, value] : n.unsynced) {
      values.hash_key(key, h);
      if (value) values.hash_value(value, h); else h.tag(0);
    }
    h.u64(n.fault_cuts.size());
    for (const auto& [from, to] : n.fault_cuts) h.u64(from).u64(to);
  }
  h.u64(cuts.size());
  for (Cut c : cuts) h.u64(static_cast<uint64_t>(c));
  // Each channel in order (what is in flight on it, oldest first), the
  // channels as a multiset named by their ends.
  StateHasher::Unordered set;
  for (const Channel& ch : channels) {
    if (!ch.head) continue;
    StateHasher e = h.element();
    for (uint32_t id = ch.head; id; id = flights[id].next) {
      const Flight& f = flights[id];
      e.u64(static_cast<uint64_t>(f.what)).pid(f.from).u64(f.from_node).u64(f.to_node);
      if (f.dest.name) {
        e.tag(1).bytes(names[f.dest.name]);
      } else {
        e.tag(2).pid(f.dest.pid);
      }
      if (f.what == Flight::What::kMessage) {
        values.hash_value(f.value, e);
      } else {
        hash_reason(e, values, f.reason);
        if (f.what == Flight::What::kDown) e.ref(f.ref);
      }
    }
    set.add(e.finish());
  }
  h.unordered(set);
}

std::string Network::describe(const Names& names) const {
  std::string out;
  for (NodeId n = 0; n < nodes.size(); ++n) {
    out += "node " + names[nodes[n].name] + (nodes[n].up ? " up" : " down") + (nodes[n].boot ? ", booted" : "") + ", " +
           std::to_string(nodes[n].disk.size()) + " keys on disk, " + std::to_string(nodes[n].unsynced.size()) +
           " unsynced\n";
  }
  size_t in_flight = 0;
  for (const Flight& f : flights) in_flight += f.live ? 1 : 0;
  out += std::to_string(in_flight) + " messages in flight\n";
  return out;
}

}  // namespace lockstep::vm

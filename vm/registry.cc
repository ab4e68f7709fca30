#include "vm/registry.h"

#include <algorithm>

namespace lockstep::vm {

void Names::reset() {
  names_.clear();
  ids_.clear();
  names_.emplace_back();  // NameId 0 is "none"
}

NameId Names::intern(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<NameId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

NameId Names::find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? 0 : it->second;
}

void Registry::reset() {
  for (auto& owners : owners_) owners.clear();
  owners_.resize(1);
}

void Registry::set_owner(NodeId node, NameId name, Pid pid) {
  if (node >= owners_.size()) owners_.resize(node + 1);
  std::vector<Pid>& owners = owners_[node];
  if (name >= owners.size()) owners.resize(std::max<size_t>(name + 1, owners.size() * 2), kNoPid);
  owners[name] = pid;
}

std::vector<NameId> Registry::registered(NodeId node, const Names& names) const {
  std::vector<NameId> out;
  if (node < owners_.size()) {
    for (NameId id = 1; id < owners_[node].size(); ++id) {
      if (owners_[node][id] != kNoPid) out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end(), [&](NameId a, NameId b) { return names[a] < names[b]; });
  return out;
}

void Registry::hash(StateHasher& h, const Names& names) const {
  StateHasher::Unordered set;
  for (NodeId node = 0; node < owners_.size(); ++node) {
    for (NameId id = 1; id < owners_[node].size(); ++id) {
      if (owners_[node][id] == kNoPid) continue;
      set.add(h.element().u64(node).bytes(names[id]).pid(owners_[node][id]).finish());
    }
  }
  h.tag(0x7e6).unordered(set);
}

std::string Registry::describe(const Names& names) const {
  std::string out;
  for (NodeId node = 0; node < owners_.size(); ++node) {
    for (NameId id : registered(node, names)) {
      out += "node " + std::to_string(node) + ": \"" + names[id] + "\" -> P" + std::to_string(owners_[node][id]) + "\n";
    }
  }
  return out;
}

}  // namespace lockstep::vm

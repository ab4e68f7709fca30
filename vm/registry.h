// Names: the interned strings the VM knows processes, nodes and cluster-
// wide names by (Names), and the local name registry of each node
// (Registry: which process holds which name). vm/ops_registry.cc holds the
// registry's operations (register, unregister, whereis, registered).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vm/state_hash.h"
#include "vm/timers.h"

namespace lockstep::vm {

class Names {
 public:
  Names() { reset(); }
  void reset();
  NameId intern(std::string_view name);
  // The id of `name`, or 0 if it was never interned.
  NameId find(std::string_view name) const;
  const std::string& operator[](NameId id) const { return names_[id]; }

 private:
  std::deque<std::string> names_;  // index = NameId (0 unused); stable addresses
  std::unordered_map<std::string_view, NameId> ids_;
};

class Registry {
 public:
  void reset();
  Pid owner(NodeId node, NameId name) const {
    return node < owners_.size() && name < owners_[node].size() ? owners_[node][name] : kNoPid;
  }
  void set_owner(NodeId node, NameId name, Pid pid);
  // The names registered on `node`, sorted by their text.
  std::vector<NameId> registered(NodeId node, const Names& names) const;
  // Every registration (node, name text, process), as a multiset.
  void hash(StateHasher& h, const Names& names) const;
  std::string describe(const Names& names) const;

 private:
  std::vector<std::vector<Pid>> owners_ = std::vector<std::vector<Pid>>(1);  // [node][name]
};

}  // namespace lockstep::vm

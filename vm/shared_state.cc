#include "vm/shared_state.h"

namespace lockstep::vm {

uint64_t Atomics::create(size_t n, bool is_signed) {
  arrays_.push_back({is_signed, std::vector<uint64_t>(n, 0)});
  return arrays_.size();
}

bool Atomics::valid(uint64_t id, int64_t index) const {
  return id >= 1 && id <= arrays_.size() && index >= 1 &&
         static_cast<uint64_t>(index) <= arrays_[id - 1].cells.size();
}

std::optional<ValueRef> PersistentTerms::put(const std::string& key, ValueRef value) {
  auto [it, inserted] = terms_.try_emplace(key, value);
  if (inserted) return std::nullopt;
  const ValueRef old = it->second;
  it->second = value;
  return old;
}

std::optional<ValueRef> PersistentTerms::get(const std::string& key) const {
  auto it = terms_.find(key);
  if (it == terms_.end()) return std::nullopt;
  return it->second;
}

std::optional<ValueRef> PersistentTerms::erase(const std::string& key) {
  auto it = terms_.find(key);
  if (it == terms_.end()) return std::nullopt;
  const ValueRef old = it->second;
  terms_.erase(it);
  return old;
}

}  // namespace lockstep::vm

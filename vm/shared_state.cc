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

void Atomics::hash(StateHasher& h) const {
  StateHasher::Unordered set;
  for (uint64_t id = 1; id <= arrays_.size(); ++id) {
    StateHasher e = h.element();
    e.atomics(id).boolean(arrays_[id - 1].is_signed).u64(arrays_[id - 1].cells.size());
    for (uint64_t cell : arrays_[id - 1].cells) e.u64(cell);
    set.add(e.finish());
  }
  h.tag(0xa70).unordered(set);
}

std::string Atomics::describe() const {
  std::string out;
  for (uint64_t id = 1; id <= arrays_.size(); ++id) {
    out += "atomics " + std::to_string(id) + ":";
    for (uint64_t cell : arrays_[id - 1].cells) out += " " + std::to_string(static_cast<int64_t>(cell));
    out += "\n";
  }
  return out;
}

void PersistentTerms::hash(StateHasher& h, ValueHasher& values) const {
  h.tag(0x7e4).u64(terms_.size());
  for (const auto& [key, value] : terms_) {
    values.hash_key(key, h);
    values.hash_value(value, h);
  }
}

}  // namespace lockstep::vm

#include "vm/ets.h"

#include <algorithm>

namespace lockstep::vm {

std::optional<uint32_t> Ets::create(TablePid owner, const Options& options) {
  if (!options.name.empty() && resolve(options.name) != 0) return std::nullopt;
  Table t;
  t.options = options;
  t.owner = owner;
  tables_.push_back(std::move(t));
  const auto id = static_cast<uint32_t>(tables_.size());
  if (!options.name.empty()) names_[options.name] = id;
  owned_[owner].push_back(id);
  return id;
}

uint32_t Ets::resolve(const std::string& name) const {
  auto it = names_.find(name);
  return it != names_.end() && alive(it->second) ? it->second : 0;
}

std::string Ets::check(uint32_t id, TablePid pid, bool write) const {
  if (!alive(id)) return "the table does not exist (it was deleted, or its owner exited)";
  const Table& t = tables_[id - 1];
  if (pid == t.owner) return {};
  switch (t.options.access) {
    case Access::kPublic: return {};
    case Access::kProtected:
      return write ? "the table is protected: only its owner P" + std::to_string(t.owner) + " may write it" : "";
    case Access::kPrivate:
      return "the table is private to its owner P" + std::to_string(t.owner);
  }
  return {};
}

bool key_handles(std::string_view key, std::vector<KeyHandle>& out) {
  out.clear();
  const auto at = [&](size_t i) { return static_cast<uint8_t>(key[i]); };
  size_t i = 0;
  const size_t n = key.size();
  while (i < n) {
    switch (at(i)) {
      case 0x10: i += 17; break;  // a number: two 8-byte words
      case 0x20:                  // a string: up to "\0\0" ("\0\xff" is an escaped NUL)
        for (++i;; ++i) {
          if (i + 1 >= n) return false;
          if (at(i) == 0 && at(i + 1) == 0) break;
          if (at(i) == 0) ++i;
        }
        i += 2;
        break;
      case 0x30: i += 2; break;  // a boolean
      case 0x40: {               // a handle: kind, 8-byte id
        if (i + kKeyHandleBytes > n) return false;
        uint64_t id = 0;
        for (size_t b = 0; b < 8; ++b) id = id << 8 | at(i + 2 + b);
        out.push_back({i, at(i + 1), id});
        i += kKeyHandleBytes;
        break;
      }
      case 0x50: case 0x01: case 0x00: ++i; break;  // a table's start, the end of its sequence part, its end
      case 0x60: i += 9; break;                      // another object: 8-byte order
      default: return false;
    }
  }
  return i == n;
}

bool key_has_handle(std::string_view key) {
  if (key.find('\x40') == std::string_view::npos) return false;
  thread_local std::vector<KeyHandle> handles;
  return key_handles(key, handles) && !handles.empty();
}

std::vector<EtsRow>* Ets::slot(Table& t, const std::string& key, bool create) {
  if (t.options.type == Type::kOrderedSet) {
    if (create) {
      auto [it, added] = t.ordered.try_emplace(key);
      if (added && key_has_handle(key)) ++t.handle_keys;
      return &it->second;
    }
    auto it = t.ordered.find(key);
    return it == t.ordered.end() ? nullptr : &it->second;
  }
  if (create) {
    auto [it, added] = t.hashed.try_emplace(key);
    if (added && key_has_handle(key)) ++t.handle_keys;
    return &it->second;
  }
  auto it = t.hashed.find(key);
  return it == t.hashed.end() ? nullptr : &it->second;
}

void Ets::insert(uint32_t id, std::vector<EtsRow>& rows, std::vector<ValueRef>& released) {
  Table& t = tables_[id - 1];
  for (EtsRow& row : rows) {
    std::vector<EtsRow>& s = *slot(t, row.key, true);
    switch (t.options.type) {
      case Type::kSet:
      case Type::kOrderedSet:
        if (!s.empty()) {
          released.push_back(s.front().value);
          s.clear();
          --t.size;
        }
        break;
      case Type::kBag: {
        auto same = std::find_if(s.begin(), s.end(), [&](const EtsRow& r) { return r.object == row.object; });
        if (same != s.end()) {  // identical objects are stored once
          released.push_back(row.value);
          row.value = 0;
          continue;
        }
        break;
      }
      case Type::kDuplicateBag:
        break;
    }
    s.push_back(std::move(row));
    ++t.size;
  }
  rows.clear();
}

bool Ets::insert_new(uint32_t id, std::vector<EtsRow>& rows) {
  Table& t = tables_[id - 1];
  for (const EtsRow& row : rows) {
    const std::vector<EtsRow>* s = slot(t, row.key, false);
    if (s && !s->empty()) return false;
  }
  std::vector<ValueRef> none;
  insert(id, rows, none);
  return true;
}

const std::vector<EtsRow>* Ets::find(uint32_t id, const std::string& key) const {
  Table& t = const_cast<Table&>(tables_[id - 1]);
  const std::vector<EtsRow>* s = const_cast<Ets*>(this)->slot(t, key, false);
  return s && !s->empty() ? s : nullptr;
}

void Ets::erase(uint32_t id, const std::string& key, std::vector<ValueRef>& out) {
  Table& t = tables_[id - 1];
  std::vector<EtsRow>* s = slot(t, key, false);
  if (!s) return;
  for (const EtsRow& r : *s) out.push_back(r.value);
  t.size -= s->size();
  if (key_has_handle(key)) --t.handle_keys;
  if (t.options.type == Type::kOrderedSet) t.ordered.erase(key);
  else t.hashed.erase(key);
}

void Ets::list(uint32_t id, std::vector<ValueRef>& out) const {
  const Table& t = tables_[id - 1];
  out.reserve(out.size() + t.size);
  if (t.options.type == Type::kOrderedSet) {
    for (const auto& [k, rows] : t.ordered) {
      for (const EtsRow& r : rows) out.push_back(r.value);
    }
    return;
  }
  std::vector<const std::pair<const std::string, std::vector<EtsRow>>*> entries;
  entries.reserve(t.hashed.size());
  for (const auto& e : t.hashed) entries.push_back(&e);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (auto* e : entries) {
    for (const EtsRow& r : e->second) out.push_back(r.value);
  }
}

const EtsRow* Ets::next_row(uint32_t id, const std::string* after) const {
  const Table& t = tables_[id - 1];
  if (t.options.type == Type::kOrderedSet) {
    auto it = after ? t.ordered.upper_bound(*after) : t.ordered.begin();
    while (it != t.ordered.end() && it->second.empty()) ++it;
    return it == t.ordered.end() ? nullptr : &it->second.front();
  }
  const std::pair<const std::string, std::vector<EtsRow>>* best = nullptr;
  for (const auto& e : t.hashed) {
    if (e.second.empty() || (after && e.first <= *after)) continue;
    if (!best || e.first < best->first) best = &e;
  }
  return best ? &best->second.front() : nullptr;
}

void Ets::drop(uint32_t id, std::vector<ValueRef>& released) {
  Table& t = tables_[id - 1];
  if (!t.alive) return;
  list(id, released);
  t.ordered.clear();
  t.hashed.clear();
  t.size = 0;
  t.alive = false;
  if (!t.options.name.empty()) {
    auto it = names_.find(t.options.name);
    if (it != names_.end() && it->second == id) names_.erase(it);
  }
}

void Ets::drop_owned(TablePid owner, std::vector<ValueRef>& released) {
  auto it = owned_.find(owner);
  if (it == owned_.end()) return;
  for (uint32_t id : it->second) drop(id, released);
  owned_.erase(it);
}

// Keys as a multiset: their order is their bytes' (a key holding a
// handle is named, not numbered, and reading rows in an order that follows
// the numbering is Vm::read_ids), rows under one key in insertion order.
void Ets::hash(StateHasher& h, ValueHasher& values) const {
  StateHasher::Unordered set;
  for (uint32_t id = 1; id <= tables_.size(); ++id) {
    const Table& t = tables_[id - 1];
    if (!t.alive) continue;
    StateHasher e = h.element();
    e.table(id).u64(static_cast<uint64_t>(t.options.type)).u64(static_cast<uint64_t>(t.options.access));
    e.i64(t.options.keypos).bytes(t.options.name).pid(t.owner).u64(t.size);
    StateHasher::Unordered keys;
    auto add = [&](const std::string& key, const std::vector<EtsRow>& rows) {
      StateHasher k = e.element();
      values.hash_key(key, k);
      k.u64(rows.size());
      for (const EtsRow& row : rows) values.hash_value(row.value, k);
      keys.add(k.finish());
    };
    for (const auto& [key, rows] : t.ordered) add(key, rows);
    for (const auto& [key, rows] : t.hashed) add(key, rows);
    e.unordered(keys);
    set.add(e.finish());
  }
  h.tag(0xe75).unordered(set);
}

std::string Ets::describe() const {
  std::string out;
  for (uint32_t id = 1; id <= tables_.size(); ++id) {
    const Table& t = tables_[id - 1];
    if (!t.alive) continue;
    out += "table " + std::to_string(id) + (t.options.label.empty() ? "" : " (" + t.options.label + ")") +
           " of P" + std::to_string(t.owner) + ": " + std::to_string(t.size) + " objects\n";
  }
  return out;
}

}  // namespace lockstep::vm

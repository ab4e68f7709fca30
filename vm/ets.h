// ETS-like tables (SPEC 5.3, 5.9): set, ordered_set, bag, duplicate_bag;
// public / protected / private access; named tables; deletion when the
// owner exits. Rows are guest values (tuples) held by ValueRef; keys are
// canonical byte strings whose byte order is the key order, so ordered_set
// is a std::map and tab2list of a hashed table is one sort.
//
// Costs: set/bag operations O(1) on average, ordered_set O(log n);
// tab2list is the only operation that touches every row.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vm/state_hash.h"

namespace lockstep::vm {

using TablePid = uint32_t;

// Keys are canonical byte strings (the guest encodes them: lua/values.cc,
// encode_key) whose byte order is the key order: a number is 0x10 and 16
// bytes, a string 0x20 and its bytes to "\0\0" ("\0\xff" is a NUL in
// it), a boolean 0x30 and a byte, a handle 0x40, its kind and its 8-byte
// id, a table 0x50, its sequence, 0x01, its other keys and values, 0x00,
// and any other object 0x60 and 8 bytes. A handle inside a key:
struct KeyHandle {
  size_t offset;   // of its 0x40
  uint8_t kind;    // the guest's handle kind
  uint64_t id;
};
inline constexpr size_t kKeyHandleBytes = 10;
// The handles inside `key`, in order; false if it is not such a string.
bool key_handles(std::string_view key, std::vector<KeyHandle>& out);
// Whether `key` holds a handle (a quick test first: no 0x40 byte, none).
bool key_has_handle(std::string_view key);

struct EtsRow {
  std::string key;     // canonical bytes of the key element
  std::string object;  // canonical bytes of the whole tuple (bag duplicate check)
  ValueRef value = 0;  // the stored copy
};

class Ets {
 public:
  enum class Type : uint8_t { kSet, kOrderedSet, kBag, kDuplicateBag };
  enum class Access : uint8_t { kPublic, kProtected, kPrivate };

  struct Options {
    Type type = Type::kSet;
    Access access = Access::kProtected;
    int keypos = 1;
    std::string name;   // empty: unnamed
    std::string label;  // the name the scenario gave, named or not (for reports)
  };

  // Creates a table owned by `owner`; empty optional if the name is taken.
  std::optional<uint32_t> create(TablePid owner, const Options& options);
  // The id of a live table by name, or of `id` if it is live; 0 if none.
  uint32_t resolve(const std::string& name) const;
  bool alive(uint32_t id) const { return id >= 1 && id <= tables_.size() && tables_[id - 1].alive; }
  const Options& options(uint32_t id) const { return tables_[id - 1].options; }
  TablePid owner(uint32_t id) const { return tables_[id - 1].owner; }

  // Access rules: an empty string if `pid` may read (or write) the table,
  // else the error to raise.
  std::string check(uint32_t id, TablePid pid, bool write) const;

  // Inserts rows atomically; the replaced values are appended to `released`.
  void insert(uint32_t id, std::vector<EtsRow>& rows, std::vector<ValueRef>& released);
  // Inserts only if no row's key is present; false (and nothing changes) otherwise.
  bool insert_new(uint32_t id, std::vector<EtsRow>& rows);
  // The values stored under `key`, in insertion order (empty if none).
  const std::vector<EtsRow>* find(uint32_t id, const std::string& key) const;
  // Removes the rows under `key`, appending their values to `out`.
  void erase(uint32_t id, const std::string& key, std::vector<ValueRef>& out);
  // Every value, in key order (insertion order within a key).
  void list(uint32_t id, std::vector<ValueRef>& out) const;
  size_t size(uint32_t id) const { return tables_[id - 1].size; }
  // The first row under the smallest key greater than `*after` in key order
  // (the smallest key when `after` is null), or null past the last key.
  // ordered_set O(log n); the other types walk every key, O(n).
  const EtsRow* next_row(uint32_t id, const std::string* after) const;
  // Whether the key order of table `id` may follow how handles are
  // numbered (two keys hold handles): reading rows in that order reads
  // the numbering (Vm::read_ids).
  bool ordered_by_ids(uint32_t id) const { return tables_[id - 1].handle_keys >= 2; }
  // Deletes the table, appending its values to `released`.
  void drop(uint32_t id, std::vector<ValueRef>& released);
  // Deletes every table `owner` owns.
  void drop_owned(TablePid owner, std::vector<ValueRef>& released);
  // Every live table: its name, options, owner and rows (keys in order;
  // a bag's rows under one key in insertion order), as a multiset of
  // tables named through the hasher's naming.
  void hash(StateHasher& h, ValueHasher& values) const;
  std::string describe() const;  // one line per live table
  // The live tables `owner` owns (what its exit deletes), in creation order.
  template <class F>
  void for_each_owned(TablePid owner, F&& f) const {
    auto it = owned_.find(owner);
    if (it == owned_.end()) return;
    for (uint32_t id : it->second) {
      if (alive(id)) f(id);
    }
  }

 private:
  struct Table {
    bool alive = true;
    Options options;
    TablePid owner = 0;
    size_t size = 0;
    uint32_t handle_keys = 0;  // keys with a handle inside (key_has_handle)
    std::map<std::string, std::vector<EtsRow>> ordered;            // ordered_set
    std::unordered_map<std::string, std::vector<EtsRow>> hashed;  // the other types
  };
  std::vector<EtsRow>* slot(Table& t, const std::string& key, bool create);
  std::vector<Table> tables_;
  std::unordered_map<std::string, uint32_t> names_;
  std::unordered_map<TablePid, std::vector<uint32_t>> owned_;  // so an exit does not scan every table
};

}  // namespace lockstep::vm

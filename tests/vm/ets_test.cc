// The ETS store: types, ordering, access rules, ownership.
#include "vm/ets.h"

#include <gtest/gtest.h>

namespace lockstep::vm {
namespace {

// Keys here are plain strings; their byte order is the order tab2list uses.
std::vector<EtsRow> rows(std::vector<std::pair<std::string, ValueRef>> kv) {
  std::vector<EtsRow> out;
  for (auto& [k, v] : kv) out.push_back({k, k + std::to_string(v), v});
  return out;
}

Ets::Options of(Ets::Type type, Ets::Access access = Ets::Access::kProtected) {
  Ets::Options o;
  o.type = type;
  o.access = access;
  return o;
}

TEST(Ets, SetReplacesAndReleasesTheOldRow) {
  Ets ets;
  const uint32_t t = *ets.create(1, of(Ets::Type::kSet));
  std::vector<ValueRef> released;
  auto r = rows({{"a", 1}});
  ets.insert(t, r, released);
  r = rows({{"a", 2}});
  ets.insert(t, r, released);
  ASSERT_EQ(released, std::vector<ValueRef>{1});
  EXPECT_EQ(ets.find(t, "a")->front().value, 2u);
  EXPECT_EQ(ets.size(t), 1u);
}

TEST(Ets, BagKeepsDistinctObjectsDuplicateBagKeepsAll) {
  Ets ets;
  const uint32_t bag = *ets.create(1, of(Ets::Type::kBag));
  const uint32_t dup = *ets.create(1, of(Ets::Type::kDuplicateBag));
  std::vector<ValueRef> released;
  for (uint32_t t : {bag, dup}) {
    std::vector<EtsRow> r = {{"k", "same", 1}, {"k", "same", 2}, {"k", "other", 3}};
    ets.insert(t, r, released);
  }
  EXPECT_EQ(ets.find(bag, "k")->size(), 2u);
  EXPECT_EQ(released, std::vector<ValueRef>{2});  // the identical object was not stored
  EXPECT_EQ(ets.find(dup, "k")->size(), 3u);
}

TEST(Ets, ListIsInKeyOrderForEveryType) {
  for (auto type : {Ets::Type::kSet, Ets::Type::kOrderedSet, Ets::Type::kBag, Ets::Type::kDuplicateBag}) {
    Ets ets;
    const uint32_t t = *ets.create(1, of(type));
    std::vector<ValueRef> released;
    auto r = rows({{"c", 3}, {"a", 1}, {"d", 4}, {"b", 2}});
    ets.insert(t, r, released);
    std::vector<ValueRef> out;
    ets.list(t, out);
    EXPECT_EQ(out, (std::vector<ValueRef>{1, 2, 3, 4}));
  }
}

TEST(Ets, NextRowWalksKeysInOrderForEveryType) {
  for (auto type : {Ets::Type::kSet, Ets::Type::kOrderedSet, Ets::Type::kBag, Ets::Type::kDuplicateBag}) {
    Ets ets;
    const uint32_t t = *ets.create(1, of(type));
    EXPECT_EQ(ets.next_row(t, nullptr), nullptr);
    std::vector<ValueRef> released;
    auto r = rows({{"c", 3}, {"a", 1}, {"d", 4}, {"b", 2}, {"a", 5}});
    ets.insert(t, r, released);
    std::vector<std::string> keys;
    for (const EtsRow* row = ets.next_row(t, nullptr); row; row = ets.next_row(t, &row->key)) keys.push_back(row->key);
    EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d"}));
    const std::string between = "bb", last = "d";
    EXPECT_EQ(ets.next_row(t, &between)->key, "c");
    EXPECT_EQ(ets.next_row(t, &last), nullptr);
    std::vector<ValueRef> taken;
    ets.erase(t, "a", taken);
    EXPECT_EQ(ets.next_row(t, nullptr)->key, "b");
  }
}

TEST(Ets, InsertNewIsAllOrNothing) {
  Ets ets;
  const uint32_t t = *ets.create(1, of(Ets::Type::kSet));
  std::vector<ValueRef> released;
  auto r = rows({{"a", 1}});
  ets.insert(t, r, released);
  auto clash = rows({{"b", 2}, {"a", 3}});
  EXPECT_FALSE(ets.insert_new(t, clash));
  EXPECT_EQ(ets.find(t, "b"), nullptr);
  auto fresh = rows({{"b", 2}, {"c", 3}});
  EXPECT_TRUE(ets.insert_new(t, fresh));
  EXPECT_EQ(ets.size(t), 3u);
}

TEST(Ets, AccessRules) {
  Ets ets;
  const uint32_t prot = *ets.create(1, of(Ets::Type::kSet, Ets::Access::kProtected));
  const uint32_t priv = *ets.create(1, of(Ets::Type::kSet, Ets::Access::kPrivate));
  const uint32_t pub = *ets.create(1, of(Ets::Type::kSet, Ets::Access::kPublic));
  EXPECT_EQ(ets.check(prot, 1, true), "");
  EXPECT_EQ(ets.check(prot, 2, false), "");
  EXPECT_NE(ets.check(prot, 2, true), "");
  EXPECT_NE(ets.check(priv, 2, false), "");
  EXPECT_EQ(ets.check(pub, 2, true), "");
}

TEST(Ets, NamedTablesAndOwnerDeath) {
  Ets ets;
  Ets::Options o = of(Ets::Type::kSet);
  o.name = "cache";
  const uint32_t t = *ets.create(7, o);
  EXPECT_EQ(ets.resolve("cache"), t);
  EXPECT_FALSE(ets.create(8, o).has_value());  // the name is taken
  std::vector<ValueRef> released;
  auto r = rows({{"a", 1}, {"b", 2}});
  ets.insert(t, r, released);
  ets.drop_owned(7, released);
  EXPECT_FALSE(ets.alive(t));
  EXPECT_EQ(ets.resolve("cache"), 0u);
  EXPECT_EQ(released.size(), 2u);
  EXPECT_NE(ets.check(t, 7, false), "");
  EXPECT_TRUE(ets.create(8, o).has_value());  // free again
}

// Key bytes as the guest encodes them (vm/ets.h): a handle is 0x40, its
// kind and an 8-byte id, found anywhere in a key, a table's too.
std::string handle_bytes(uint8_t kind, uint64_t id) {
  std::string out = {'\x40', static_cast<char>(kind)};
  for (int b = 7; b >= 0; --b) out += static_cast<char>(id >> (8 * b) & 0xff);
  return out;
}

TEST(EtsKeys, HandlesAreFoundInsideAnyKeyAndNothingElseLooksLikeOne) {
  const std::string number = "\x10" + std::string(16, '\x40');          // its bytes may be 0x40
  const std::string string = std::string("\x20" "a\x40", 3) + std::string("\0\xff" "b\0\0", 5);  // "a@\0b"
  const std::string key = "\x50" + number + handle_bytes(1, 7) + string + "\x01" + "\x30\x01" +
                          handle_bytes(2, 0x1234) + "\x00";
  std::vector<KeyHandle> found;
  ASSERT_TRUE(key_handles(key, found));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind, 1);
  EXPECT_EQ(found[0].id, 7u);
  EXPECT_EQ(key.substr(found[0].offset, kKeyHandleBytes), handle_bytes(1, 7));
  EXPECT_EQ(found[1].kind, 2);
  EXPECT_EQ(found[1].id, 0x1234u);
  EXPECT_TRUE(key_has_handle(key));
  EXPECT_FALSE(key_has_handle(number + string)) << "0x40 bytes inside a number or a string are not handles";
  ASSERT_TRUE(key_handles(number + string, found));
  EXPECT_TRUE(found.empty());
  for (const std::string& bad : {std::string("\x20" "abc", 4), std::string("\x10\x01", 2), handle_bytes(1, 7).substr(0, 6),
                                std::string("\x7f", 1)}) {
    EXPECT_FALSE(key_handles(bad, found)) << "not a key: cut short, or an unknown tag";
    EXPECT_FALSE(key_has_handle(bad));
  }
}

// The order of keys that hold handles follows how the handles are
// numbered; a table with two such keys says so (Vm::read_ids), and stops
// saying so when one goes.
TEST(EtsKeys, ATableKnowsWhenItsKeyOrderFollowsTheNumbering) {
  Ets ets;
  const uint32_t t = *ets.create(0, of(Ets::Type::kOrderedSet, Ets::Access::kPublic));
  std::vector<ValueRef> released;
  auto one = rows({{"\x20" "x" + std::string(2, '\0'), 1}});
  ets.insert(t, one, released);
  auto first = rows({{handle_bytes(1, 3), 2}});
  ets.insert(t, first, released);
  EXPECT_FALSE(ets.ordered_by_ids(t)) << "one handle key: its place among strings is by kind, not number";
  auto second = rows({{handle_bytes(1, 4), 3}});
  ets.insert(t, second, released);
  EXPECT_TRUE(ets.ordered_by_ids(t));
  ets.erase(t, handle_bytes(1, 3), released);
  EXPECT_FALSE(ets.ordered_by_ids(t));
}

}  // namespace
}  // namespace lockstep::vm

// The arena allocator behind every Lua state: save/restore returns to the
// same bytes and the same future addresses (what makes restored iterations
// allocate exactly as fresh ones).
#include "lua/arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace lockstep::lua {
namespace {

void* grow(Arena& a, void* p, size_t from, size_t to) { return Arena::lua_alloc(&a, p, from, to); }
void* alloc(Arena& a, size_t n) { return Arena::lua_alloc(&a, nullptr, 0, n); }
void release(Arena& a, void* p, size_t n) { Arena::lua_alloc(&a, p, n, 0); }

TEST(Arena, RestoreBringsBackTheBytesAndTheAllocationOrder) {
  Arena arena(64 << 20);
  char* kept = static_cast<char*>(alloc(arena, 100));
  std::memcpy(kept, "before", 7);
  arena.save();
  EXPECT_TRUE(arena.saved());

  // One iteration: overwrite, allocate, free.
  std::memcpy(kept, "during", 7);
  std::vector<void*> first;
  for (size_t n : {16, 200, 4096, 24}) first.push_back(alloc(arena, n));
  release(arena, first[1], 200);
  arena.restore();
  EXPECT_STREQ(kept, "before");

  // The next iteration allocates at exactly the same addresses.
  std::vector<void*> second;
  for (size_t n : {16, 200, 4096, 24}) second.push_back(alloc(arena, n));
  EXPECT_EQ(first, second);
}

TEST(Arena, ABlockLeftOutIsNeitherSavedNorRestoredAndEverythingElseIs) {
  Arena arena(64 << 20);
  char* before = static_cast<char*>(alloc(arena, 64));
  arena.watch();
  char* small = static_cast<char*>(alloc(arena, 32));
  char* big = static_cast<char*>(alloc(arena, 8192));
  arena.leave_out();
  char* after = static_cast<char*>(alloc(arena, 64));
  EXPECT_GE(arena.left_out_bytes(), 8192u);  // the largest block watched
  for (char* p : {before, small, after}) std::memcpy(p, "saved", 6);
  std::memset(big, 'n', 8192);
  arena.save();
  EXPECT_EQ(arena.saved_bytes(), arena.used() - arena.left_out_bytes());

  for (char* p : {before, small, after}) std::memcpy(p, "wrote", 6);
  big[0] = 'x';
  void* fresh = alloc(arena, 48);
  arena.restore();
  for (char* p : {before, small, after}) EXPECT_STREQ(p, "saved");
  EXPECT_EQ(big[0], 'x');  // the caller promised it needs no restoring
  EXPECT_EQ(alloc(arena, 48), fresh);
}

TEST(Arena, ReallocKeepsContentsAndFreedBlocksAreReused) {
  Arena arena(64 << 20);
  char* p = static_cast<char*>(alloc(arena, 8));
  std::memcpy(p, "1234567", 8);
  char* q = static_cast<char*>(grow(arena, p, 8, 4000));
  EXPECT_STREQ(q, "1234567");
  void* r = alloc(arena, 8);  // p's block was freed by the move
  EXPECT_EQ(r, p);
  EXPECT_TRUE(arena.contains(q));
  EXPECT_FALSE(arena.contains(&arena));
}

TEST(Arena, ExhaustionIsANullAllocationNotACrash) {
  Arena arena(1 << 20);
  std::vector<void*> blocks;
  void* p = nullptr;
  for (int i = 0; i < 100 && (p = alloc(arena, 64 << 10)); ++i) blocks.push_back(p);
  EXPECT_EQ(p, nullptr);  // Lua turns this into a memory error
  EXPECT_LT(blocks.size(), 100u);
  EXPECT_GT(blocks.size(), 0u);
}

}  // namespace
}  // namespace lockstep::lua

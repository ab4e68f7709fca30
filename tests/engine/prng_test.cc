#include "engine/base/prng.h"

#include <gtest/gtest.h>

#include <set>

namespace lockstep {
namespace {

TEST(Prng, SameSeedGivesSameStream) {
  Prng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Prng, KnownFirstValuesNeverChange) {
  // Traces and bug reports depend on these streams: pin them.
  Prng p(1);
  EXPECT_EQ(p.next(), 0xb3f2af6d0fc710c5ull);
  EXPECT_EQ(derive_seed(1, 0), derive_seed(1, 0));
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_NE(derive_seed(1, 0), derive_seed(2, 0));
}

TEST(Prng, BelowStaysInRangeAndCoversIt) {
  Prng p(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    uint64_t v = p.below(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(p.below(0), 0u);
  EXPECT_EQ(p.below(1), 0u);
}

TEST(Prng, BelowIsRoughlyUniform) {
  Prng p(3);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30000; ++i) ++counts[p.below(3)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 600);
}

TEST(Prng, DerivedSeedsDoNotCollideOverManyIterations) {
  std::set<uint64_t> seeds;
  for (uint64_t i = 0; i < 100000; ++i) seeds.insert(derive_seed(1, i));
  EXPECT_EQ(seeds.size(), 100000u);
}

}  // namespace
}  // namespace lockstep

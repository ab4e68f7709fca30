#include "engine/prng.h"

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(Prng, SameSeedSameStream) {
  Prng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
}

}  // namespace
}  // namespace lockstep

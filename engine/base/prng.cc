#include "engine/base/prng.h"

namespace lockstep {

uint64_t derive_seed(uint64_t base, uint64_t i) {
  uint64_t s = base;
  uint64_t a = splitmix64(s);
  uint64_t t = a ^ (i * 0xd1b54a32d192ed03ull + 0x8cb92ba72f3d8dd7ull);
  return splitmix64(t);
}

void Prng::reseed(uint64_t seed) {
  uint64_t s = seed;
  for (auto& word : s_) word = splitmix64(s);
}

}  // namespace lockstep

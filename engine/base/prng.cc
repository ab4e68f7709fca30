#include "engine/base/prng.h"

namespace lockstep {

namespace {
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

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

uint64_t Prng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Prng::below(uint64_t n) {
  if (n <= 1) return 0;
  unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace lockstep

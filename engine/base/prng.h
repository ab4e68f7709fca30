// The one source of randomness in lockstep: xoshiro256** seeded by
// SplitMix64. Our own, so a seed means the same stream on every platform and
// standard library (std:: distributions differ between implementations).
#pragma once

#include <bit>
#include <cstdint>

namespace lockstep {

// SplitMix64 step: a good 64-bit mixer, also used to derive seeds.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The seed of iteration `i` of a run with base seed `base`: a pure function,
// so any iteration can be re-run alone.
uint64_t derive_seed(uint64_t base, uint64_t i);

class Prng {
 public:
  explicit Prng(uint64_t seed = 1) { reseed(seed); }

  void reseed(uint64_t seed);
  uint64_t next();
  // Uniform in [0, n); n == 0 returns 0. Unbiased (Lemire's method).
  uint64_t below(uint64_t n);
  bool coin() { return next() >> 63; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

// Inline: a random walk draws once a step.
inline uint64_t Prng::next() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

inline uint64_t Prng::below(uint64_t n) {
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

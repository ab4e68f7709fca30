// The one source of randomness in lockstep: xoshiro256** seeded by
// SplitMix64. Our own, so a seed means the same stream on every platform and
// standard library (std:: distributions differ between implementations).
#pragma once

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

}  // namespace lockstep

// FNV-1a, 64 bit: a stable hash for scenario sources, trace payloads and
// names. Stable across runs and platforms (std::hash is not).
#pragma once

#include <cstdint>
#include <string_view>

namespace lockstep {

inline uint64_t fnv1a(std::string_view data, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// splitmix64's finaliser: a strong 64-bit mix for combining hashes.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace lockstep

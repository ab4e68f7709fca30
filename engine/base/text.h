// Small text helpers every part prints with.
#pragma once

#include <cstdint>
#include <string>

namespace lockstep {

// 1234567 -> "1,234,567".
inline std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace lockstep

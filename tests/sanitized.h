// How much brute force a test runs in this build.
//
// The in-process tests that compare dfs with every interleaving (the fake
// system's all_classes() in tests/engine/dfs_test.cc) spend nearly all
// their time in the brute force, which AddressSanitizer slows down about
// 25 times. The Release job (the README's test command) runs every program
// of them; the sanitizer job (.ci/sanitize) looks for memory errors and
// undefined behaviour, and a share of the programs takes the search
// through the same code: there such a test runs sanitized_share(n) of its
// n programs.
#pragma once

namespace lockstep::testing {

#if defined(LOCKSTEP_TESTS_SANITIZED) && LOCKSTEP_TESTS_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// The programs a brute-force test of n programs runs in this build.
constexpr int sanitized_share(int n) { return kSanitized ? (n + 3) / 4 : n; }

}  // namespace lockstep::testing

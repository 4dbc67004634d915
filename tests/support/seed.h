// Test seeds: random by default, fixed with PARLEY_SEED, printed on failure.
//
// Property tests take their seed from TestSeed() and wrap their body in
// SCOPED_TRACE(SeedTrace(seed)), so a failing run prints the seed and the
// environment variable that reproduces it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace parley::testing {

inline uint64_t TestSeed() {
  if (const char* env = std::getenv("PARLEY_SEED")) return std::strtoull(env, nullptr, 10);
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) | rd();
}

inline std::string SeedTrace(uint64_t seed) {
  return "seed " + std::to_string(seed) + " (reproduce with PARLEY_SEED=" + std::to_string(seed) + ")";
}

}  // namespace parley::testing

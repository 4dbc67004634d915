// SimRandom: SplitMix64 streams and the distributions the simulator needs.
#include "sim/random.h"

#include <cmath>

namespace parley::sim {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t DeriveSeed(uint64_t seed, Stream stream, uint64_t index) {
  // Mix in one component at a time so (seed, stream, index) triples that
  // differ anywhere give unrelated streams.
  uint64_t state = seed;
  uint64_t a = SplitMix64(state);
  state = a ^ (static_cast<uint64_t>(stream) * 0xD1B54A32D192ED03ull);
  uint64_t b = SplitMix64(state);
  state = b ^ (index * 0x8CB92BA72F3D8DD7ull);
  return SplitMix64(state);
}

uint64_t SimRandom::Below(uint64_t n) {
  if (n == 0) return 0;
  // Multiply-shift: unbiased enough for simulation, and branch-free.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

double SimRandom::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double SimRandom::Exponential(double mean) {
  if (mean <= 0) return 0;
  return -mean * std::log1p(-Unit());
}

}  // namespace parley::sim

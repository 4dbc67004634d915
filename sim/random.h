// SimRandom: the simulator's only source of randomness (invariant I5).
//
// One scenario seed drives every choice. It is never used directly: each
// consumer (a node's core, a link, a node's workload, the disk) gets its own
// stream derived with DeriveSeed(seed, stream, index). Streams being
// independent means adding a node or a link does not shift the random
// choices of the others, so a run stays recognisable when a scenario is
// edited slightly, and a failing run is reproduced from its seed alone.
#pragma once

#include <cstdint>

namespace parley::sim {

// Which consumer a derived seed is for (kept stable: changing one changes
// every trace hash).
enum class Stream : uint64_t {
  kCore = 1,      // NodeCore::config.seed, per node life
  kNonce = 2,     // the core's RandomSource (AEAD nonces), per node life
  kLink = 3,      // latency, loss, duplication of one directed link
  kWorkload = 4,  // writes and reads issued on one node
  kDisk = 5,      // fsync latency of one node
  kClock = 6,     // clock offset and drift of one node
  kIdentity = 7,  // replica ids
  kSwarm = 8,     // random scenarios
};

// One step of SplitMix64: advances `state` and returns a well-mixed value.
uint64_t SplitMix64(uint64_t& state);

// A seed for stream `stream`, instance `index`, of the run seeded `seed`.
uint64_t DeriveSeed(uint64_t seed, Stream stream, uint64_t index);

class SimRandom {
 public:
  SimRandom() = default;
  explicit SimRandom(uint64_t seed) : state_(seed) {}

  uint64_t Next() { return SplitMix64(state_); }
  // Uniform in [0, n); 0 if n == 0.
  uint64_t Below(uint64_t n);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return p > 0 && Unit() < p; }
  // Exponentially distributed with the given mean.
  double Exponential(double mean);

 private:
  uint64_t state_ = 0;
};

}  // namespace parley::sim

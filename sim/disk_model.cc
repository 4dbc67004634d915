// DiskModel: base plus uniform jitter per fsync.
#include "sim/disk_model.h"

#include <cmath>

namespace parley::sim {

DiskModel::DiskModel(uint64_t seed, size_t nodes, double base_ms, double jitter_ms)
    : base_ms_(base_ms), jitter_ms_(jitter_ms) {
  for (size_t i = 0; i < nodes; ++i) random_.emplace_back(DeriveSeed(seed, Stream::kDisk, i));
}

uint64_t DiskModel::SyncLatencyUs(size_t node) {
  double ms = base_ms_ + random_[node].Unit() * jitter_ms_;
  return static_cast<uint64_t>(std::llround(ms * 1000)) + 1;
}

}  // namespace parley::sim

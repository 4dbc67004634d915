// DiskModel: how long a simulated fsync takes on each node.
//
// When a node core asks for a sync (outputs.sync_wanted), the simulator
// schedules the completion after SyncLatencyUs() and only then calls
// Logbook::Sync() and NodeCore::OnSynced(). A crash before the completion
// loses every unsynced byte (MemEnv::SimulateCrash), which is exactly the
// window in which an unacknowledged write may vanish. Each node has its own
// random stream, so one node's disk choices do not shift another's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/random.h"

namespace parley::sim {

class DiskModel {
 public:
  DiskModel(uint64_t seed, size_t nodes, double base_ms, double jitter_ms);
  uint64_t SyncLatencyUs(size_t node);

 private:
  std::vector<SimRandom> random_;
  double base_ms_, jitter_ms_;
};

}  // namespace parley::sim

// SimNode: one simulated machine running the real NodeCore.
//
// It owns what a machine would: a disk (its own MemEnv, so a crash loses
// only this node's unsynced bytes), the logbook on it, the node core, and a
// skewed clock. Boot() is a process start (open the logbook, recover,
// create the core with the replica id stored in the logbook, Start);
// Crash() is a power loss (the core and logbook vanish, unsynced bytes are
// dropped); Wipe() also replaces the disk, so the node comes back as a new
// replica. The simulator, not this class, moves packets and timers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "node/core/node_core.h"
#include "sim/clock_model.h"
#include "sim/random.h"
#include "storage/logbook.h"
#include "storage/mem_env.h"

namespace parley::sim {

class SimNode {
 public:
  SimNode(size_t index, NodeConfig config, ClockModel clock, uint64_t run_seed);

  SimNode(const SimNode&) = delete;
  SimNode& operator=(const SimNode&) = delete;

  // Opens the logbook and starts a core at true time `now_us`.
  Status Boot(uint64_t now_us);
  // Power loss: destroys the core and logbook, drops unsynced bytes.
  void Crash();
  // Power loss and a new, empty disk (the next Boot() makes a new replica).
  void Wipe();
  // A graceful stop after Leave(): like Crash() but syncs first.
  void Stop();

  bool up() const { return core_ != nullptr; }
  size_t index() const { return index_; }
  const std::string& name() const { return config_.name; }
  const Address& address() const { return config_.advertise; }
  NodeCore& core() { return *core_; }
  const NodeCore& core() const { return *core_; }
  Logbook& logbook() { return *logbook_; }
  ClockModel& clock() { return clock_; }
  uint64_t LocalMs(uint64_t true_us) { return clock_.LocalMs(true_us); }
  // Bumped by every Boot(), so events scheduled for an earlier life are ignored.
  uint64_t life() const { return life_; }
  uint64_t disks() const { return disks_; }  // how many disks it has had
  ReplicaId replica() const { return replica_; }

  // Disk state owned by the simulator's disk model.
  bool sync_in_flight = false;
  bool sync_again = false;
  // The tick event currently armed (true time) and its token.
  uint64_t armed_at = UINT64_MAX;
  uint64_t armed_token = 0;
  uint64_t last_tick_us = UINT64_MAX;  // guards against a core that asks for the same instant forever
  bool leaving = false;                // Leave() was called; the process stops shortly

  // Traffic, summed over every life.
  uint64_t packets_sent = 0, bytes_sent = 0, packets_received = 0;

 private:
  size_t index_;
  NodeConfig config_;
  ClockModel clock_;
  uint64_t run_seed_;
  std::unique_ptr<MemEnv> env_;
  std::unique_ptr<Logbook> logbook_;
  std::unique_ptr<NodeCore> core_;
  uint64_t life_ = 0;
  uint64_t disks_ = 1;
  ReplicaId replica_ = 0;
};

}  // namespace parley::sim

// parley/options.h: how to open an embedded node, and how durable a write
// must be before it is acknowledged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::embed {

// When the data directory is fsynced (ignored in memory).
enum class SyncPolicy {
  kAlways,  // before each acknowledgement; concurrent writes share an fsync
  kBatch,   // the same, with fsyncs at least a couple of milliseconds apart
  kNone,    // never: a crash may lose recent writes
};

// Failure-detection and gossip timings.
enum class TimingProfile {
  kLan,    // real networks: SWIM-style one-second probes
  kLocal,  // nodes on one machine: failures noticed in about a second
};

struct Options {
  // A name unique in the cluster; peers know this node by it.
  std::string name;
  // Where the map is logged and snapshotted. Empty requires in_memory.
  std::string data_dir;
  // Keep the map only in memory: nothing survives a restart.
  bool in_memory = false;
  // Gossip address, "host:port" (UDP and TCP). Port 0 picks a free port.
  std::string bind = "127.0.0.1:0";
  // The address peers use to reach this node; empty means the bound one.
  std::string advertise;
  // Nodes to join through, "host:port" each. Empty starts a new cluster.
  std::vector<std::string> seeds;
  // Nodes only talk to nodes with the same cluster id.
  std::string cluster_id = "parley";
  // 32 raw bytes or 64 hex characters: authenticate and encrypt all traffic.
  // Empty: plain (checksummed) traffic.
  std::string cluster_key;
  SyncPolicy sync = SyncPolicy::kAlways;
  // Records of other nodes' writes, which nobody here waits on, are fsynced
  // within this many ms (or with the next sync a local write asks for): a
  // machine crash may lose that much of them here, and anti-entropy brings
  // them back from the peers. 0 syncs them as soon as they are logged.
  uint32_t replicated_sync_ms = 1000;
  // Keep the log written with zeros ~1 MB ahead of its records, so an fsync
  // does not also grow the file (about a third cheaper on ext4). False
  // saves writing each log byte twice, for flash media (SD cards) that wear.
  bool preallocate_log = true;
  TimingProfile timing = TimingProfile::kLan;
  // "trace", "debug", "info", "warn", "error", "critical" or "off"; lines go
  // to stderr with the node's name.
  std::string log_level = "warn";
};

// How widely a write must be stored before it is acknowledged.
struct Durability {
  int nodes = 1;                // 1: this node; k > 1: k nodes including this one
  uint32_t timeout_ms = 5000;  // quorum writes fail with kTimedOut after this

  static Durability Local() { return Durability{}; }
  static Durability Quorum(int k, uint32_t timeout_ms = 5000) { return Durability{k, timeout_ms}; }
};

}  // namespace parley::embed

// NodeConfig: everything the node core needs to know at start-up.
//
// Timings come in two ready profiles: Lan() for real networks (SWIM/memberlist
// style defaults) and LocalFleet() for nodes on one machine, where round trips
// are tens of microseconds and failures should be noticed in about a second.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/keyring.h"
#include "protocol/limits.h"
#include "protocol/message.h"
#include "storage/group_commit.h"  // SyncPolicy

namespace parley {

struct Timing {
  uint64_t probe_interval_ms = 1000;  // one probe per interval (scaled by local health)
  uint64_t probe_timeout_ms = 500;    // direct ack wait before indirect probes
  int indirect_checks = 3;            // members asked to ping-req
  double suspicion_mult = 4;          // min suspicion = mult * log10(n) * probe interval
  double suspicion_max_mult = 6;      // max suspicion = max_mult * min suspicion
  int suspicion_confirmations = 3;    // confirmations that shrink suspicion to the minimum
  int retransmit_mult = 4;            // broadcasts go out mult * log10(n+1) times
  uint64_t gossip_interval_ms = 200;  // flush of queued broadcasts
  int gossip_fanout = 3;
  uint64_t push_pull_interval_ms = 30000;  // membership + anti-entropy round
  uint64_t reap_after_ms = 30000;          // forget dead/left members after this
  int max_local_health = 8;                // Lifeguard: probe slow-down cap

  static Timing Lan() { return Timing{}; }
  static Timing LocalFleet();
};

struct SyncConfig {
  int eager_fanout = 3;           // peers a new delta goes to at once (0: none)
  int max_hops = 3;               // forwards of a delta that was new to its receiver
  // Up to this many members, a local write goes straight to every reachable
  // member instead of 3 random ones that forward it: N-1 datagrams is the
  // fewest full replication allows, and one hop reaches everyone, where the
  // epidemic misses a few nodes per write and leaves them to anti-entropy.
  size_t direct_push_max_members = 128;
  // Beyond direct_push_max_members, a write's delta travels a tree that
  // spans the fleet (Membership::TreeNeighbors): each member passes each
  // delta on, once, to its tree neighbours but the one it came from,
  // gathered for tree_flush_ms. Every member so gets each delta once, and
  // (the tree being shared) in the order its neighbours learned them.
  // 0: the epidemic push (eager_fanout, max_hops) instead.
  int tree_fanout = 4;
  uint64_t tree_flush_ms = 100;
  size_t piggyback_max_bytes = 600;  // deltas this small also ride on membership traffic
  size_t chunk_bytes = 60 * 1024;    // anti-entropy chunk size
  // Write deltas held back until the writes they replaced arrive (beyond
  // this, the oldest is dropped and anti-entropy repairs instead).
  size_t max_waiting_deltas = 128;
  // A delta held this long asks its writer for the slots it builds on
  // (slot-request), and asks again (the peer it came from) after as long.
  // Long enough for gossip to bring what it waits for in most cases: the
  // answer is the slots' full state, whose clocks name every writer.
  uint64_t hold_pull_ms = 5000;
};

// The pseudo-address of the Redis relay (node/bridge): packets the core sends
// there go into a Redis stream; packets read from the stream are handed to
// Receive() with this as `from`, and answers to them go back the same way.
inline const Address kRelayAddress{"@relay", 0};

struct NodeConfig {
  std::string name;
  Address advertise;                       // where peers reach this node (UDP and TCP)
  std::map<std::string, std::string> meta;  // gossiped: e.g. http/resp ports
  std::vector<Address> seeds;
  Timing timing;
  SyncConfig sync;
  // always (default): fsync before each acknowledgement; writes that arrive
  // together share one fsync (group commit), so the fsync rate is bounded by
  // the disk, not by the write rate. batch: the same, but fsyncs start at
  // least batch_interval_ms apart (fewer fsyncs under load, up to that much
  // more latency). none: no fsync.
  SyncPolicy sync_policy = SyncPolicy::kAlways;
  uint64_t batch_interval_ms = 2;
  // Records of changes that came from other nodes, which nobody here waits
  // on, are synced within this long (or sooner, with a sync a local write
  // or a quorum confirmation asks for) instead of each at once: their
  // writers hold them durably, and anti-entropy brings back what a crash
  // here loses. A node that takes a fleet's writes thus does not fsync for
  // each of them (in the 1000-node simulator, a sync per absorbed delta).
  uint64_t replicated_sync_ms = 1000;
  // A full snapshot after this many log records, if the log written since
  // the last snapshot is at least that snapshot's size (a snapshot costs its
  // whole size; a log smaller than it is cheaper to replay than to replace:
  // a 1000-node simulation with 2000-record snapshots spent a third of its
  // time exporting maps that had changed by a few hundred KB).
  uint64_t snapshot_every_records = 200000;
  // ...or once the log written since the last snapshot is twice that
  // snapshot's size and at least this many bytes: a small map with busy keys
  // (or big repair deltas) must not grow its log without bound between
  // record-count snapshots.
  uint64_t snapshot_min_log_bytes = 64ull << 20;
  Limits limits;
  std::string cluster_id = "parley";  // nodes only talk within one cluster id
  bool relay = false;  // also publish local writes to kRelayAddress
  Keyring keyring;       // empty: plain (checksummed) traffic
  uint64_t seed = 1;     // of the core's random generator (I5)
};

// How long and how widely a write must be stored before it is acknowledged.
struct Durability {
  int nodes = 1;                 // 1 = local; k > 1 = quorum(k) including this node
  uint64_t timeout_ms = 5000;    // for quorum writes

  static Durability Local() { return Durability{}; }
  static Durability Quorum(int k, uint64_t timeout_ms = 5000) { return Durability{k, timeout_ms}; }
};

}  // namespace parley

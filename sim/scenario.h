// Scenario: everything that defines one simulation run, as plain data.
//
// A scenario names the nodes, the network, the disk, the clocks, the
// workload and a timeline of faults. It is read from TOML
// (scenario_toml.h), generated at random by the swarm (swarm.h), and
// checked by Validate() before a run, so a bad file fails with a message
// naming the table and key instead of misbehaving later.
//
// A run has two phases (TigerBeetle VOPR style): the safety phase lasts
// duration_ms with the workload and the faults; then the liveness phase
// heals every link, restarts every node that is down, stops writing, and
// must reach identical states on every node within checks.liveness_ms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/network_model.h"
#include "storage/group_commit.h"  // SyncPolicy
#include "storage/status.h"

namespace parley::sim {

struct NodesSpec {
  int count = 5;
  std::string timing = "local";  // "local" (Timing::LocalFleet) or "lan" (Timing::Lan)
  SyncPolicy sync_policy = SyncPolicy::kBatch;
  uint64_t batch_interval_ms = 2;
  double disk_sync_ms = 1.0;       // fsync latency: base ...
  double disk_jitter_ms = 1.0;     // ... plus uniform jitter
  double clock_offset_ms = 0;      // each node's offset is uniform in [-this, +this]
  double clock_drift_ppm = 0;      // each node's drift is uniform in [-this, +this]
  std::vector<int> seeds = {0};    // the nodes every node joins through
  std::vector<int> start_down;     // nodes that start only with a "start" fault
  uint64_t chunk_bytes = 0;        // anti-entropy chunk size; 0 = the core's default
  // Fleets larger than this push writes down the dissemination tree instead
  // of straight to every member (SyncConfig); 0 = the core's default (128).
  // Small values put small fleets on the tree.
  uint64_t direct_push_max_members = 0;
  // A node writes a full snapshot after this many log records (once its log
  // is as big as its last snapshot), or once its log passes 1 MB and twice
  // its last snapshot. Far more often than a daemon's 200,000 records and
  // 64 MB, so that runs exercise recovery from snapshot + log.
  // 0: the daemon's own policy (NodeConfig's defaults).
  uint64_t snapshot_every_records = 2000;
};

struct WorkloadSpec {
  double writes_per_s = 20;  // per writing node (Poisson)
  double reads_per_s = 0;    // per node
  std::vector<int> writers;  // empty: every node
  int durability_nodes = 1;  // 1 = local, k = quorum(k)
  uint64_t quorum_timeout_ms = 5000;
  // Relative weights of the write kinds: set, incr, sadd, srem, hset, hdel, del.
  double weights[7] = {3, 2, 2, 1, 2, 1, 1};
  int churn_keys = 8;        // shared keys every writer races on (not checked per write)
  // 0: every checked register write, set add and hash set uses a fresh key,
  // member or field. k > 0: each node cycles over k register keys, k set
  // members and k hash fields, so the map stays bounded in long runs (the
  // checker then judges the last acknowledged write to each; see checkers.h).
  int checked_keys = 0;
  int max_batch = 3;         // ops per write: 1..max_batch
  // Chance that a write event is a write group (NodeCore::BeginWriteGroup,
  // as a Redis EXEC makes): 2 or 3 writes whose deltas leave together.
  double group_writes = 0;
  uint64_t start_ms = 0;
  uint64_t stop_ms = 0;      // 0: the end of the safety phase
};

enum class FaultKind {
  kSplit,      // groups: cut every link between different groups
  kBridge,     // groups + node: split, but `node` sees every group
  kIsolate,    // node: cut from everyone
  kOneWay,     // from, to, loss: drop traffic from -> to only (loss 1 = cut)
  kHeal,       // remove every cut and directional loss
  kCrash,      // node: power loss (unsynced bytes lost)
  kRestart,    // node: start again from its logbook
  kWipe,       // node: crash and lose its disk; restarts later as a new replica
  kStart,      // node: first start of a node listed in start_down
  kLeave,      // node: graceful leave, then the node stops
  kLink,       // from, to, params: change one directed link (e.g. a slow link)
  kFlap,       // from, to, period_ms, until_ms: the pair goes down and up
  kClockJump,  // node, jump_ms: step the node's clock
};

struct FaultEvent {
  uint64_t at_ms = 0;
  FaultKind kind = FaultKind::kHeal;
  std::vector<std::vector<int>> groups;
  int node = -1;
  int from = -1, to = -1;
  double loss = 1.0;
  LinkParams link;
  uint64_t period_ms = 0, until_ms = 0;
  int64_t jump_ms = 0;
};

struct ChecksSpec {
  uint64_t liveness_ms = 30000;      // convergence bound after the heal
  uint64_t sample_ms = 100;          // divergence sampling and convergence polling
  int max_false_deaths = -1;         // -1: reported, not checked
  uint64_t detect_crash_within_ms = 0;  // 0: reported, not checked
};

// The Redis bridge's relay: a stream every node appends to and reads. What
// a node sends to the relay reaches every other node that is up, after
// `latency_ms`, whatever cuts the network has; a node that was down misses
// what was sent meanwhile and, booted again, asks for anti-entropy through
// the relay (as the bridge does when it fell behind the stream).
struct RelaySpec {
  double latency_ms = 0;  // 0: no relay
  bool enabled() const { return latency_ms > 0; }
};

struct Scenario {
  std::string name = "unnamed";
  std::string description;
  uint64_t seed = 1;
  uint64_t duration_ms = 10000;  // the safety phase
  NodesSpec nodes;
  LinkParams network;
  RelaySpec relay;
  WorkloadSpec workload;
  std::vector<FaultEvent> faults;  // sorted by at_ms
  ChecksSpec checks;
  // Test-only deliberate bug (see fault_injector.h): "" or "widen-diff-chunks".
  std::string inject_bug;
};

// A fault at `at_ms` (for scenarios built in code).
FaultEvent MakeFault(uint64_t at_ms, FaultKind kind, int node = -1, std::vector<std::vector<int>> groups = {});

const char* FaultKindName(FaultKind kind);
bool ParseFaultKind(const std::string& name, FaultKind* kind);

// Checks ranges and cross-references (node indexes, groups, times). The
// message names the table and key, as a scenario file would.
Status Validate(const Scenario& scenario);

}  // namespace parley::sim

// SimResult: what one simulation run found, for reports and tests.
//
// Plain data filled in by the simulator and the checkers: the verdict
// (violations, empty when every invariant held), the figures the report
// prints, and a timeline for the HTML view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::sim {

// Distinct states among the live nodes at one moment (1 = converged).
struct DivergenceSample {
  uint64_t at_ms = 0;
  int live = 0;
  int distinct = 0;
};

// Something that happened on the timeline (a fault, the heal, convergence).
struct TimelineEvent {
  uint64_t at_ms = 0;
  std::string label;
  int node = -1;  // -1: the whole cluster
};

// An interval during which a node was down, or cut from part of the cluster.
struct NodeSpan {
  enum class Kind { kDown, kCut };
  size_t node = 0;
  Kind kind = Kind::kDown;
  uint64_t from_ms = 0, to_ms = 0;
};

struct MembershipFigures {
  uint64_t changes = 0;
  uint64_t false_suspicions = 0;  // a live, connected, settled node suspected
  uint64_t false_deaths = 0;      // ... or declared dead
  uint64_t crashes = 0;
  uint64_t crashes_detected = 0;  // some node declared the crashed node dead
  double mean_detect_ms = 0;      // crash -> first "dead" verdict
  double max_detect_ms = 0;
};

struct SimResult {
  std::string scenario;
  uint64_t seed = 0;
  std::string trace_hash;
  size_t nodes = 0;
  uint64_t events = 0;
  uint64_t relay_deliveries = 0;  // relay entries handed to nodes (RelaySpec)
  uint64_t virtual_ms = 0;
  double wall_seconds = 0;
  std::string reproduce;  // the command that reruns this exact run

  std::vector<std::string> violations;
  bool ok() const { return violations.empty(); }

  // Convergence (I1).
  bool converged = false;
  uint64_t heal_ms = 0;           // start of the liveness phase
  uint64_t converged_ms = 0;      // first moment of one state after the heal
  int max_divergence = 0;         // most distinct states seen at once

  // Writes (I2).
  uint64_t writes_issued = 0, writes_acked = 0, writes_failed = 0, writes_refused = 0, reads = 0;
  uint64_t writes_checked = 0;    // acknowledged writes the lost-write check required

  // Traffic.
  uint64_t packets = 0, bytes = 0, dropped = 0, duplicated = 0;
  double packets_per_node = 0, bytes_per_node = 0;
  uint64_t max_packets_node = 0, max_bytes_node = 0;
  // Sync, summed over the cores up at the end (a restart resets a core's).
  uint64_t deltas_pushed = 0, deltas_held = 0, deltas_held_dropped = 0, slot_requests = 0;
  uint64_t chunks_received = 0;
  // Slot states sent because two nodes had seen the same events yet held
  // different states (NodeStats::unclaimed_slots_sent): 0 unless disks were lost.
  uint64_t unclaimed_slots_sent = 0;
  uint64_t snapshots = 0;  // logbook snapshots written
  // The furthest any node saw a received write's timestamp ahead of its own
  // clock (NodeStats::clock_ahead_max_ms), in ms: clock skew as a node sees it.
  uint64_t clock_ahead_max_ms = 0;

  MembershipFigures membership;

  std::vector<DivergenceSample> samples;
  std::vector<TimelineEvent> timeline;
  std::vector<NodeSpan> spans;
};

}  // namespace parley::sim

// Checkers: the invariants a run must keep, judged from what was recorded.
//
//  * Convergence (I1): after the liveness phase every live node has the
//    same NodeCore::StateDigest(). DistinctStates() counts them.
//  * No acknowledged write lost (I2): every acknowledged checked op
//    (workload.h) is visible at the end, unless the faults of the run allow
//    its loss: a `local` write may be lost only if its node's disk was
//    wiped after the ack; a quorum(k) write only if k or more disks were
//    wiped after the ack; with sync policy `none` any crash after the ack
//    excuses it (that policy promises nothing across a crash).
//  * Membership accuracy: MembershipMonitor counts suspicions of nodes that
//    were up and reachable (false positives) and how long crashed nodes took
//    to be declared dead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/core/node_core.h"
#include "sim/sim_result.h"
#include "sim/workload.h"

namespace parley::sim {

// What the lost-write check needs to know about the faults of a run.
struct DiskHistory {
  std::vector<std::pair<size_t, uint64_t>> crashes;  // (node, true µs), wipes included
  std::vector<std::pair<size_t, uint64_t>> wipes;    // (node, true µs)
  SyncPolicy sync_policy = SyncPolicy::kBatch;
};

// Number of distinct state digests among `cores` (0 if none).
int DistinctStates(const std::vector<const NodeCore*>& cores);

// What two diverged maps differ in, for a convergence violation: whether
// their contexts do, and up to `max_slots` slots that differ, each as both
// hold it ("-" where one lacks it).
std::string DescribeDifference(const CrdtMap& a, const CrdtMap& b, size_t max_slots);

// Checks every acknowledged write against `map` (a live node's final state).
// Appends at most `max_reports` violations; returns how many writes were
// required to survive.
uint64_t CheckAcknowledgedWrites(const std::vector<WriteRecord>& writes, const DiskHistory& history,
                                 const CrdtMap& map, const std::string& node_name, size_t max_reports,
                                 std::vector<std::string>* violations);

class MembershipMonitor {
 public:
  // A node suspected within `settle_us` of any fault is not counted as a
  // false positive: the detector is allowed to notice a change late.
  MembershipMonitor(size_t nodes, uint64_t settle_us) : crashed_at_(nodes, UINT64_MAX), settle_us_(settle_us) {}

  void OnFault(uint64_t now_us) { last_fault_us_ = now_us; }
  void OnCrash(size_t node, uint64_t now_us);
  void OnBoot(size_t node, uint64_t now_us);
  // `observer` now sees `subject` in `state`; `reachable` says whether the
  // subject was up and connected to the observer both ways.
  void OnChange(size_t observer, size_t subject, MemberState state, bool reachable, uint64_t now_us);

  const MembershipFigures& figures() const { return figures_; }

 private:
  std::vector<uint64_t> crashed_at_;  // UINT64_MAX: up, or its crash was detected
  std::vector<double> detect_ms_;
  uint64_t settle_us_;
  uint64_t last_fault_us_ = 0;
  MembershipFigures figures_;
};

}  // namespace parley::sim

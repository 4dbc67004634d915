// Scenario: fault names and validation.
#include "sim/scenario.h"

#include <set>
#include <string>

namespace parley::sim {
namespace {

constexpr const char* kFaultNames[] = {"split", "bridge", "isolate", "one_way", "heal",  "crash",     "restart",
                                       "wipe",  "start",  "leave",   "link",    "flap",  "clock_jump"};

Status Bad(const std::string& what) { return Status::InvalidArgument(what); }

Status CheckNode(int node, int count, const std::string& where) {
  if (node < 0 || node >= count) {
    return Bad(where + " must name a node between 0 and " + std::to_string(count - 1) + " (got " +
               std::to_string(node) + ")");
  }
  return Status::Ok();
}

Status CheckLink(const LinkParams& p, const std::string& where) {
  if (!(p.latency_ms >= 0 && p.latency_ms <= 60000)) return Bad(where + " latency_ms must be between 0 and 60000");
  if (!(p.jitter_ms >= 0 && p.jitter_ms <= 60000)) return Bad(where + " jitter_ms must be between 0 and 60000");
  if (!(p.loss >= 0 && p.loss <= 1)) return Bad(where + " loss must be between 0 and 1");
  if (!(p.duplicate >= 0 && p.duplicate <= 1)) return Bad(where + " duplicate must be between 0 and 1");
  if (!(p.reorder >= 0 && p.reorder <= 1)) return Bad(where + " reorder must be between 0 and 1");
  if (!(p.reorder_ms >= 0 && p.reorder_ms <= 60000)) return Bad(where + " reorder_ms must be between 0 and 60000");
  return Status::Ok();
}

Status CheckFault(const FaultEvent& f, size_t i, const Scenario& s) {
  std::string where = "[[fault]] #" + std::to_string(i + 1) + " (" + FaultKindName(f.kind) + ")";
  int n = s.nodes.count;
  if (f.at_ms > s.duration_ms) {
    return Bad(where + " at_ms " + std::to_string(f.at_ms) + " is after the end of the safety phase (" +
               std::to_string(s.duration_ms) + " ms)");
  }
  switch (f.kind) {
    case FaultKind::kSplit:
    case FaultKind::kBridge: {
      if (f.groups.size() < 2) return Bad(where + " needs at least two groups");
      std::set<int> seen;
      for (const auto& group : f.groups) {
        if (group.empty()) return Bad(where + " has an empty group");
        for (int node : group) {
          PARLEY_RETURN_IF_ERROR(CheckNode(node, n, where + " groups"));
          if (!seen.insert(node).second) return Bad(where + " lists node " + std::to_string(node) + " twice");
        }
      }
      if (f.kind == FaultKind::kBridge) PARLEY_RETURN_IF_ERROR(CheckNode(f.node, n, where + " node"));
      return Status::Ok();
    }
    case FaultKind::kOneWay:
    case FaultKind::kLink:
    case FaultKind::kFlap:
      PARLEY_RETURN_IF_ERROR(CheckNode(f.from, n, where + " from"));
      PARLEY_RETURN_IF_ERROR(CheckNode(f.to, n, where + " to"));
      if (f.from == f.to) return Bad(where + " from and to must differ");
      if (!(f.loss >= 0 && f.loss <= 1)) return Bad(where + " loss must be between 0 and 1");
      if (f.kind == FaultKind::kLink) return CheckLink(f.link, where);
      if (f.kind == FaultKind::kFlap) {
        if (f.period_ms == 0) return Bad(where + " period_ms must be positive");
        if (f.until_ms < f.at_ms) return Bad(where + " until_ms must not be before at_ms");
      }
      return Status::Ok();
    case FaultKind::kHeal:
      return Status::Ok();
    case FaultKind::kClockJump:
      if (f.jump_ms < -3'600'000 || f.jump_ms > 3'600'000) return Bad(where + " jump_ms must be within an hour");
      return CheckNode(f.node, n, where + " node");
    default:
      return CheckNode(f.node, n, where + " node");
  }
}

}  // namespace

FaultEvent MakeFault(uint64_t at_ms, FaultKind kind, int node, std::vector<std::vector<int>> groups) {
  FaultEvent f;
  f.at_ms = at_ms;
  f.kind = kind;
  f.node = node;
  f.groups = std::move(groups);
  return f;
}

const char* FaultKindName(FaultKind kind) { return kFaultNames[static_cast<int>(kind)]; }

bool ParseFaultKind(const std::string& name, FaultKind* kind) {
  for (size_t i = 0; i < std::size(kFaultNames); ++i) {
    if (name == kFaultNames[i]) {
      *kind = static_cast<FaultKind>(i);
      return true;
    }
  }
  return false;
}

Status Validate(const Scenario& s) {
  if (s.nodes.count < 1 || s.nodes.count > 5000) return Bad("[nodes] count must be between 1 and 5000");
  if (s.nodes.timing != "local" && s.nodes.timing != "lan") return Bad("[nodes] timing must be \"local\" or \"lan\"");
  if (s.nodes.batch_interval_ms < 1 || s.nodes.batch_interval_ms > 10000) {
    return Bad("[nodes] batch_interval_ms must be between 1 and 10000");
  }
  if (!(s.nodes.disk_sync_ms >= 0 && s.nodes.disk_sync_ms <= 10000)) {
    return Bad("[nodes] disk_sync_ms must be between 0 and 10000");
  }
  if (!(s.nodes.disk_jitter_ms >= 0 && s.nodes.disk_jitter_ms <= 10000)) {
    return Bad("[nodes] disk_jitter_ms must be between 0 and 10000");
  }
  if (!(s.nodes.clock_offset_ms >= 0 && s.nodes.clock_offset_ms <= 3'600'000)) {
    return Bad("[nodes] clock_offset_ms must be between 0 and 3600000");
  }
  if (!(s.nodes.clock_drift_ppm >= 0 && s.nodes.clock_drift_ppm <= 100000)) {
    return Bad("[nodes] clock_drift_ppm must be between 0 and 100000");
  }
  if (s.nodes.seeds.empty()) return Bad("[nodes] seeds must name at least one node");
  for (int seed : s.nodes.seeds) PARLEY_RETURN_IF_ERROR(CheckNode(seed, s.nodes.count, "[nodes] seeds"));
  for (int node : s.nodes.start_down) PARLEY_RETURN_IF_ERROR(CheckNode(node, s.nodes.count, "[nodes] start_down"));
  if (s.nodes.chunk_bytes != 0 && (s.nodes.chunk_bytes < 64 || s.nodes.chunk_bytes > (8u << 20))) {
    return Bad("[nodes] chunk_bytes must be 0 or between 64 and 8388608");
  }
  if (s.duration_ms < 1 || s.duration_ms > 24ull * 3600 * 1000) {
    return Bad("duration_ms must be between 1 and 86400000");
  }
  PARLEY_RETURN_IF_ERROR(CheckLink(s.network, "[network]"));

  const WorkloadSpec& w = s.workload;
  if (!(w.writes_per_s >= 0 && w.writes_per_s <= 100000)) {
    return Bad("[workload] writes_per_s must be between 0 and 100000");
  }
  if (!(w.reads_per_s >= 0 && w.reads_per_s <= 100000)) {
    return Bad("[workload] reads_per_s must be between 0 and 100000");
  }
  for (int node : w.writers) PARLEY_RETURN_IF_ERROR(CheckNode(node, s.nodes.count, "[workload] writers"));
  if (w.durability_nodes < 1 || w.durability_nodes > s.nodes.count) {
    return Bad("[workload] durability quorum:k needs 1 <= k <= nodes.count");
  }
  double total = 0;
  for (double weight : w.weights) {
    if (!(weight >= 0 && weight <= 1e6)) return Bad("[workload.mix] weights must be between 0 and 1000000");
    total += weight;
  }
  if (total <= 0 && w.writes_per_s > 0) return Bad("[workload.mix] at least one weight must be positive");
  if (w.churn_keys < 1 || w.churn_keys > 100000) return Bad("[workload] churn_keys must be between 1 and 100000");
  if (w.checked_keys < 0 || w.checked_keys > 100000) return Bad("[workload] checked_keys must be between 0 and 100000");
  if (w.max_batch < 1 || w.max_batch > 64) return Bad("[workload] max_batch must be between 1 and 64");
  if (!(w.group_writes >= 0 && w.group_writes <= 1)) return Bad("[workload] group_writes must be between 0 and 1");
  if (w.stop_ms != 0 && w.stop_ms < w.start_ms) return Bad("[workload] stop_ms must not be before start_ms");

  for (size_t i = 0; i < s.faults.size(); ++i) PARLEY_RETURN_IF_ERROR(CheckFault(s.faults[i], i, s));
  if (s.checks.liveness_ms < 1 || s.checks.liveness_ms > 3'600'000) {
    return Bad("[checks] liveness_ms must be between 1 and 3600000");
  }
  if (s.checks.sample_ms < 1 || s.checks.sample_ms > 60000) {
    return Bad("[checks] sample_ms must be between 1 and 60000");
  }
  if (!s.inject_bug.empty() && s.inject_bug != "widen-diff-chunks") {
    return Bad("inject_bug must be \"\" or \"widen-diff-chunks\"");
  }
  return Status::Ok();
}

}  // namespace parley::sim

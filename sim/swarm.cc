// Swarm: random scenario generation and the stop-at-first-failure loop.
#include "sim/swarm.h"

#include <algorithm>
#include <fstream>

#include "sim/random.h"
#include "sim/scenario_toml.h"
#include "sim/simulator.h"

namespace parley::sim {
namespace {

std::vector<std::vector<int>> RandomGroups(SimRandom& r, int n) {
  int groups = 2 + static_cast<int>(r.Below(n >= 5 ? 2 : 1));
  std::vector<std::vector<int>> out(static_cast<size_t>(groups));
  for (int i = 0; i < n; ++i) out[i < groups ? i : r.Below(static_cast<uint64_t>(groups))].push_back(i);
  return out;
}

FaultEvent RandomFault(SimRandom& r, const Scenario& s) {
  int n = s.nodes.count;
  FaultEvent f;
  f.at_ms = 200 + r.Below(s.duration_ms - 400);
  auto node = [&] { return static_cast<int>(r.Below(static_cast<uint64_t>(n))); };
  auto other = [&](int a) { return (a + 1 + static_cast<int>(r.Below(static_cast<uint64_t>(n - 1)))) % n; };
  static const FaultKind kinds[] = {FaultKind::kSplit,  FaultKind::kSplit,     FaultKind::kBridge, FaultKind::kIsolate,
                                    FaultKind::kOneWay, FaultKind::kHeal,      FaultKind::kCrash,  FaultKind::kCrash,
                                    FaultKind::kRestart, FaultKind::kWipe,     FaultKind::kLeave,  FaultKind::kLink,
                                    FaultKind::kFlap,   FaultKind::kClockJump};
  f.kind = kinds[r.Below(std::size(kinds))];
  switch (f.kind) {
    case FaultKind::kSplit:
    case FaultKind::kBridge:
      f.groups = RandomGroups(r, n);
      f.node = node();
      if (f.kind == FaultKind::kSplit) f.node = -1;
      break;
    case FaultKind::kOneWay:
      f.from = node();
      f.to = other(f.from);
      f.loss = r.Chance(0.5) ? 1.0 : 0.5 + 0.5 * r.Unit();
      break;
    case FaultKind::kLink:
      f.from = node();
      f.to = other(f.from);
      f.link.latency_ms = 5 + 200 * r.Unit();
      f.link.jitter_ms = 50 * r.Unit();
      f.link.loss = 0.3 * r.Unit();
      f.loss = f.link.loss;
      break;
    case FaultKind::kFlap:
      f.from = node();
      f.to = other(f.from);
      f.period_ms = 50 + r.Below(400);
      f.until_ms = std::min(s.duration_ms, f.at_ms + 200 + r.Below(2000));
      break;
    case FaultKind::kClockJump:
      f.node = node();
      f.jump_ms = static_cast<int64_t>(r.Below(4001)) - 2000;
      break;
    case FaultKind::kHeal:
      break;
    default:
      f.node = node();
      break;
  }
  return f;
}

}  // namespace

uint64_t SwarmRunSeed(uint64_t swarm_seed, int run) {
  return run == 0 ? swarm_seed : DeriveSeed(swarm_seed, Stream::kSwarm, static_cast<uint64_t>(run));
}

Scenario RandomScenario(uint64_t run_seed, const SwarmLimits& limits) {
  SimRandom r(DeriveSeed(run_seed, Stream::kSwarm, 0));
  Scenario s;
  s.name = "swarm-" + std::to_string(run_seed);
  s.description = "random scenario generated from seed " + std::to_string(run_seed);
  s.seed = run_seed;
  uint64_t max_duration = std::max<uint64_t>(limits.max_duration_ms, 1000);
  s.duration_ms = 1000 + r.Below(max_duration - 1000 + 1);
  s.nodes.count = 3 + static_cast<int>(r.Below(static_cast<uint64_t>(std::max(limits.max_nodes, 3) - 2)));
  s.nodes.sync_policy = r.Chance(0.3) ? SyncPolicy::kAlways : r.Chance(0.9) ? SyncPolicy::kBatch : SyncPolicy::kNone;
  s.nodes.disk_sync_ms = 0.2 + 5 * r.Unit();
  s.nodes.disk_jitter_ms = 5 * r.Unit();
  s.nodes.clock_offset_ms = r.Chance(0.5) ? 1000 * r.Unit() : 0;
  s.nodes.clock_drift_ppm = r.Chance(0.5) ? 500 * r.Unit() : 0;
  s.nodes.chunk_bytes = r.Chance(0.4) ? 128 + r.Below(4096) : 0;
  if (r.Chance(0.3)) s.nodes.seeds = {0, 1};
  s.network.latency_ms = 0.1 + 10 * r.Unit();
  s.network.jitter_ms = 5 * r.Unit();
  s.network.jitter = r.Chance(0.5) ? JitterKind::kUniform : JitterKind::kExponential;
  s.network.loss = r.Chance(0.5) ? 0.15 * r.Unit() : 0;
  s.network.duplicate = r.Chance(0.3) ? 0.1 * r.Unit() : 0;
  s.network.reorder = r.Chance(0.3) ? 0.2 * r.Unit() : 0;
  s.workload.writes_per_s = 5 + 45 * r.Unit();
  s.workload.reads_per_s = 10 * r.Unit();
  if (s.nodes.count >= 3 && r.Chance(0.3)) {
    s.workload.durability_nodes = 2;
    s.workload.quorum_timeout_ms = 1000;
  }
  int faults = 1 + static_cast<int>(r.Below(6));
  for (int i = 0; i < faults; ++i) s.faults.push_back(RandomFault(r, s));
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at_ms < b.at_ms; });
  s.checks.liveness_ms = 30000;
  // Drawn last, so the scenarios of earlier seeds stay as they were otherwise:
  // some small fleets push down the dissemination tree.
  if (r.Chance(0.3)) s.nodes.direct_push_max_members = 2 + r.Below(4);
  // Snapshots after a handful of records (a crash then often meets a fresh
  // snapshot, or one half written), the usual 2000, or a daemon's policy.
  double snapshots = r.Unit();
  if (snapshots < 0.3) s.nodes.snapshot_every_records = 1 + r.Below(50);
  if (snapshots > 0.8) s.nodes.snapshot_every_records = 0;
  // Some writers group their writes, as a Redis client's EXEC does.
  if (r.Chance(0.3)) s.workload.group_writes = r.Unit();
  // Some fleets also share a Redis relay.
  if (r.Chance(0.2)) s.relay.latency_ms = 0.5 + 10 * r.Unit();
  return s;
}

Result<SwarmOutcome> RunSwarm(const SwarmOptions& options) {
  SwarmOutcome outcome;
  for (int run = 0; run < options.runs; ++run) {
    uint64_t run_seed = SwarmRunSeed(options.seed, run);
    Scenario scenario = RandomScenario(run_seed, options.limits);
    std::string reproduce = "parley sim swarm --runs 1 --seed " + std::to_string(run_seed) + " --max-nodes " +
                            std::to_string(options.limits.max_nodes) + " --max-duration-ms " +
                            std::to_string(options.limits.max_duration_ms);
    Result<SimResult> result = RunScenario(scenario, run_seed, reproduce);
    if (!result.ok()) return result.status().WithContext("swarm run seed " + std::to_string(run_seed));
    ++outcome.runs_done;
    if (options.on_run) options.on_run(run, *result);
    if (!result->ok()) {
      if (!options.dump_path.empty()) {
        std::ofstream out(options.dump_path, std::ios::trunc);
        out << ScenarioToToml(scenario);
        if (out) reproduce += "\n  or: parley sim run " + options.dump_path + " --seed " + std::to_string(run_seed);
      }
      outcome.reproduce = reproduce;
      result->reproduce = reproduce;
      outcome.failure = std::move(result).value();
      break;
    }
  }
  return outcome;
}

}  // namespace parley::sim

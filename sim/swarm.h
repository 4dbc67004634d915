// Swarm: many short random scenarios, stopping at the first violation.
//
// Each run's scenario is generated from its own run seed, and the run is
// simulated with that same seed, so "parley sim swarm --runs 1 --seed X"
// replays run X exactly. Run 0 of a swarm uses the swarm seed itself and run
// i > 0 uses DeriveSeed(swarm seed, kSwarm, i); a failure prints the
// one-run command and can dump its scenario as a TOML file.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/scenario.h"
#include "sim/sim_result.h"
#include "storage/status.h"

namespace parley::sim {

// Bounds of generated scenarios (smaller bounds give quicker runs, e.g. in CI).
struct SwarmLimits {
  int max_nodes = 8;            // at least 3
  uint64_t max_duration_ms = 5000;  // at least 1000
};

// A random scenario: 3..max_nodes nodes, 1..max_duration seconds, random
// network quality, clocks, workload and 1-6 faults of any kind.
Scenario RandomScenario(uint64_t run_seed, const SwarmLimits& limits = {});
uint64_t SwarmRunSeed(uint64_t swarm_seed, int run);

struct SwarmOptions {
  int runs = 100;
  uint64_t seed = 1;
  SwarmLimits limits;
  // If set, a failing scenario is written to this path as TOML.
  std::string dump_path;
  // Called after each run (for progress output); may be empty.
  std::function<void(int run, const SimResult&)> on_run;
};

struct SwarmOutcome {
  int runs_done = 0;
  std::optional<SimResult> failure;  // the first failing run
  std::string reproduce;             // its one-run command
};

Result<SwarmOutcome> RunSwarm(const SwarmOptions& options);

}  // namespace parley::sim

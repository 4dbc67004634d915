// The simulated Redis relay (RelaySpec): two halves with no direct path
// converge through it, its scenario key survives the TOML round trip, and
// the swarm draws it.
#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/scenario_toml.h"
#include "sim/simulator.h"
#include "sim/swarm.h"

namespace parley::sim {
namespace {

// Six nodes split in halves for the whole safety phase; writes stop at 3 s,
// and a node of each half crashes and restarts (missing relay entries). By
// the end, still split, every node must hold the same state, which only the
// relay can bring about.
Scenario SplitWithWrites(double relay_latency_ms) {
  Scenario s;
  s.name = "relay-split";
  s.duration_ms = 9000;
  s.nodes.count = 6;
  s.relay.latency_ms = relay_latency_ms;
  s.workload.writes_per_s = 10;
  s.workload.stop_ms = 3000;
  s.workload.group_writes = 0.3;
  s.faults = {MakeFault(500, FaultKind::kSplit, -1, {{0, 1, 2}, {3, 4, 5}}), MakeFault(1500, FaultKind::kCrash, 1),
              MakeFault(2000, FaultKind::kCrash, 4), MakeFault(2500, FaultKind::kRestart, 1),
              MakeFault(3500, FaultKind::kRestart, 4)};
  s.checks.liveness_ms = 15000;
  return s;
}

// Distinct states among live nodes at the last sample of the safety phase.
int DistinctAtTheEndOfTheSplit(const SimResult& r, uint64_t duration_ms) {
  int distinct = -1;
  for (const DivergenceSample& sample : r.samples) {
    if (sample.at_ms <= duration_ms) distinct = sample.distinct;
  }
  return distinct;
}

TEST(SimRelay, HalvesWithNoDirectPathConvergeThroughIt) {
  Scenario with = SplitWithWrites(3);
  Result<SimResult> r = RunScenario(with, 11, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_GT(r->relay_deliveries, 0u);
  EXPECT_EQ(DistinctAtTheEndOfTheSplit(*r, with.duration_ms), 1) << FormatReport(*r);

  // Without the relay the halves stay apart until the heal.
  Scenario without = SplitWithWrites(0);
  Result<SimResult> alone = RunScenario(without, 11, "");
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_EQ(alone->relay_deliveries, 0u);
  EXPECT_GT(DistinctAtTheEndOfTheSplit(*alone, without.duration_ms), 1);
}

TEST(SimRelay, ItsLatencyRoundTripsThroughToml) {
  Scenario s = SplitWithWrites(2.5);
  Result<Scenario> back = ParseScenario(ScenarioToToml(s), "relay.toml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->relay.latency_ms, 2.5);
  Result<Scenario> none = ParseScenario(ScenarioToToml(SplitWithWrites(0)), "none.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->relay.enabled());
  EXPECT_FALSE(ParseScenario("[relay]\nlatency_ms = -1\n", "bad.toml").ok());
  EXPECT_FALSE(ParseScenario("[relay]\nlatncy_ms = 1\n", "bad.toml").ok()) << "a misspelt key";
}

// The swarm draws the relay for some of its scenarios, and their runs use it.
TEST(SimRelay, TheSwarmDrawsIt) {
  int drawn = 0;
  for (int run = 0; run < 40; ++run) {
    const uint64_t run_seed = SwarmRunSeed(20261208, run);
    const Scenario s = RandomScenario(run_seed, SwarmLimits{5, 2000});
    if (!s.relay.enabled()) continue;
    Result<SimResult> r = RunScenario(s, run_seed, "");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->ok()) << FormatReport(*r);
    EXPECT_GT(r->relay_deliveries, 0u) << FormatReport(*r);
    if (++drawn == 3) break;
  }
  EXPECT_EQ(drawn, 3) << "the swarm drew the relay less than 3 times in 40 scenarios";
}

}  // namespace
}  // namespace parley::sim

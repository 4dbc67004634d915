// The ready scenarios of sim/scenarios/, each run with its invariants checked.
//
// They are short in virtual time; 100-node-churn runs here as a 30-node,
// 10-second variant (the full one: parley sim run sim/scenarios/100-node-churn.toml).
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/report.h"
#include "sim/scenario_toml.h"
#include "sim/simulator.h"

namespace parley::sim {
namespace {

Scenario Load(const std::string& name) {
  Result<Scenario> s = LoadScenarioFile(std::string(PARLEY_SOURCE_DIR) + "/sim/scenarios/" + name + ".toml");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Scenario{};
}

void ExpectClean(const Scenario& s) {
  Result<SimResult> r = RunScenario(s, s.seed, "parley sim run sim/scenarios/" + s.name + ".toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_TRUE(r->converged);
  EXPECT_GT(r->writes_acked, 0u);
  EXPECT_EQ(r->writes_checked, r->writes_acked) << "no wipes here: every acked write must survive";
}

TEST(Scenarios, SplitBrainHeal) { ExpectClean(Load("split-brain-heal")); }
TEST(Scenarios, FlappingLink) { ExpectClean(Load("flapping-link")); }
TEST(Scenarios, ClockSkew) { ExpectClean(Load("clock-skew")); }

// Nodes see skew as timestamps ahead of their own clocks. Offsets of up to
// 3 s each way, 2% drift over 28 s, a 5 s jump forward on one node and a
// 4 s jump back on another show, up to their sum; clocks that agree show
// none (a timestamp is its writer's time, never past the receiver's).
TEST(Scenarios, SkewIsSeenOnlyWhereClocksDisagree) {
  Scenario skewed = Load("clock-skew");
  Result<SimResult> r = RunScenario(skewed, skewed.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->clock_ahead_max_ms, 1000u);
  EXPECT_LT(r->clock_ahead_max_ms, 2 * 3000u + 5000u + 4000u + 2 * 560u);
  Scenario agreed = skewed;
  agreed.nodes.clock_offset_ms = 0;
  agreed.nodes.clock_drift_ppm = 0;
  agreed.faults.clear();
  r = RunScenario(agreed, agreed.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_EQ(r->clock_ahead_max_ms, 0u);
}
TEST(Scenarios, LossyWan) { ExpectClean(Load("lossy-wan")); }

TEST(Scenarios, RollingCrashRestart) {
  Scenario s = Load("rolling-crash-restart");
  Result<SimResult> r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_EQ(r->membership.crashes, 3u);
  EXPECT_EQ(r->membership.crashes_detected, 3u);
}

// A bounded key space (checked_keys) under faults: crashes that lose
// unsynced writes, a split and clock skew must raise no false alarm when
// later writes of a node supersede its earlier ones.
TEST(Scenarios, BoundedCheckedKeysUnderFaults) {
  for (const char* name : {"split-brain-heal", "rolling-crash-restart", "clock-skew"}) {
    Scenario s = Load(name);
    s.workload.checked_keys = 2;
    Result<SimResult> r = RunScenario(s, s.seed, "");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->ok()) << name << "\n" << FormatReport(*r);
    EXPECT_GT(r->writes_checked, 0u) << name;
  }
}

// Snapshot cadence is the scenario's: every few records, crashes and
// restarts included, recovery from snapshot + log keeps every acknowledged
// write; with the daemon's policy a short run writes none.
TEST(Scenarios, SnapshotCadenceComesFromTheScenario) {
  Scenario s = Load("rolling-crash-restart");
  s.nodes.snapshot_every_records = 5;
  Result<SimResult> r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_GT(r->snapshots, 10u);
  s.nodes.snapshot_every_records = 0;
  r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_EQ(r->snapshots, 0u);
}

// Write groups (a Redis EXEC's writes, leaving a node together) through a
// split and a rolling crash, pushed directly and down the tree: every
// invariant holds, and the groups did add writes.
TEST(Scenarios, WriteGroupsKeepEveryInvariant) {
  for (const char* name : {"split-brain-heal", "rolling-crash-restart"}) {
    for (uint64_t direct_max : {128u, 2u}) {
      Scenario s = Load(name);
      s.nodes.direct_push_max_members = direct_max;
      Result<SimResult> single = RunScenario(s, s.seed, "");
      s.workload.group_writes = 0.7;
      Result<SimResult> grouped = RunScenario(s, s.seed, "");
      ASSERT_TRUE(single.ok() && grouped.ok());
      EXPECT_TRUE(grouped->ok()) << name << " " << direct_max << "\n" << FormatReport(*grouped);
      EXPECT_GT(grouped->writes_issued, single->writes_issued * 3 / 2) << name << " " << direct_max;
    }
  }
}

TEST(Scenarios, JoinerCatchUp) {
  // A wipe makes the wiped node's own local writes legitimately losable, so
  // fewer writes are required than acknowledged.
  Scenario s = Load("joiner-catch-up");
  Result<SimResult> r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_GT(r->writes_checked, 0u);
}

// The churn variant below, run as it is and with writes pushed down the
// dissemination tree (as fleets beyond 128 members do), which crashes,
// leaves, restarts and the split tear apart again and again.
class ChurnSmallVariant : public ::testing::TestWithParam<uint64_t> {};

TEST_P(ChurnSmallVariant, ConvergesWithNoAcknowledgedWriteLost) {
  Scenario s = Load("100-node-churn");
  s.nodes.direct_push_max_members = GetParam();
  const int nodes = 30;
  s.nodes.count = nodes;
  s.duration_ms = 10000;
  std::vector<FaultEvent> kept;
  for (FaultEvent f : s.faults) {
    if (f.at_ms >= s.duration_ms || f.node >= nodes) continue;
    for (auto& group : f.groups) std::erase_if(group, [&](int n) { return n >= nodes; });
    kept.push_back(f);
  }
  // Some churn must remain in the variant for it to mean anything.
  kept.push_back(MakeFault(2000, FaultKind::kCrash, 7));
  kept.push_back(MakeFault(3000, FaultKind::kLeave, 8));
  kept.push_back(MakeFault(6000, FaultKind::kRestart, 7));
  kept.push_back(MakeFault(7000, FaultKind::kRestart, 8));
  std::stable_sort(kept.begin(), kept.end(),
                   [](const FaultEvent& a, const FaultEvent& b) { return a.at_ms < b.at_ms; });
  s.faults = kept;
  ASSERT_TRUE(Validate(s).ok()) << Validate(s).ToString();
  Result<SimResult> r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
}

INSTANTIATE_TEST_SUITE_P(DirectAndTree, ChurnSmallVariant, ::testing::Values(0u, 8u));

}  // namespace
}  // namespace parley::sim

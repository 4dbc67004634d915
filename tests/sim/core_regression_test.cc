// Node-core bugs the simulator found, each pinned by a minimal scenario.
#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/simulator.h"

namespace parley::sim {
namespace {

// A partition that outlasts suspicion + reaping: each side declares the
// other dead and then forgets it. Before the fix, the side without the seed
// was not "alone" and so never knocked on the seed again, and nobody
// remembered anyone across the cut: the halves never spoke again and never
// converged (I1), and each side's acknowledged writes were missing on the
// other (I2). Fixed in NodeCore::StartAntiEntropy: a node also knocks on one
// seed that is not a live member each anti-entropy round.
TEST(CoreRegression, LongPartitionForgottenMembersReconnectThroughSeeds) {
  Scenario s;
  s.name = "long-partition-reap";
  s.duration_ms = 25000;  // reap_after_ms is 15000 for the local-fleet timing
  s.nodes.count = 4;
  s.workload.writes_per_s = 5;
  FaultEvent split;
  split.at_ms = 500;
  split.kind = FaultKind::kSplit;
  split.groups = {{0, 1}, {2, 3}};
  FaultEvent heal;
  heal.at_ms = 23000;
  heal.kind = FaultKind::kHeal;
  s.faults = {split, heal};
  s.checks.liveness_ms = 15000;
  Result<SimResult> r = RunScenario(s, 3, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
  EXPECT_TRUE(r->converged);
}

}  // namespace
}  // namespace parley::sim

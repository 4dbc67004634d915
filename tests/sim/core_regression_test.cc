// Node-core bugs the simulator found, each pinned by a minimal scenario.
#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/simulator.h"
#include "sim/swarm.h"

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

// Swarm run 2384 of seed 20261230 (5 nodes, write groups, a wipe,
// partitions): a node took the dots an anti-entropy answer's first chunk
// claimed, then the split cut the answer off. One of those dots' effect on a
// counter had been superseded by a newer event, sent in a later chunk and
// then lost with its writer's disk; the node claimed the dot without its
// effect, nobody sent the counter again, and it never converged (I1). Fixed
// in NodeCore::HandleChunk: an answer's claims count once all its chunks
// have come. (The exact interleaving depends on the code, so
// NodeCore.AnAnswersClaimsWaitForAllOfItsChunks pins the bug itself.)
TEST(CoreRegression, ClaimsOfACutOffAnswerAreNotKept) {
  Scenario s = RandomScenario(3951509459649140776ull, SwarmLimits{8, 5000});
  Result<SimResult> r = RunScenario(s, s.seed, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << FormatReport(*r);
}

}  // namespace
}  // namespace parley::sim

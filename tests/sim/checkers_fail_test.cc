// Proof that the checkers can fail: a deliberately broken sync is caught.
//
// The injected bug (fault_injector.h) widens a diff chunk's causal context
// with the next chunk's and drops that chunk, i.e. a sender that violates
// I3. The same scenario passes without the bug, so the failure is the bug's.
#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/simulator.h"

namespace parley::sim {
namespace {

Scenario PartitionedWrites() {
  Scenario s;
  s.name = "broken-sync";
  s.duration_ms = 4000;
  s.nodes.count = 4;
  s.nodes.chunk_bytes = 128;  // many chunks per anti-entropy answer
  s.workload.writes_per_s = 40;
  s.workload.stop_ms = 2500;
  s.faults = {MakeFault(300, FaultKind::kSplit, -1, {{0, 1}, {2, 3}}), MakeFault(2500, FaultKind::kHeal)};
  s.checks.liveness_ms = 10000;
  return s;
}

TEST(CheckersCanFail, WidenedDiffChunksAreCaught) {
  Scenario s = PartitionedWrites();
  s.inject_bug = "widen-diff-chunks";
  Result<SimResult> r = RunScenario(s, 11, "repro");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok()) << FormatReport(*r);
  EXPECT_FALSE(r->converged);
  bool convergence = false, lost = false;
  for (const std::string& v : r->violations) {
    convergence |= v.rfind("I1 convergence", 0) == 0;
    lost |= v.rfind("I2 lost write", 0) == 0;
  }
  EXPECT_TRUE(convergence);
  EXPECT_TRUE(lost);
  std::string report = FormatReport(*r);
  EXPECT_NE(report.find("reproduce with: repro"), std::string::npos);
}

// The same with a bounded key space (checked_keys): the bug is still caught,
// as lost writes as well as divergence.
TEST(CheckersCanFail, WidenedDiffChunksAreCaughtWithBoundedKeys) {
  Scenario s = PartitionedWrites();
  s.workload.checked_keys = 3;
  s.inject_bug = "widen-diff-chunks";
  Result<SimResult> r = RunScenario(s, 11, "repro");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok()) << FormatReport(*r);
  bool convergence = false, lost = false;
  for (const std::string& v : r->violations) {
    convergence |= v.rfind("I1 convergence", 0) == 0;
    lost |= v.rfind("I2 lost write", 0) == 0;
  }
  EXPECT_TRUE(convergence);
  EXPECT_TRUE(lost);
}

TEST(CheckersCanFail, TheSameScenarioPassesWithoutTheBug) {
  for (int checked_keys : {0, 3}) {
    Scenario s = PartitionedWrites();
    s.workload.checked_keys = checked_keys;
    Result<SimResult> r = RunScenario(s, 11, "");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->ok()) << "checked_keys " << checked_keys << "\n" << FormatReport(*r);
  }
}

}  // namespace
}  // namespace parley::sim

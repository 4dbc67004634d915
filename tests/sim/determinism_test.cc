// I5 for the simulator: the same seed gives the same trace hash.
#include <gtest/gtest.h>

#include "sim/scenario_toml.h"
#include "sim/simulator.h"
#include "sim/swarm.h"

namespace parley::sim {
namespace {

std::string HashOf(const Scenario& s, uint64_t seed) {
  Result<SimResult> r = RunScenario(s, seed, "");
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->trace_hash : "";
}

TEST(Determinism, SameSeedSameTraceDifferentSeedDifferentTrace) {
  Result<Scenario> s = LoadScenarioFile(PARLEY_SOURCE_DIR "/sim/scenarios/flapping-link.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  s->duration_ms = 7000;
  std::string a = HashOf(*s, 5), b = HashOf(*s, 5), c = HashOf(*s, 6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Determinism, RandomScenariosWithCrashesAndSkewRepeat) {
  for (uint64_t seed : {101u, 202u, 303u}) {
    Scenario s = RandomScenario(seed, SwarmLimits{5, 1500});
    EXPECT_EQ(HashOf(s, seed), HashOf(s, seed)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace parley::sim

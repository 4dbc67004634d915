// A swarm of short random runs must keep every invariant.
#include <gtest/gtest.h>

#include "sim/report.h"
#include "sim/swarm.h"

namespace parley::sim {
namespace {

TEST(Swarm, TwoHundredShortRandomRunsKeepEveryInvariant) {
  SwarmOptions options;
  options.runs = 200;
  options.seed = 20261126;
  options.limits.max_nodes = 5;
  options.limits.max_duration_ms = 1500;
  Result<SwarmOutcome> outcome = RunSwarm(options);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->runs_done, 200);
  EXPECT_FALSE(outcome->failure.has_value())
      << FormatReport(*outcome->failure) << "reproduce with: " << outcome->reproduce;
}

TEST(Swarm, RunSeedsReplayAlone) {
  // Run i of a swarm is the same run as a one-run swarm seeded with its seed.
  EXPECT_EQ(SwarmRunSeed(77, 0), 77u);
  uint64_t third = SwarmRunSeed(77, 3);
  SwarmOptions many, one;
  many.runs = 4;
  many.seed = 77;
  many.limits = one.limits = SwarmLimits{4, 1500};
  one.runs = 1;
  one.seed = third;
  std::string hash_many, hash_one;
  many.on_run = [&](int run, const SimResult& r) {
    if (run == 3) hash_many = r.trace_hash;
  };
  one.on_run = [&](int, const SimResult& r) { hash_one = r.trace_hash; };
  ASSERT_TRUE(RunSwarm(many).ok());
  ASSERT_TRUE(RunSwarm(one).ok());
  EXPECT_FALSE(hash_one.empty());
  EXPECT_EQ(hash_many, hash_one);
}

}  // namespace
}  // namespace parley::sim

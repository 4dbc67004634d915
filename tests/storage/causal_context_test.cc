// Tests of CausalContext (intervals, compaction, Missing) and HybridClock.
#include "storage/causal_context.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "storage/hybrid_clock.h"
#include "tests/support/seed.h"

namespace parley {
namespace {

TEST(CausalContext, CloudCompactsIntoVector) {
  CausalContext c;
  c.Insert({7, 1});
  c.Insert({7, 3});
  c.Insert({7, 5});
  EXPECT_EQ(c.VectorEntry(7), 1u);
  EXPECT_EQ(c.CloudSize(), 2u);
  c.Insert({7, 2});
  EXPECT_EQ(c.VectorEntry(7), 3u);
  c.Insert({7, 4});
  EXPECT_EQ(c.VectorEntry(7), 5u);
  EXPECT_EQ(c.CloudSize(), 0u);
  EXPECT_EQ(c.intervals().at(7).size(), 1u);
}

TEST(CausalContext, HugeRangeStaysSmall) {
  CausalContext c;
  c.InsertRange({1, 10, UINT64_MAX});
  c.InsertRange({1, 1, 9});
  EXPECT_EQ(c.VectorEntry(1), UINT64_MAX);
  EXPECT_EQ(c.intervals().at(1).size(), 1u);
  EXPECT_TRUE(c.Contains({1, UINT64_MAX}));
}

TEST(CausalContext, MissingMatchesBruteForce) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 300; ++round) {
    CausalContext a, b;
    std::set<Dot> sa, sb;
    for (int i = 0; i < 60; ++i) {
      Dot d{1 + rng() % 3, 1 + rng() % 40};
      if (rng() % 2) {
        a.Insert(d);
        sa.insert(d);
      } else {
        b.Insert(d);
        sb.insert(d);
      }
    }
    std::set<Dot> expected;
    for (const Dot& d : sa) {
      if (!sb.count(d)) expected.insert(d);
    }
    std::set<Dot> got;
    for (const DotRange& r : a.Missing(b)) {
      for (uint64_t c = r.first; c <= r.last; ++c) got.insert({r.replica, c});
    }
    ASSERT_EQ(got, expected) << "a=" << a.ToString() << " b=" << b.ToString();
    // Joining the missing ranges into b gives the union.
    CausalContext joined = b;
    for (const DotRange& r : a.Missing(b)) joined.InsertRange(r);
    CausalContext both = a;
    both.Join(b);
    ASSERT_EQ(joined, both);
  }
}

TEST(HybridClock, MonotonicAcrossStallsAndRemoteClocks) {
  HybridClock clock;
  Timestamp t1 = clock.Now(1000);
  Timestamp t2 = clock.Now(1000);  // same millisecond
  Timestamp t3 = clock.Now(900);   // physical clock went back
  EXPECT_LT(t1, t2);
  EXPECT_LT(t2, t3);
  EXPECT_EQ(TimestampMillis(t3), 1000u);
  clock.Observe(MakeTimestamp(5000, 7));  // a peer far ahead
  Timestamp t4 = clock.Now(1001);
  EXPECT_GT(t4, MakeTimestamp(5000, 7));
  Timestamp t5 = clock.Now(6000);
  EXPECT_EQ(t5, MakeTimestamp(6000, 0));
}

}  // namespace
}  // namespace parley

// Tests of CausalContext (intervals, compaction, Join, Missing(Onward), Includes,
// canonical form) against a reference model, and of HybridClock.
#include "storage/causal_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

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
  EXPECT_EQ(c.RangesOf(7).size(), 1u);
}

TEST(CausalContext, HugeRangeStaysSmall) {
  CausalContext c;
  c.InsertRange({1, 10, UINT64_MAX});
  c.InsertRange({1, 1, 9});
  EXPECT_EQ(c.VectorEntry(1), UINT64_MAX);
  EXPECT_EQ(c.RangesOf(1).size(), 1u);
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

// ---- reference model ---------------------------------------------------------
// A context as the plain set of its dots; everything CausalContext answers is
// computed from it the obvious way.
using DotSet = std::set<Dot>;

DotSet Dots(const CausalContext& c) {
  DotSet s;
  for (const DotRange& r : c.ranges()) {
    for (uint64_t n = r.first; n <= r.last; ++n) s.insert({r.replica, n});
  }
  return s;
}

// The canonical ranges of a dot set: maximal runs, sorted by (replica, first).
std::vector<DotRange> Runs(const DotSet& s) {
  std::vector<DotRange> out;
  for (const Dot& d : s) {
    if (!out.empty() && out.back().replica == d.replica && out.back().last + 1 == d.counter) {
      out.back().last = d.counter;
    } else {
      out.push_back({d.replica, d.counter, d.counter});
    }
  }
  return out;
}

CausalContext FromDots(const DotSet& s) {
  CausalContext c;
  for (const Dot& d : s) c.Insert(d);
  return c;
}

bool SubsetOf(const DotSet& a, const DotSet& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

// Checks every observer of `c` against the model `s`.
void ExpectMatches(const CausalContext& c, const DotSet& s) {
  ASSERT_EQ(c.ranges(), Runs(s)) << c.ToString();
  ASSERT_TRUE(CausalContext::IsCanonical(c.ranges())) << c.ToString();
  std::map<ReplicaId, std::vector<uint64_t>> by_replica;
  for (const Dot& d : s) by_replica[d.replica].push_back(d.counter);
  ASSERT_EQ(c.replica_count(), by_replica.size());
  ASSERT_EQ(c.empty(), s.empty());
  uint64_t cloud = 0;
  for (const auto& [replica, counters] : by_replica) {
    uint64_t vector = 0;
    while (vector < counters.size() && counters[vector] == vector + 1) ++vector;
    cloud += counters.size() - vector;
    ASSERT_EQ(c.VectorEntry(replica), vector) << c.ToString();
    ASSERT_EQ(c.MaxCounter(replica), counters.back()) << c.ToString();
    size_t runs = 0;
    for (const DotRange& r : Runs(s)) runs += r.replica == replica;
    ASSERT_EQ(c.RangesOf(replica).size(), runs);
  }
  ASSERT_EQ(c.CloudSize(), cloud);
  size_t groups = 0;
  c.ForEachReplica([&](ReplicaId replica, std::span<const DotRange> ranges) {
    ++groups;
    ASSERT_FALSE(ranges.empty());
    for (const DotRange& r : ranges) ASSERT_EQ(r.replica, replica);
    ASSERT_TRUE(std::equal(ranges.begin(), ranges.end(), c.RangesOf(replica).begin(),
                           c.RangesOf(replica).end()));
  });
  ASSERT_EQ(groups, by_replica.size());
  ASSERT_EQ(CausalContext::FromCanonical(c.ranges()), c);
}

// ---- fixed cases -------------------------------------------------------------

// a = {1: 1-10, 20-30; 3: 5} and b = {1: 3-4, 8-22; 2: 1-100; 3: 1-4}.
std::pair<CausalContext, CausalContext> FixedPair() {
  CausalContext a, b;
  a.InsertRange({1, 1, 10});
  a.InsertRange({1, 20, 30});
  a.InsertRange({3, 5, 5});
  b.InsertRange({1, 3, 4});
  b.InsertRange({1, 8, 22});
  b.InsertRange({2, 1, 100});
  b.InsertRange({3, 1, 4});
  return {a, b};
}

TEST(CausalContext, MissingFixedCases) {
  auto [a, b] = FixedPair();
  std::vector<DotRange> expected{{1, 1, 2}, {1, 5, 7}, {1, 23, 30}, {3, 5, 5}};
  EXPECT_EQ(a.Missing(b), expected);
  EXPECT_EQ(b.Missing(b), std::vector<DotRange>{});
  EXPECT_EQ(CausalContext().Missing(a), std::vector<DotRange>{});
  EXPECT_EQ(a.Missing(CausalContext()), a.ranges());
}

TEST(CausalContext, MissingOnwardTakesEveryDotFromEachReplicasFirstMissingOne) {
  auto [a, b] = FixedPair();
  // Missing: {1: 1-2, 5-7, 23-30} and {3: 5}. Onward from 1 for replica 1,
  // dots b has included, but only dots a has.
  std::vector<DotRange> expected{{1, 1, 10}, {1, 20, 30}, {3, 5, 5}};
  EXPECT_EQ(a.MissingOnward(b), expected);
  b.InsertRange({1, 1, 2});  // now the first missing one is 5
  expected = {{1, 5, 10}, {1, 20, 30}, {3, 5, 5}};
  EXPECT_EQ(a.MissingOnward(b), expected);
  EXPECT_EQ(b.MissingOnward(b), std::vector<DotRange>{});
  EXPECT_EQ(a.MissingOnward(CausalContext()), a.ranges());
}

TEST(CausalContext, IncludesFixedCases) {
  CausalContext empty;
  EXPECT_TRUE(empty.Includes(empty));

  CausalContext a;
  a.InsertRange({1, 1, 10});
  a.InsertRange({1, 20, 30});
  a.InsertRange({5, 1, 3});
  EXPECT_TRUE(a.Includes(empty));
  EXPECT_FALSE(empty.Includes(a));
  EXPECT_TRUE(a.Includes(a));

  auto just = [](std::vector<DotRange> ranges) {
    CausalContext c;
    for (const DotRange& r : ranges) c.InsertRange(r);
    return c;
  };
  EXPECT_TRUE(a.Includes(just({{1, 4, 4}})));
  EXPECT_TRUE(a.Includes(just({{1, 1, 10}, {1, 25, 30}, {5, 2, 3}})));
  EXPECT_FALSE(a.Includes(just({{1, 11, 11}})));         // in the gap
  EXPECT_FALSE(a.Includes(just({{1, 9, 21}})));          // spans the gap
  EXPECT_FALSE(a.Includes(just({{1, 31, 31}})));         // past the end
  EXPECT_FALSE(a.Includes(just({{2, 1, 1}})));           // unknown replica
  EXPECT_FALSE(a.Includes(just({{5, 1, 4}})));           // runs past replica 5
  EXPECT_FALSE(a.Includes(just({{1, 1, 3}, {9, 1, 1}})));  // unknown replica after known ones
  EXPECT_FALSE(a.Includes(just({{3, 1, 1}, {1, 2, 2}})));  // unknown replica between known ones
  EXPECT_FALSE(a.Includes(just({{1, 1, 1}, {2, 1, 1}, {5, 1, 1}})));  // more replicas than a

  // Counters at the top of the range.
  CausalContext huge = just({{1, 10, UINT64_MAX}});
  EXPECT_TRUE(huge.Includes(just({{1, UINT64_MAX, UINT64_MAX}})));
  EXPECT_FALSE(huge.Includes(just({{1, 9, 9}})));
  EXPECT_FALSE(just({{1, 10, UINT64_MAX - 1}}).Includes(huge));
}

TEST(CausalContext, JoinLargeAndSmallMatchReference) {
  // Large + large goes through the one-pass merge, large + small through
  // per-range insertion; both must give the union.
  std::mt19937_64 rng(7);
  DotSet sa, sb, small;
  for (ReplicaId r = 1; r <= 200; ++r) {
    for (uint64_t n = 1; n <= 12; ++n) {
      if (rng() % 3) sa.insert({r * 977, n});
      if (rng() % 3) sb.insert({r * 1009, n});
    }
  }
  small = {{977, 13}, {977 * 5, 4}, {977 * 5, 40}, {12345, 1}};
  CausalContext a = FromDots(sa), b = FromDots(sb), s = FromDots(small);
  ASSERT_GT(b.ranges().size(), 100u);
  ASSERT_LE(s.ranges().size(), 8u);

  // x.Join(y) and y.Join(x) both give the union of their dots.
  auto expect_union = [](const CausalContext& x, const DotSet& dx, const CausalContext& y, const DotSet& dy) {
    DotSet both = dx;
    both.insert(dy.begin(), dy.end());
    CausalContext joined = x;
    joined.Join(y);
    ExpectMatches(joined, both);
    CausalContext reverse = y;
    reverse.Join(x);
    EXPECT_EQ(reverse, joined);
  };
  expect_union(a, sa, b, sb);
  expect_union(a, sa, s, small);

  CausalContext self = a;
  self.Join(self);
  EXPECT_EQ(self, a);
}

TEST(CausalContext, HugeCountersMergeWithoutWrapping) {
  CausalContext a, b;
  a.InsertRange({1, 1, 5});
  a.InsertRange({1, UINT64_MAX, UINT64_MAX});
  for (ReplicaId r = 2; r < 20; ++r) b.InsertRange({r, 1, 1});
  b.InsertRange({1, 7, UINT64_MAX - 1});
  a.Join(b);  // large join: the merge path
  EXPECT_EQ(a.RangesOf(1).size(), 2u);
  EXPECT_EQ(a.MaxCounter(1), UINT64_MAX);
  a.Insert({1, 6});
  EXPECT_EQ(a.VectorEntry(1), UINT64_MAX);
  EXPECT_EQ(a.CloudSize(), 0u);
  EXPECT_TRUE(a.Includes(b));
  EXPECT_EQ(a.Missing(b), (std::vector<DotRange>{{1, 1, 6}, {1, UINT64_MAX, UINT64_MAX}}));
}

TEST(CausalContext, IsCanonicalRules) {
  using V = std::vector<DotRange>;
  EXPECT_TRUE(CausalContext::IsCanonical(V{}));
  EXPECT_TRUE(CausalContext::IsCanonical(V{{1, 1, 5}, {1, 7, 7}, {2, 1, 1}}));
  EXPECT_FALSE(CausalContext::IsCanonical(V{{0, 1, 5}}));                  // replica 0
  EXPECT_FALSE(CausalContext::IsCanonical(V{{1, 0, 5}}));                  // counter 0
  EXPECT_FALSE(CausalContext::IsCanonical(V{{1, 5, 4}}));                  // reversed
  EXPECT_FALSE(CausalContext::IsCanonical(V{{1, 1, 5}, {1, 6, 7}}));       // adjacent
  EXPECT_FALSE(CausalContext::IsCanonical(V{{1, 1, 5}, {1, 3, 7}}));       // overlapping
  EXPECT_FALSE(CausalContext::IsCanonical(V{{2, 1, 5}, {1, 7, 7}}));       // replicas unsorted
  EXPECT_FALSE(CausalContext::IsCanonical(V{{1, 1, UINT64_MAX}, {1, 5, 6}}));  // wraps
}

// ---- randomized property test ----------------------------------------------------
// Random Insert / InsertRange / Join (small and large) against the dot-set
// model; after every step all observers, Missing and Includes must agree.
TEST(CausalContext, MatchesReferenceModel) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  // Odd rounds draw from 48 random ids, as real replicas have (contexts of
  // a hundred ranges and more, as a fleet's are); even rounds from a few
  // ids at both ends of the id space, with many ranges each.
  const std::vector<ReplicaId> kBunched = {1, 2, 3, 17, 1000, UINT64_MAX};
  std::vector<ReplicaId> spread;
  for (int i = 0; i < 48; ++i) spread.push_back(rng() | 1);
  int round = 0;
  auto replica = [&] {
    const std::vector<ReplicaId>& pool = round % 2 == 1 ? spread : kBunched;
    return pool[rng() % pool.size()];
  };
  // A random context of up to `ranges` short ranges.
  auto random_context = [&](size_t ranges, DotSet& s) {
    CausalContext c;
    size_t n = rng() % (ranges + 1);
    for (size_t i = 0; i < n; ++i) {
      DotRange r{replica(), 1 + rng() % 60, 0};
      r.last = r.first + rng() % 4;
      c.InsertRange(r);
      for (uint64_t k = r.first; k <= r.last; ++k) s.insert({r.replica, k});
    }
    return c;
  };
  for (round = 0; round < 200; ++round) {
    CausalContext c;
    DotSet s;
    for (int step = 0; step < 120; ++step) {
      switch (rng() % 5) {
        case 0: {
          Dot d{replica(), 1 + rng() % 60};
          c.Insert(d);
          s.insert(d);
          break;
        }
        case 1: {
          DotRange r{replica(), 1 + rng() % 60, 0};
          r.last = r.first + rng() % 8;
          c.InsertRange(r);
          for (uint64_t k = r.first; k <= r.last; ++k) s.insert({r.replica, k});
          break;
        }
        case 2: {  // invalid ranges are ignored
          c.InsertRange({0, 1, 2});
          c.InsertRange({replica(), 0, 3});
          c.InsertRange({replica(), 9, 8});
          break;
        }
        default: {  // join a small or a large context
          DotSet so;
          CausalContext other = random_context(rng() % 2 ? 3 : 40, so);
          // Missing and Includes, both ways, before the join.
          DotSet only_c, only_o;
          std::set_difference(s.begin(), s.end(), so.begin(), so.end(),
                              std::inserter(only_c, only_c.end()));
          std::set_difference(so.begin(), so.end(), s.begin(), s.end(),
                              std::inserter(only_o, only_o.end()));
          ASSERT_EQ(c.Missing(other), Runs(only_c)) << c.ToString() << " vs " << other.ToString();
          ASSERT_EQ(other.Missing(c), Runs(only_o)) << other.ToString() << " vs " << c.ToString();
          ASSERT_EQ(c.Includes(other), SubsetOf(so, s)) << c.ToString() << " vs " << other.ToString();
          ASSERT_EQ(other.Includes(c), SubsetOf(s, so)) << other.ToString() << " vs " << c.ToString();
          // A subset built from some of c's own dots is always included.
          DotSet part;
          for (const Dot& d : s) {
            if (rng() % 3 == 0) part.insert(d);
          }
          ASSERT_TRUE(c.Includes(FromDots(part))) << c.ToString();
          c.Join(other);
          s.insert(so.begin(), so.end());
          break;
        }
      }
      ASSERT_NO_FATAL_FAILURE(ExpectMatches(c, s));
      ASSERT_EQ(Dots(c), s);
      for (int probe = 0; probe < 5; ++probe) {
        Dot d{replica(), rng() % 70};
        ASSERT_EQ(c.Contains(d), s.count(d) > 0) << c.ToString();
      }
    }
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

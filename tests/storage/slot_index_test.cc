// SlotIndex: random adds, moves and range walks agree with a plain multimap,
// including out-of-order inserts, many slots on one counter and buckets that
// drain and merge.
#include "storage/slot_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/seed.h"

namespace parley {
namespace {

using Items = std::vector<std::pair<uint64_t, SlotIndex::Ref>>;

Items Walk(const SlotIndex& index, ReplicaId replica, uint64_t first, uint64_t last) {
  Items out;
  index.ForEach(replica, first, last, [&](uint64_t counter, SlotIndex::Ref ref) { out.emplace_back(counter, ref); });
  return out;
}

// The reference keeps, per replica, counter -> refs; a walk lists refs of
// one counter in any order, so both sides are compared sorted.
Items Expected(const std::multimap<std::pair<ReplicaId, uint64_t>, SlotIndex::Ref>& ref, ReplicaId replica,
               uint64_t first, uint64_t last) {
  Items out;
  for (auto it = ref.lower_bound({replica, first});
       it != ref.end() && it->first.first == replica && it->first.second <= last; ++it) {
    out.emplace_back(it->first.second, it->second);
  }
  return out;
}

void ExpectSameItems(Items got, Items want) {
  // Counters must come in order; within a counter any order is fine.
  for (size_t i = 1; i < got.size(); ++i) ASSERT_LE(got[i - 1].first, got[i].first);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST(SlotIndex, AgreesWithAMultimapOnRandomHistories) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  SlotIndex index;
  std::multimap<std::pair<ReplicaId, uint64_t>, SlotIndex::Ref> reference;
  // Each slot's current counter per replica, as the map's clocks would hold.
  std::map<std::pair<ReplicaId, SlotIndex::Ref>, uint64_t> clock;
  uint64_t next_counter[4] = {0, 0, 0, 0};
  SlotIndex::Ref previous = 1;
  for (int step = 0; step < 20000; ++step) {
    ReplicaId replica = 1 + rng() % 3;
    // Often the slot just written again: a hot key, which Move() updates in
    // place while it stays the replica's newest event.
    SlotIndex::Ref slot = rng() % 4 == 0 ? previous : 1 + rng() % 2000;
    previous = slot;
    uint64_t counter;
    switch (rng() % 4) {
      case 0:  // a late event of this replica: below its newest counter
        counter = 1 + rng() % (next_counter[replica] + 1);
        break;
      case 1:  // a batch: the same counter as the previous event
        counter = std::max<uint64_t>(next_counter[replica], 1);
        break;
      default:
        counter = ++next_counter[replica];
        break;
    }
    next_counter[replica] = std::max(next_counter[replica], counter);
    auto [pos, added] = clock.try_emplace({replica, slot}, counter);
    if (added) {
      index.Add(replica, counter, slot);
      reference.emplace(std::make_pair(replica, counter), slot);
    } else if (counter > pos->second) {  // clocks only grow
      index.Move(replica, pos->second, counter, slot);
      auto [lo, hi] = reference.equal_range({replica, pos->second});
      for (auto it = lo; it != hi; ++it) {
        if (it->second == slot) {
          reference.erase(it);
          break;
        }
      }
      reference.emplace(std::make_pair(replica, counter), slot);
      pos->second = counter;
    }
    if (step % 500 == 0) {
      ASSERT_EQ(index.size(), reference.size());
      uint64_t a = rng() % (next_counter[replica] + 2);
      uint64_t b = a + rng() % 200;
      ExpectSameItems(Walk(index, replica, a, b), Expected(reference, replica, a, b));
      ExpectSameItems(Walk(index, replica, 0, UINT64_MAX), Expected(reference, replica, 0, UINT64_MAX));
    }
  }
  for (ReplicaId r = 1; r <= 3; ++r) {
    ExpectSameItems(Walk(index, r, 0, UINT64_MAX), Expected(reference, r, 0, UINT64_MAX));
  }
  EXPECT_TRUE(Walk(index, 99, 0, UINT64_MAX).empty());
}

TEST(SlotIndex, TheNewestSlotMovesInPlaceAndOthersStillMove) {
  SlotIndex index;
  index.Add(1, 1, 100);
  index.Add(1, 2, 200);
  index.Move(1, 2, 3, 200);  // the newest: in place
  index.Move(1, 1, 4, 100);  // not the newest: out and in again
  index.Move(1, 4, 5, 100);  // now the newest
  index.Add(1, 6, 300);      // a batch of two slots on counter 6
  index.Add(1, 6, 400);
  index.Move(1, 6, 7, 300);  // same counter as the newest, not the newest slot
  index.Move(1, 6, 8, 400);
  EXPECT_EQ(Walk(index, 1, 0, UINT64_MAX), (Items{{3, 200}, {5, 100}, {7, 300}, {8, 400}}));
  EXPECT_EQ(index.size(), 4u);
}

TEST(SlotIndex, ManySlotsOnOneCounterSpanBuckets) {
  SlotIndex index;
  for (SlotIndex::Ref r = 1; r <= 1000; ++r) index.Add(5, 10, r);  // one batch of 1000 slots
  index.Add(5, 11, 5000);
  // Move every slot of the batch, from the middle of the run outward.
  for (SlotIndex::Ref r = 500; r >= 1; --r) index.Move(5, 10, 12, r);
  for (SlotIndex::Ref r = 501; r <= 1000; ++r) index.Move(5, 10, 12, r);
  EXPECT_TRUE(Walk(index, 5, 10, 10).empty());
  EXPECT_EQ(Walk(index, 5, 11, 11), (Items{{11, 5000}}));
  EXPECT_EQ(Walk(index, 5, 12, 12).size(), 1000u);
  EXPECT_EQ(index.size(), 1001u);
}

// A fleet's map indexes every writer: the replica table grows many times,
// and every replica keeps its own items through each growth. Ids are random
// 64-bit values (as real ones are), small ones, and 0.
TEST(SlotIndex, ThousandsOfReplicasKeepTheirOwnItems) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::vector<ReplicaId> replicas{0, 1, 2, 3};
  while (replicas.size() < 3000) replicas.push_back(rng() | (uint64_t{1} << 63));
  SlotIndex index;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < replicas.size(); ++i) index.Add(replicas[i], 1 + round, 10 * i + round + 1);
  }
  for (size_t i = 0; i < replicas.size(); ++i) {
    ASSERT_EQ(Walk(index, replicas[i], 0, UINT64_MAX), (Items{{1, 10 * i + 1}, {2, 10 * i + 2}})) << "replica " << i;
  }
  EXPECT_TRUE(Walk(index, 4, 0, UINT64_MAX).empty());
  EXPECT_EQ(index.size(), 6000u);
}

}  // namespace
}  // namespace parley

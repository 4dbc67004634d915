// MergeSlot: random slot pairs, large into small and small into large (the
// in-place path), agree with the observed-remove rule written out plainly.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/slot.h"
#include "tests/support/seed.h"

namespace parley {
namespace {

// The rule from slot.h: keep an entry both sides hold, or one side holds and
// the other's clock has not seen; the clock is the pointwise maximum.
Slot Reference(const Slot& a, const Slot& b) {
  std::map<Dot, Entry> kept;
  for (const Entry& e : a.entries) {
    bool in_b = std::any_of(b.entries.begin(), b.entries.end(), [&](const Entry& x) { return x.dot == e.dot; });
    if (in_b || !b.clock.Dominates(e.dot)) kept[e.dot] = e;
  }
  for (const Entry& e : b.entries) {
    if (!kept.count(e.dot) && !a.clock.Dominates(e.dot)) kept[e.dot] = e;
  }
  std::map<ReplicaId, uint64_t> clock;
  for (const Slot* side : {&a, &b}) {
    for (auto [replica, counter] : side->clock.entries()) clock[replica] = std::max(clock[replica], counter);
  }
  Slot out;
  for (auto [replica, counter] : clock) out.clock.Raise(replica, counter);
  for (auto& [dot, e] : kept) out.entries.push_back(e);
  return out;
}

// A well-formed slot of `replicas` writers drawn from ids 1..pool, holding
// about `live` of their newest dots (with counter totals, as a counter slot
// has). Entries of one dot are equal on every side, as in a real fleet.
Slot RandomSlot(std::mt19937_64& rng, size_t replicas, size_t pool, double live) {
  std::map<ReplicaId, uint64_t> clock;
  while (clock.size() < replicas) clock[1 + rng() % pool] = 1 + rng() % 6;
  Slot slot;
  for (auto [replica, counter] : clock) {
    slot.clock.Raise(replica, counter);
    std::uniform_real_distribution<double> unit(0, 1);
    if (unit(rng) < live) {
      Dot dot{replica, 1 + rng() % counter};
      slot.entries.push_back(
          Entry{dot, dot.counter * 7 + dot.replica, "v" + std::to_string(dot.counter), dot.counter, dot.replica % 3});
    }
  }
  return slot;
}

TEST(MergeSlot, AgreesWithTheRuleForEverySizeOfEitherSide) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const size_t sizes[] = {0, 1, 2, 3, 40, 300};
  for (int round = 0; round < 3000; ++round) {
    size_t pool = rng() % 2 ? 8 : 400;
    Slot a = RandomSlot(rng, std::min(pool, sizes[rng() % 6]), pool, 0.5);
    Slot b = RandomSlot(rng, std::min(pool, sizes[rng() % 6]), pool, 0.5);
    ASSERT_TRUE(a.IsWellFormed());
    ASSERT_TRUE(b.IsWellFormed());
    Slot expected = Reference(a, b);
    Slot merged = a;
    bool changed = MergeSlot(merged, b);
    ASSERT_EQ(merged.clock.entries(), expected.clock.entries()) << "round " << round;
    ASSERT_EQ(merged.entries, expected.entries) << "round " << round;
    EXPECT_EQ(changed, merged.entries != a.entries) << "round " << round;
  }
}

// The shapes a write's change has in a shared slot: a counter writer
// replacing its previous total, and a register write removing the entry it
// replaced, joined into a slot whose clock names hundreds of writers.
TEST(MergeSlot, AChangeJoinsInPlaceIntoAFleetWideSlot) {
  Slot counter;
  for (ReplicaId r = 1; r <= 300; ++r) {
    counter.clock.Raise(r, 5);
    counter.entries.push_back(Entry{Dot{r, 5}, 0, "", 10 * r, 0});
  }
  Slot change;  // replica 150's next increment: its old total is seen and replaced
  change.clock.Raise(150, 6);
  change.entries.push_back(Entry{Dot{150, 6}, 0, "", 1501, 0});
  Slot expected = Reference(counter, change);
  EXPECT_TRUE(MergeSlot(counter, change));
  EXPECT_EQ(counter.entries, expected.entries);
  EXPECT_EQ(counter.entries.size(), 300u);
  EXPECT_EQ(counter.clock.get(150), 6u);

  Slot reg;
  for (ReplicaId r = 1; r <= 300; ++r) reg.clock.Raise(r, 3);
  reg.entries.push_back(Entry{Dot{20, 3}, 100, "old", 0, 0});
  Slot write;  // replica 999 (new to the slot) overwrites 20:3
  write.clock.Raise(20, 3);
  write.clock.Raise(999, 1);
  write.entries.push_back(Entry{Dot{999, 1}, 200, "new", 0, 0});
  EXPECT_TRUE(MergeSlot(reg, write));
  ASSERT_EQ(reg.entries.size(), 1u);
  EXPECT_EQ(reg.entries[0].value, "new");
  EXPECT_EQ(reg.clock.size(), 301u);
  EXPECT_FALSE(MergeSlot(reg, write));  // joining it again changes nothing
}

}  // namespace
}  // namespace parley

// StoredSlot: every Slot converts to the compact form and back unchanged,
// whichever of the inline and heap forms it lands in.
#include "storage/stored_slot.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace parley {
namespace {

Slot MakeSlot(std::vector<VersionVector::Entry> clock, std::vector<Entry> entries) {
  return Slot{VersionVector::FromCanonical(std::move(clock)), std::move(entries)};
}

void ExpectRoundTrip(const Slot& slot) {
  StoredSlot stored;
  stored.Assign(Slot(slot));
  EXPECT_EQ(stored.ToSlot(), slot);
  EXPECT_EQ(stored.clock.size(), slot.clock.size());
  ASSERT_EQ(stored.entries.size(), slot.entries.size());
  for (const auto& [replica, counter] : slot.clock.entries()) EXPECT_EQ(stored.clock.get(replica), counter);
  EXPECT_EQ(stored.clock.get(12345), slot.clock.get(12345));
  // Moving keeps the state and leaves the source empty.
  StoredSlot moved{std::move(stored.clock), std::move(stored.entries)};
  EXPECT_EQ(moved.ToSlot(), slot);
  EXPECT_EQ(stored.ToSlot(), Slot{});  // moved-from forms are empty by design
}

TEST(StoredSlot, RoundTripsEveryShape) {
  ExpectRoundTrip(Slot{});
  // Inline: one writer, one plain entry (a register, set member, hash field).
  ExpectRoundTrip(MakeSlot({{7, 3}}, {Entry{Dot{7, 3}, 99, "value", 0, 0}}));
  ExpectRoundTrip(MakeSlot({{7, 3}}, {Entry{Dot{7, 2}, 99, std::string(100, 'x'), 0, 0}}));
  // A removed entry: clock only.
  ExpectRoundTrip(MakeSlot({{7, 3}}, {}));
  // Heap forms: several writers, concurrent entries, counter totals.
  ExpectRoundTrip(MakeSlot({{7, 3}, {9, 1}}, {Entry{Dot{7, 3}, 5, "a", 0, 0}, Entry{Dot{9, 1}, 6, "b", 0, 0}}));
  ExpectRoundTrip(MakeSlot({{7, 3}}, {Entry{Dot{7, 3}, 5, "", 10, 4}}));
  ExpectRoundTrip(MakeSlot({{7, 3}}, {Entry{Dot{7, 3}, 5, "odd value", 0, 1}}));
  // Replica 0 is not refused by decoders in a clock or entry; it must survive.
  ExpectRoundTrip(MakeSlot({{0, 4}}, {Entry{Dot{0, 4}, 5, "zero", 0, 0}}));
}

// One slot of every form: inline, heap, empty, counter totals, clock only,
// replica 0.
std::vector<Slot> Shapes() {
  return {
      MakeSlot({{7, 3}}, {Entry{Dot{7, 3}, 99, "value", 0, 0}}),
      MakeSlot({{7, 3}, {9, 1}}, {Entry{Dot{7, 3}, 5, "a", 0, 0}, Entry{Dot{9, 1}, 6, "b", 0, 0}}),
      Slot{},
      MakeSlot({{7, 4}, {9, 2}, {11, 1}}, {Entry{Dot{9, 2}, 5, "", 3, 0}}),
      MakeSlot({{7, 5}}, {}),
      MakeSlot({{7, 3}, {9, 1}}, {}),
      MakeSlot({{0, 4}}, {Entry{Dot{0, 4}, 5, "zero", 0, 0}}),
  };
}

TEST(StoredSlot, ReassignmentSwitchesForms) {
  std::vector<Slot> shapes = Shapes();
  StoredSlot stored;
  for (const Slot& a : shapes) {
    for (const Slot& b : shapes) {
      stored.Assign(Slot(a));
      EXPECT_EQ(stored.ToSlot(), a);
      stored.Assign(Slot(b));
      EXPECT_EQ(stored.ToSlot(), b);
    }
  }
}

// Join()'s way: the state moves out into a reused scratch slot, is merged
// there, and moves back in, from and to every form.
TEST(StoredSlot, MovesOutAndBackInBetweenEveryPairOfForms) {
  std::vector<Slot> shapes = Shapes();
  Slot scratch = MakeSlot({{1, 1}, {2, 2}, {3, 3}}, {Entry{Dot{1, 1}, 1, "stale", 0, 0}});
  for (const Slot& a : shapes) {
    for (const Slot& b : shapes) {
      StoredSlot stored;
      stored.Assign(Slot(a));
      stored.MoveTo(&scratch);
      ASSERT_EQ(scratch, a);
      scratch.clock.AssignCanonical(b.clock.entries());  // the merge, in place
      scratch.entries.assign(b.entries.begin(), b.entries.end());
      stored.Assign(std::move(scratch));
      ASSERT_EQ(stored.ToSlot(), b);
    }
  }
}

TEST(StoredSlot, NewestIsLastWriterWins) {
  StoredSlot stored;
  EXPECT_EQ(stored.entries.Newest(), 0u);  // none
  stored.Assign(MakeSlot({{7, 3}, {9, 2}}, {Entry{Dot{7, 3}, 5, "a", 0, 0}, Entry{Dot{9, 2}, 5, "b", 0, 0},
                                            }));
  EXPECT_EQ(stored.entries.value(stored.entries.Newest()), "b");  // tie on ts: greater dot
  stored.Assign(MakeSlot({{7, 3}, {9, 2}}, {Entry{Dot{7, 3}, 6, "a", 0, 0}, Entry{Dot{9, 2}, 5, "b", 0, 0}}));
  EXPECT_EQ(stored.entries.value(stored.entries.Newest()), "a");
}

}  // namespace
}  // namespace parley

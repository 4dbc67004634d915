// Semantics of CrdtMap: each type, observed-remove races, type conflicts,
// batches and malformed deltas.
#include "storage/crdt_map.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/seed.h"

namespace parley {
namespace {

using ::testing::ElementsAre;

// Two-way full-state exchange.
void Sync(CrdtMap& a, CrdtMap& b) {
  Delta da = a.ExportState();
  Delta db = b.ExportState();
  ASSERT_TRUE(a.Join(db).ok());
  ASSERT_TRUE(b.Join(da).ok());
}

Delta Must(Result<Delta> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Delta{};
}

// Apply() into a reused delta must give exactly the delta a fresh one gets,
// whatever the previous batch left in it (more slots, other types, longer
// clocks), and the kept digest must match one computed from scratch though
// a hot slot takes its old hash from the last change.
TEST(CrdtMap, ApplyIntoAReusedDeltaEqualsAFreshDelta) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  CrdtMap fresh(9), reused(9), peer(4);
  Delta scratch;
  for (int step = 0; step < 2000; ++step) {
    std::vector<Op> ops;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) {
      std::string key = "k" + std::to_string(rng() % 4);
      std::string member = "m" + std::to_string(rng() % 3);
      switch (rng() % 6) {
        case 0: ops.push_back(Op::Set(key, std::string(rng() % 30, 'v'))); break;
        case 1: ops.push_back(Op::Incr(key, 2)); break;
        case 2: ops.push_back(Op::SAdd(key, member)); break;
        case 3: ops.push_back(Op::HSet(key, member, "h")); break;
        case 4: ops.push_back(Op::HDel(key, member)); break;
        default: ops.push_back(Op::Del(key)); break;
      }
    }
    Timestamp ts = MakeTimestamp(1000 + step, 0);
    Result<Delta> expected = fresh.Apply(ops, ts);
    Status got = reused.Apply(ops, ts, &scratch);
    ASSERT_EQ(got.ok(), expected.ok()) << "step " << step;
    if (expected.ok()) {
      ASSERT_EQ(scratch, *expected) << "step " << step;
      ASSERT_TRUE(peer.Join(scratch).ok());
    } else {
      ASSERT_TRUE(scratch.empty()) << "step " << step;
    }
    if (step % 50 == 0) {  // another writer's entries widen the clocks
      ASSERT_TRUE(peer.Apply(Op::Set("k" + std::to_string(rng() % 4), "p"), ts).ok());
      ASSERT_TRUE(fresh.Join(peer.ExportState()).ok());
      ASSERT_TRUE(reused.Join(peer.ExportState()).ok());
    }
    ASSERT_EQ(reused.StateDigest(), reused.RecomputeStateDigest()) << "step " << step;
  }
  EXPECT_EQ(reused.StateDigest(), fresh.StateDigest());
}

// The slot whose hash a map remembers moves with the map; the moved-from
// map, written to again, must not take a hash from it.
TEST(CrdtMap, DigestStaysRightAcrossAMove) {
  auto moved_from = std::make_unique<CrdtMap>(3);
  ASSERT_TRUE(moved_from->Apply(Op::Set("k", "1"), MakeTimestamp(1, 0)).ok());
  CrdtMap owner(std::move(*moved_from));
  ASSERT_TRUE(owner.Apply(Op::Set("k", "2"), MakeTimestamp(2, 0)).ok());
  EXPECT_EQ(owner.StateDigest(), owner.RecomputeStateDigest());
  *moved_from = CrdtMap(3);
  ASSERT_TRUE(moved_from->Apply(Op::Set("k", "3"), MakeTimestamp(3, 0)).ok());
  ASSERT_TRUE(moved_from->Apply(Op::Set("k", "4"), MakeTimestamp(4, 0)).ok());
  EXPECT_EQ(moved_from->StateDigest(), moved_from->RecomputeStateDigest());
}

// Dozens of writers race on a few shared keys, so slot clocks grow far past
// what a write's change carries and Join() merges and rehashes only the
// touched replicas (MergeSlot's in-place path, SlotHash's terms). Two
// receivers join every change, in two different orders; after each join the
// kept digest must equal one computed from scratch, and at the end both
// receivers must hold the writers' state.
TEST(CrdtMap, ChangesJoinedIntoFleetWideSlotsKeepTheDigestRight) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::vector<std::unique_ptr<CrdtMap>> writers;
  for (ReplicaId r = 10; r < 58; ++r) writers.push_back(std::make_unique<CrdtMap>(r));
  std::vector<Delta> changes;
  for (int step = 0; step < 1500; ++step) {
    CrdtMap& w = *writers[rng() % writers.size()];
    std::string key = "shared/" + std::to_string(rng() % 3);
    std::string item = "m" + std::to_string(rng() % 3);
    Op op = Op::Del(key);
    switch (rng() % 8) {
      case 0:
      case 1: op = Op::Incr(key, 1 + static_cast<int64_t>(rng() % 5)); break;
      case 2: op = Op::Set(key, "v" + std::to_string(step)); break;
      case 3:
      case 4: op = Op::SAdd(key, item); break;
      case 5: op = Op::SRem(key, item); break;
      case 6: op = Op::HSet(key, item, "h" + std::to_string(step)); break;
      default: break;  // a DEL now and then
    }
    Result<Delta> d = w.Apply(op, MakeTimestamp(100 + step, 0));
    if (!d.ok() || d->empty()) continue;  // wrong type: nothing changed
    changes.push_back(*d);
    // Writers learn each other's changes, so later changes replace entries
    // of other replicas and their slots' clocks name many writers.
    for (auto& other : writers) {
      if (other.get() == &w) continue;
      ASSERT_TRUE(other->Join(*d).ok());
    }
  }
  CrdtMap in_order(1), shuffled(2);
  std::vector<size_t> order(changes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i = 0; i < changes.size(); ++i) {
    ASSERT_TRUE(in_order.Join(changes[i]).ok());
    ASSERT_TRUE(shuffled.Join(changes[order[i]]).ok());
    if (i % 10 == 0 || i + 1 == changes.size()) {
      ASSERT_EQ(in_order.StateDigest(), in_order.RecomputeStateDigest()) << "change " << i;
      ASSERT_EQ(shuffled.StateDigest(), shuffled.RecomputeStateDigest()) << "change " << i;
    }
  }
  EXPECT_EQ(in_order.CanonicalEncoding(), writers[0]->CanonicalEncoding());
  EXPECT_EQ(in_order.StateDigest(), writers[0]->StateDigest());
  EXPECT_EQ(shuffled.StateDigest(), writers[0]->StateDigest());
}

TEST(CrdtMap, RegisterLastWriterWins) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::Set("k", "from-a"), MakeTimestamp(100, 0)));
  Must(b.Apply(Op::Set("k", "from-b"), MakeTimestamp(200, 0)));
  Sync(a, b);
  EXPECT_EQ(a.GetRegister("k"), "from-b");
  EXPECT_EQ(b.GetRegister("k"), "from-b");
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
  // Equal timestamps: the higher replica id wins.
  Must(a.Apply(Op::Set("t", "a"), MakeTimestamp(300, 0)));
  Must(b.Apply(Op::Set("t", "b"), MakeTimestamp(300, 0)));
  Sync(a, b);
  EXPECT_EQ(a.GetRegister("t"), "b");
}

TEST(CrdtMap, CounterSumsAllReplicas) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::Incr("c", 5), 1));
  Must(a.Apply(Op::Incr("c", -2), 2));
  Must(b.Apply(Op::Incr("c", 10), 1));
  Sync(a, b);
  EXPECT_EQ(a.GetCounter("c"), 13);
  EXPECT_EQ(b.GetCounter("c"), 13);
  Must(b.Apply(Op::Incr("c", 1), 3));
  Sync(a, b);
  EXPECT_EQ(a.GetCounter("c"), 14);
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
}

// A replica's counter entry sits among the others by replica id: its first
// increment goes between them, later ones update it where it is.
TEST(CrdtMap, CounterEntryOfAMiddleReplicaStaysInPlace) {
  CrdtMap a(1), b(2), c(3);
  Must(a.Apply(Op::Incr("c", 1), 1));
  Must(c.Apply(Op::Incr("c", 100), 1));
  Sync(a, b);
  Sync(b, c);
  Must(b.Apply(Op::Incr("c", 10), 2));  // new entry between replicas 1 and 3
  Must(b.Apply(Op::Incr("c", 10), 3));  // replaces it
  Must(b.Apply(Op::Incr("c", -5), 4));
  EXPECT_EQ(b.GetCounter("c"), 116);
  EXPECT_EQ(b.StateDigest(), b.RecomputeStateDigest());
  Sync(a, b);
  Sync(b, c);
  Sync(a, c);
  for (const CrdtMap* m : {&a, &b, &c}) {
    EXPECT_EQ(m->GetCounter("c"), 116);
    EXPECT_EQ(m->StateDigest(), a.StateDigest());
  }
}

TEST(CrdtMap, SetAddWinsOverConcurrentRemove) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::SAdd("s", "x"), 1));
  Sync(a, b);
  Must(a.Apply(Op::SRem("s", "x"), 2));  // a removes the x it saw
  Must(b.Apply(Op::SAdd("s", "x"), 3));  // b concurrently adds x again
  Sync(a, b);
  EXPECT_TRUE(a.SetContains("s", "x"));
  EXPECT_THAT(b.SetMembers("s"), ElementsAre("x"));
  // A remove that has seen every add wins.
  Must(a.Apply(Op::SRem("s", "x"), 4));
  Sync(a, b);
  EXPECT_FALSE(b.SetContains("s", "x"));
  EXPECT_EQ(b.TypeOf("s"), ValueType::kNone);
}

TEST(CrdtMap, HashFieldsAreRegisters) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::HSet("h", "f", "1"), 10));
  Must(b.Apply(Op::HSet("h", "g", "2"), 11));
  Must(b.Apply(Op::HSet("h", "f", "3"), 12));
  Sync(a, b);
  EXPECT_EQ(a.HashGet("h", "f"), "3");
  EXPECT_THAT(a.HashAll("h"), ElementsAre(std::pair<std::string, std::string>{"f", "3"},
                                          std::pair<std::string, std::string>{"g", "2"}));
  Must(a.Apply(Op::HDel("h", "f"), 13));
  Sync(a, b);
  EXPECT_EQ(b.HashGet("h", "f"), std::nullopt);
  EXPECT_EQ(b.HashAll("h").size(), 1u);
}

TEST(CrdtMap, UpdateConcurrentWithDeleteSurvives) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::Set("k", "v1"), 1));
  Sync(a, b);
  Must(a.Apply(Op::Del("k"), 2));
  Must(b.Apply(Op::Set("k", "v2"), 3));
  Sync(a, b);
  EXPECT_EQ(a.GetRegister("k"), "v2");
  // A delete that observed everything removes the key for everyone.
  Must(a.Apply(Op::Del("k"), 4));
  Sync(a, b);
  EXPECT_EQ(b.GetRegister("k"), std::nullopt);
  EXPECT_EQ(b.KeyCount(), 0u);
  EXPECT_TRUE(b.Keys().empty());
}

TEST(CrdtMap, CounterDeleteRemovesObservedContributions) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::Incr("c", 5), 1));
  Must(b.Apply(Op::Incr("c", 7), 1));
  Sync(a, b);
  Must(a.Apply(Op::Del("c"), 2));
  Sync(a, b);
  EXPECT_EQ(b.GetCounter("c"), std::nullopt);
  Must(b.Apply(Op::Incr("c", 1), 3));  // starts again from zero
  Sync(a, b);
  EXPECT_EQ(a.GetCounter("c"), 1);
}

TEST(CrdtMap, WrongTypeIsRefusedAndChangesNothing) {
  CrdtMap a(1);
  Must(a.Apply(Op::SAdd("s", "x"), 1));
  Digest before = a.StateDigest();
  auto r = a.Apply(Op::Incr("s", 1), 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kWrongType);
  EXPECT_NE(r.status().message().find("WRONGTYPE"), std::string::npos);
  EXPECT_EQ(a.StateDigest(), before);
  // SET replaces a value of any type, like Redis.
  Must(a.Apply(Op::Set("s", "now a string"), 3));
  EXPECT_EQ(a.TypeOf("s"), ValueType::kRegister);
  EXPECT_TRUE(a.SetMembers("s").empty());
}

TEST(CrdtMap, BatchIsAtomicAndOneEvent) {
  CrdtMap a(1);
  Must(a.Apply(Op::Set("str", "v"), 1));
  std::vector<Op> bad = {Op::Set("x", "1"), Op::Incr("y", 2), Op::SAdd("str", "m")};
  Digest before = a.StateDigest();
  EXPECT_FALSE(a.Apply(bad, 2).ok());
  EXPECT_EQ(a.StateDigest(), before);
  EXPECT_EQ(a.GetRegister("x"), std::nullopt);

  std::vector<Op> good = {Op::Set("x", "1"), Op::Incr("y", 2), Op::SAdd("z", "m"),
                          Op::Incr("y", 3), Op::Del("str")};
  Delta d = Must(a.Apply(good, 3));
  EXPECT_EQ(d.context.RangesOf(1).size(), 1u);
  EXPECT_EQ(d.context.MaxCounter(1), 2u);  // one dot for the whole batch
  EXPECT_EQ(a.GetCounter("y"), 5);
  CrdtMap b(2);
  ASSERT_TRUE(b.Join(d).ok());
  EXPECT_EQ(b.GetRegister("x"), "1");
  EXPECT_EQ(b.GetCounter("y"), 5);
  EXPECT_TRUE(b.SetContains("z", "m"));
}

TEST(CrdtMap, BatchCanChangeTypeInOrder) {
  CrdtMap a(1);
  std::vector<Op> ops = {Op::Set("k", "v"), Op::Del("k"), Op::Incr("k", 4)};
  Must(a.Apply(ops, 1));
  EXPECT_EQ(a.GetCounter("k"), 4);
}

TEST(CrdtMap, ConcurrentCreationWithTwoTypesResolvesByNewestWrite) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::SAdd("k", "m"), MakeTimestamp(100, 0)));
  Must(b.Apply(Op::Incr("k", 3), MakeTimestamp(200, 0)));
  Sync(a, b);
  EXPECT_EQ(a.TypeOf("k"), ValueType::kCounter);
  EXPECT_EQ(b.TypeOf("k"), ValueType::kCounter);
  EXPECT_EQ(a.GetCounter("k"), 3);
  EXPECT_TRUE(a.SetMembers("k").empty());
  // The next write of the visible type removes the hidden set for good.
  Must(a.Apply(Op::Incr("k", 1), MakeTimestamp(300, 0)));
  Sync(a, b);
  Must(b.Apply(Op::Del("k"), MakeTimestamp(400, 0)));
  Sync(a, b);
  EXPECT_EQ(a.TypeOf("k"), ValueType::kNone);
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
}

TEST(CrdtMap, RemovalOfAbsentKeyIsANoOp) {
  CrdtMap a(1);
  Digest before = a.StateDigest();
  Delta d = Must(a.Apply(Op::Del("nothing"), 1));
  EXPECT_TRUE(d.empty());
  Must(a.Apply(Op::SRem("nothing", "x"), 1));
  EXPECT_EQ(a.StateDigest(), before);
}

TEST(CrdtMap, MalformedDeltaIsRejectedWithoutChange) {
  CrdtMap a(1);
  Must(a.Apply(Op::Set("k", "v"), 1));
  Digest before = a.StateDigest();
  Delta bad;
  bad.slots.push_back(SlotState{"k", SlotKey{ValueType::kRegister, {}}, Slot{}});
  bad.slots[0].state.entries.push_back(Entry{Dot{9, 5}, 1, "x", 0, 0});  // not covered by clock
  Status s = a.Join(bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("malformed delta"), std::string::npos);
  EXPECT_EQ(a.StateDigest(), before);

  Delta unsorted;
  Slot slot;
  slot.clock.Raise(9, 1);
  unsorted.slots.push_back(SlotState{"b", SlotKey{ValueType::kRegister, {}}, slot});
  unsorted.slots.push_back(SlotState{"a", SlotKey{ValueType::kRegister, {}}, slot});
  EXPECT_FALSE(a.Join(unsorted).ok());
  EXPECT_EQ(a.StateDigest(), before);
}

TEST(CrdtMap, ReadOnlyMapCannotWrite) {
  CrdtMap m;
  EXPECT_EQ(m.Apply(Op::Set("k", "v"), 1).status().code(), Status::Code::kInvalidArgument);
}

TEST(CrdtMap, KeysByPrefix) {
  CrdtMap a(1);
  for (const char* k : {"app:1", "app:2", "apple", "b"}) Must(a.Apply(Op::Set(k, "v"), 1));
  Must(a.Apply(Op::Del("app:2"), 2));
  EXPECT_THAT(a.Keys("app:"), ElementsAre("app:1"));
  EXPECT_THAT(a.Keys("app"), ElementsAre("app:1", "apple"));
  EXPECT_EQ(a.Keys("", 2).size(), 2u);
  EXPECT_EQ(a.KeyCount(), 3u);
}

TEST(CrdtMap, KeysCreatedOutOfOrderListAndExportInOrder) {
  // Keys are stored as they come and sorted when asked for: ask between
  // writes, so later keys must merge into an order already handed out.
  CrdtMap a(1);
  std::vector<std::string> expected;
  for (const char* k : {"m", "c", "x", "a", "n", "b", "z"}) {
    Must(a.Apply(Op::Set(k, "v"), 1));
    expected.push_back(k);
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(a.Keys(), expected) << "after " << k;
  }
  Delta state = a.ExportState();
  std::string why;
  EXPECT_TRUE(state.IsWellFormed(&why)) << why;  // slots sorted by key
  CrdtMap b(2);
  ASSERT_TRUE(b.Join(state).ok());
  EXPECT_EQ(b.CanonicalEncoding(), a.CanonicalEncoding());
}

TEST(CrdtMap, JoinReportsChangedKeysOnce) {
  CrdtMap a(1), b(2);
  std::vector<Op> ops = {Op::Set("x", "1"), Op::SAdd("s", "m1"), Op::SAdd("s", "m2")};
  Delta d = Must(a.Apply(ops, 1));
  std::vector<std::string> changed;
  ASSERT_TRUE(b.Join(d, &changed).ok());
  EXPECT_THAT(changed, ElementsAre("s", "x"));
  changed.clear();
  ASSERT_TRUE(b.Join(d, &changed).ok());  // duplicate: nothing new
  EXPECT_TRUE(changed.empty());
}

// A key's slots are kept in two places (its first member-less slot inline,
// the rest in a member map); whichever holds which, reads, the exported
// state's order and the canonical encoding must not tell.
TEST(CrdtMap, EmptyMembersAndMixedTypesKeepSlotOrder) {
  CrdtMap a(1), b(2);
  Must(a.Apply(Op::SAdd("s", "m"), MakeTimestamp(1, 0)));
  Must(a.Apply(Op::SAdd("s", ""), MakeTimestamp(2, 0)));  // not the first slot
  Must(a.Apply(Op::SAdd("t", ""), MakeTimestamp(3, 0)));  // the first slot
  Must(a.Apply(Op::SAdd("t", "a"), MakeTimestamp(4, 0)));
  Must(a.Apply(Op::HSet("h", "", "empty field"), MakeTimestamp(5, 0)));
  EXPECT_THAT(a.SetMembers("s"), ElementsAre("", "m"));
  EXPECT_THAT(a.SetMembers("t"), ElementsAre("", "a"));
  EXPECT_EQ(a.HashGet("h", ""), "empty field");
  // A counter created first, then a concurrent register from another replica:
  // the register slot sorts before the counter slot that came first.
  Must(a.Apply(Op::Incr("c", 2), MakeTimestamp(6, 0)));
  Must(b.Apply(Op::Set("c", "reg"), MakeTimestamp(7, 0)));
  Must(b.Apply(Op::Incr("d", 1), MakeTimestamp(1, 0)));
  Must(a.Apply(Op::Set("d", "newer"), MakeTimestamp(8, 0)));
  Sync(a, b);
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
  EXPECT_EQ(a.CanonicalEncoding(), b.CanonicalEncoding());
  EXPECT_EQ(a.GetRegister("c"), "reg");
  EXPECT_EQ(b.GetRegister("d"), "newer");
  Delta state = a.ExportState();
  std::string why;
  EXPECT_TRUE(state.IsWellFormed(&why)) << why;
  CrdtMap c;
  ASSERT_TRUE(c.Join(state).ok());
  EXPECT_EQ(c.ExportState(), state);
  EXPECT_EQ(c.CanonicalEncoding(), a.CanonicalEncoding());
  // The next register write clears the hidden counter for good.
  Must(a.Apply(Op::Set("c", "x"), MakeTimestamp(9, 0)));
  EXPECT_EQ(a.GetCounter("c"), std::nullopt);
  std::vector<Op> retype = {Op::Del("c"), Op::Incr("c", 5)};
  Must(a.Apply(retype, MakeTimestamp(10, 0)));
  EXPECT_EQ(a.GetCounter("c"), 5);
}

// Entries a decoder accepts but no write makes (a counter total on a
// register, a value on a counter) are state like any other: they survive a
// join and an export unchanged.
TEST(CrdtMap, UnusualEntriesSurviveJoinAndExport) {
  Delta d;
  d.context.Insert(Dot{9, 1});
  d.context.Insert(Dot{9, 2});
  Slot reg;
  reg.clock.Raise(9, 1);
  reg.entries.push_back(Entry{Dot{9, 1}, 5, "v", 3, 1});
  Slot counter;
  counter.clock.Raise(9, 2);
  counter.entries.push_back(Entry{Dot{9, 2}, 6, "stray", 4, 0});
  d.slots.push_back(SlotState{"a", SlotKey{ValueType::kRegister, {}}, reg});
  d.slots.push_back(SlotState{"b", SlotKey{ValueType::kCounter, {}}, counter});
  CrdtMap m;
  ASSERT_TRUE(m.Join(d).ok());
  EXPECT_EQ(m.ExportState(), d);
  EXPECT_EQ(m.GetRegister("a"), "v");
  EXPECT_EQ(m.GetCounter("b"), 4);
}


// A write's delta carries only its change: the slot's clock grows with every
// replica that ever wrote the key, the delta does not.
TEST(CrdtMap, WriteDeltaCarriesOnlyItsChange) {
  std::vector<std::unique_ptr<CrdtMap>> writers;
  CrdtMap last(1000);
  for (ReplicaId r = 1; r <= 50; ++r) {
    writers.push_back(std::make_unique<CrdtMap>(r));
    Delta d = Must(writers.back()->Apply(Op::Set("k", "v" + std::to_string(r)), MakeTimestamp(r, 0)));
    ASSERT_TRUE(last.Join(d).ok());
  }
  Delta first = Must(last.Apply(Op::Set("k", "mine"), MakeTimestamp(100, 0)));
  ASSERT_EQ(first.slots.size(), 1u);
  const SlotState& change = first.slots[0];
  // 50 concurrent values replaced, so 50 dots plus its own; no others.
  EXPECT_EQ(change.state.clock.size(), 51u);
  EXPECT_EQ(change.after, (Dot{1000, 0}));
  Delta second = Must(last.Apply(Op::Set("k", "again"), MakeTimestamp(101, 0)));
  // Now one entry replaced, its own: the clock is that single dot.
  EXPECT_EQ(second.slots[0].state.clock.entries(), (std::vector<VersionVector::Entry>{{1000, 2}}));
  EXPECT_EQ(second.slots[0].after, (Dot{1000, 1}));
  ASSERT_EQ(second.slots[0].state.entries.size(), 1u);
  EXPECT_EQ(second.slots[0].state.entries[0].value, "again");
  // A replica that saw the first change joins the second to the same state.
  CrdtMap peer(2000);
  ASSERT_TRUE(peer.Join(last.ExportState()).ok());
  EXPECT_EQ(peer.StateDigest(), last.StateDigest());
}

// A Diff chunk may claim an event whose effect on another slot a newer event
// superseded; that slot is indexed, and sent, at the newer event. Diff()
// leaves it out when the peer has the newer event, which is right for the
// peer but not for another reader of the same answer (the relay), which
// would claim the event without its effect. DiffForAnyReader() sends every
// event from the first one the peer lacks: any reader that joins it holds
// the effects of all it claims.
TEST(CrdtMap, DiffForAnyReaderCarriesTheEventsThatSupersededWhatItClaims) {
  CrdtMap w(1), peer(2), reader(3);
  const std::vector<Op> batch = {Op::Set("k", "1"), Op::Set("t", "1")};
  Delta first = Must(w.Apply(batch, MakeTimestamp(1, 0)));    // w:1 sets k and t
  Delta second = Must(w.Apply(Op::Set("t", "2"), MakeTimestamp(2, 0)));  // w:2 supersedes t
  ASSERT_TRUE(peer.Join(second).ok());  // the peer has w:2, lacks w:1
  const std::vector<Delta> for_peer = w.Diff(peer.context());
  ASSERT_EQ(for_peer.size(), 1u);
  EXPECT_EQ(for_peer[0].slots.size(), 1u) << "t (indexed at w:2) goes only to readers lacking w:2";
  CrdtMap misled(4);
  ASSERT_TRUE(misled.Join(for_peer[0]).ok());
  EXPECT_TRUE(misled.context().Contains({1, 1}));
  EXPECT_EQ(misled.GetRegister("t"), std::nullopt) << "w:1 claimed without its t";
  const std::vector<Delta> for_anyone = w.DiffForAnyReader(peer.context());
  ASSERT_EQ(for_anyone.size(), 1u);
  EXPECT_EQ(for_anyone[0].slots.size(), 2u);
  for (const Delta& chunk : for_anyone) {
    ASSERT_TRUE(reader.Join(chunk).ok());
    ASSERT_TRUE(peer.Join(chunk).ok());
  }
  EXPECT_EQ(reader.StateDigest(), w.StateDigest());
  EXPECT_EQ(peer.StateDigest(), w.StateDigest());
}

// Why Ready() matters. q writes q:1 (replacing p:1), then q:2 (replacing
// q:1). A replica that has p:1 and joins q:2 first raises its clock for q to
// 2, so the slot claims q:1 without q:1's removal of p:1; anti-entropy indexes
// the slot only at q:2 and never sends q:1 again, and p:1 lives on forever.
TEST(CrdtMap, WriteDeltaJoinedBeforeItIsReadyLosesARemoval) {
  CrdtMap p(1), q(2), r(3), hasty(4);
  Delta dp = Must(p.Apply(Op::Set("k", "p"), MakeTimestamp(1, 0)));
  for (CrdtMap* m : {&q, &r, &hasty}) ASSERT_TRUE(m->Join(dp).ok());
  Delta dq1 = Must(q.Apply(Op::Set("k", "q1"), MakeTimestamp(2, 0)));
  Delta dq2 = Must(q.Apply(Op::Set("k", "q2"), MakeTimestamp(3, 0)));
  EXPECT_TRUE(r.Ready(dq1));
  EXPECT_FALSE(r.Ready(dq2));

  ASSERT_TRUE(hasty.Join(dq2).ok());
  for (const Delta& chunk : q.Diff(hasty.context())) ASSERT_TRUE(hasty.Join(chunk).ok());
  EXPECT_TRUE(q.Diff(hasty.context()).empty()) << "nothing more to send";
  EXPECT_NE(hasty.StateDigest(), q.StateDigest()) << "p:1 survives at the hasty replica";

  // Held until q:1 arrives, it converges.
  ASSERT_TRUE(r.Join(dq1).ok());
  ASSERT_TRUE(r.Ready(dq2));
  ASSERT_TRUE(r.Join(dq2).ok());
  EXPECT_EQ(r.StateDigest(), q.StateDigest());
}

// Every kind of write makes a change that, joined where it is ready, gives
// the writer's own state.
TEST(CrdtMap, WriteDeltasOfEveryKindReproduceTheWritersState) {
  CrdtMap a(1), b(2);
  std::vector<std::vector<Op>> batches = {
      {Op::Set("r", "1")},          {Op::Incr("c", 5)},         {Op::SAdd("s", "x"), Op::SAdd("s", "y")},
      {Op::HSet("h", "f", "v")},    {Op::Incr("c", -2)},        {Op::SRem("s", "x")},
      {Op::HDel("h", "f")},         {Op::Set("s", "now a register")},
      {Op::Del("c")},               {Op::SAdd("t", "m"), Op::SRem("t", "m"), Op::SAdd("t", "n")},
      {Op::Set("r", "2"), Op::Set("r", "3")},
  };
  for (const auto& ops : batches) {
    Delta d = Must(a.Apply(ops, MakeTimestamp(10, 0)));
    for (const SlotState& slot : d.slots) EXPECT_TRUE(slot.after.has_value());
    ASSERT_TRUE(b.Ready(d));
    ASSERT_TRUE(b.Join(d).ok());
    ASSERT_EQ(b.CanonicalEncoding(), a.CanonicalEncoding()) << "after a batch of " << ops.size();
  }
}

// Effects whose events nobody claims any more (the nodes that did lost their
// disks) are found wherever they sit beyond a replica's claimed ranges: in a
// gap, past the newest claimed event, or of a replica never claimed at all.
// Their slot states bring a peer with the same context to the same state.
TEST(CrdtMap, UnclaimedSlotsAreFoundAndBringAPeerToTheSameState) {
  CrdtMap writer(7), stranger(9), holder(2), peer(3);
  const SlotKey counter{ValueType::kCounter, ""};
  const SlotKey member{ValueType::kSet, "m"};
  const SlotKey field{ValueType::kHash, "f"};
  Must(writer.Apply(Op::Incr("c", 5), 1));                // 7:1, a gap below 7:3
  Must(writer.Apply(Op::SAdd("s", "m"), 2));              // 7:2, the same gap
  Delta claimed = Must(writer.Apply(Op::Set("r", "v"), 3));  // 7:3, claimed by both
  Must(writer.Apply(Op::HSet("h", "f", "v"), 4));         // 7:4, past the claimed range
  Must(stranger.Apply(Op::Incr("c", 100), 5));            // 9:1, a replica nobody claims
  for (CrdtMap* m : {&holder, &peer}) ASSERT_TRUE(m->Join(claimed).ok());
  ASSERT_TRUE(holder.Join(writer.ExportSlots(std::vector<SlotRef>{{"c", counter}, {"h", field}, {"s", member}})).ok());
  ASSERT_TRUE(holder.Join(stranger.ExportSlots(std::vector<SlotRef>{{"c", counter}})).ok());
  ASSERT_EQ(holder.context(), peer.context());
  ASSERT_NE(holder.StateDigest(), peer.StateDigest());
  EXPECT_TRUE(holder.Diff(peer.context()).empty()) << "no Diff ever ships them";

  std::vector<SlotRef> unclaimed = holder.UnclaimedSlots();
  EXPECT_EQ(unclaimed, (std::vector<SlotRef>{{"c", counter}, {"h", field}, {"s", member}}));
  EXPECT_TRUE(peer.UnclaimedSlots().empty());
  ASSERT_TRUE(peer.Join(holder.ExportSlots(unclaimed)).ok());
  EXPECT_EQ(peer.StateDigest(), holder.StateDigest());
  EXPECT_EQ(peer.context(), holder.context()) << "the slot states claim nothing";
  EXPECT_EQ(peer.GetCounter("c"), 105);
  EXPECT_EQ(peer.HashGet("h", "f"), "v");
}

}  // namespace
}  // namespace parley

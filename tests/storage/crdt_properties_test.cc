// Property tests of the CRDT map on random histories: lattice laws, delta
// equivalence (I1) and range-cut diffs (I3). Seeds are printed on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "storage/crdt_map.h"
#include "tests/support/seed.h"

namespace parley {
namespace {

// A random history over a few replicas that write and partially exchange.
struct History {
  std::vector<std::unique_ptr<CrdtMap>> replicas;
  std::vector<Delta> deltas;  // every delta any replica produced
};

Op RandomOp(std::mt19937_64& rng) {
  std::string key = "k" + std::to_string(rng() % 6);
  std::string member = "m" + std::to_string(rng() % 4);
  switch (rng() % 8) {
    case 0: return Op::Set(key, "v" + std::to_string(rng() % 100));
    case 1: return Op::Del(key);
    case 2: return Op::Incr(key, static_cast<int64_t>(rng() % 7) - 3);
    case 3: return Op::SAdd(key, member);
    case 4: return Op::SRem(key, member);
    case 5: return Op::HSet(key, member, "h" + std::to_string(rng() % 100));
    case 6: return Op::HDel(key, member);
    default: return Op::Set(key, std::string(rng() % 40, 'x'));
  }
}

// Replicas join a received write delta only when Ready(), as NodeCore does
// (CrdtMap.WriteDeltaJoinedBeforeItIsReadyLosesARemoval shows why).
// Writes go through one scratch delta for all replicas, as NodeCore's do,
// so reusing a delta's memory across batches of any shape is covered too.
History MakeHistory(std::mt19937_64& rng, int n_replicas, int steps) {
  History h;
  Delta scratch;
  for (int i = 0; i < n_replicas; ++i) h.replicas.push_back(std::make_unique<CrdtMap>(1000 + i * 7));
  for (int step = 0; step < steps; ++step) {
    CrdtMap& r = *h.replicas[rng() % n_replicas];
    int what = static_cast<int>(rng() % 10);
    if (what < 6) {
      std::vector<Op> ops;
      int n = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i) ops.push_back(RandomOp(rng));
      Digest before = r.StateDigest();
      Status applied = r.Apply(ops, MakeTimestamp(step / 3, 0), &scratch);  // coarse time: many ties
      if (!applied.ok()) {
        EXPECT_EQ(r.StateDigest(), before) << "a refused batch changed the state";
        EXPECT_TRUE(scratch.empty());
        continue;
      }
      std::string why;
      EXPECT_TRUE(scratch.IsWellFormed(&why)) << why;
      if (!scratch.empty()) h.deltas.push_back(scratch);
    } else if (what < 9 && !h.deltas.empty()) {
      // Receive one earlier delta (any order, duplicates allowed); one that
      // is not ready is dropped, as if lost.
      const Delta& d = h.deltas[rng() % h.deltas.size()];
      if (r.Ready(d)) {
        EXPECT_TRUE(r.Join(d).ok());
      }
    } else {
      // Full-state pull from another replica.
      EXPECT_TRUE(r.Join(h.replicas[rng() % n_replicas]->ExportState()).ok());
    }
  }
  // The digest each map keeps up to date on every change must equal the one
  // computed from scratch.
  for (const auto& r : h.replicas) EXPECT_EQ(r->StateDigest(), r->RecomputeStateDigest());
  return h;
}

Digest JoinOf(std::initializer_list<const CrdtMap*> maps) {
  CrdtMap m;
  for (const CrdtMap* x : maps) EXPECT_TRUE(m.Join(x->ExportState()).ok());
  return m.StateDigest();
}

class CrdtProperties : public ::testing::Test {
 protected:
  uint64_t seed_ = testing::TestSeed();
};

TEST_F(CrdtProperties, JoinIsCommutativeAssociativeIdempotent) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  for (int round = 0; round < 150; ++round) {
    History h = MakeHistory(rng, 3, 60);
    const CrdtMap& a = *h.replicas[0];
    const CrdtMap& b = *h.replicas[1];
    const CrdtMap& c = *h.replicas[2];
    ASSERT_EQ(JoinOf({&a, &b}), JoinOf({&b, &a})) << "round " << round;
    ASSERT_EQ(JoinOf({&a, &b, &c}), JoinOf({&c, &a, &b})) << "round " << round;
    // (a ⊔ b) ⊔ c == a ⊔ (b ⊔ c), with the inner joins materialised.
    CrdtMap ab, bc;
    ASSERT_TRUE(ab.Join(a.ExportState()).ok());
    ASSERT_TRUE(ab.Join(b.ExportState()).ok());
    ASSERT_TRUE(bc.Join(b.ExportState()).ok());
    ASSERT_TRUE(bc.Join(c.ExportState()).ok());
    ASSERT_EQ(JoinOf({&ab, &c}), JoinOf({&a, &bc})) << "round " << round;
    ASSERT_EQ(JoinOf({&a, &a}), JoinOf({&a})) << "round " << round;
    // Joining into a live replica is the same as into an empty map.
    CrdtMap a_twice(9);
    ASSERT_TRUE(a_twice.Join(a.ExportState()).ok());
    ASSERT_TRUE(a_twice.Join(a.ExportState()).ok());
    ASSERT_EQ(a_twice.CanonicalEncoding(), a.CanonicalEncoding());
  }
}

TEST_F(CrdtProperties, DeltasInAnyOrderDuplicatedOrGroupedGiveTheFullJoin) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  for (int round = 0; round < 100; ++round) {
    History h = MakeHistory(rng, 4, 80);
    CrdtMap full;
    for (const auto& r : h.replicas) ASSERT_TRUE(full.Join(r->ExportState()).ok());

    // Shuffled, with duplicates.
    std::vector<const Delta*> order;
    for (const Delta& d : h.deltas) {
      order.push_back(&d);
      if (rng() % 4 == 0) order.push_back(&d);
    }
    std::shuffle(order.begin(), order.end(), rng);
    CrdtMap shuffled;
    for (const Delta* d : order) ASSERT_TRUE(shuffled.Join(*d).ok());
    ASSERT_EQ(shuffled.CanonicalEncoding(), full.CanonicalEncoding()) << "round " << round;

    // Grouped: deltas joined into groups first, groups joined in reverse.
    std::vector<std::unique_ptr<CrdtMap>> groups;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i % 5 == 0) groups.push_back(std::make_unique<CrdtMap>());
      ASSERT_TRUE(groups.back()->Join(*order[i]).ok());
    }
    CrdtMap grouped;
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
      ASSERT_TRUE(grouped.Join((*it)->ExportState()).ok());
    }
    ASSERT_EQ(grouped.StateDigest(), full.StateDigest()) << "round " << round;
  }
}

// A write group's deltas joined into one (JoinWriteDeltas, as a node sends
// a Redis EXEC to its peers) act as the writes did one by one: a replica
// may join the joined delta exactly when it could join every write in turn,
// it then ends in the same state, and once it has what the writer had
// before the group, it can.
TEST_F(CrdtProperties, AWriteGroupJoinedIntoOneDeltaActsAsItsWritesInTurn) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  int ready_rounds = 0, unready_rounds = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    History h = MakeHistory(rng, 3, 40);
    CrdtMap& writer = *h.replicas[0];
    const Delta writer_before = writer.ExportState();
    std::vector<Delta> writes;
    const int n = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      std::vector<Op> ops{RandomOp(rng)};
      if (rng() % 3 == 0) ops.push_back(RandomOp(rng));
      Result<Delta> delta = writer.Apply(ops, MakeTimestamp(100 + i, 0));
      if (delta.ok() && !delta->empty()) writes.push_back(*delta);
    }
    if (writes.size() < 2) continue;
    const Delta joined = JoinWriteDeltas(writes);
    std::string why;
    ASSERT_TRUE(joined.IsWellFormed(&why)) << why;

    auto receiver = [&] {
      auto r = std::make_unique<CrdtMap>(4242);
      EXPECT_TRUE(r->Join(h.replicas[1]->ExportState()).ok());
      return r;
    };
    auto one_by_one = receiver();
    bool all_ready = true;
    for (const Delta& w : writes) {
      if (!one_by_one->Ready(w)) {
        all_ready = false;
        break;
      }
      ASSERT_TRUE(one_by_one->Join(w).ok());
    }
    auto at_once = receiver();
    ASSERT_EQ(at_once->Ready(joined), all_ready);
    (all_ready ? ready_rounds : unready_rounds)++;
    if (all_ready) {
      ASSERT_TRUE(at_once->Join(joined).ok());
      ASSERT_EQ(at_once->CanonicalEncoding(), one_by_one->CanonicalEncoding());
    }
    // With the writer's state from before the group, it is ready, and the
    // replica ends where the writer's state after the group takes it.
    auto caught_up = receiver();
    ASSERT_TRUE(caught_up->Join(writer_before).ok());
    ASSERT_TRUE(caught_up->Ready(joined));
    ASSERT_TRUE(caught_up->Join(joined).ok());
    auto expected = receiver();
    ASSERT_TRUE(expected->Join(writer.ExportState()).ok());
    ASSERT_EQ(caught_up->CanonicalEncoding(), expected->CanonicalEncoding());
  }
  // Both sides of the equivalence were exercised.
  EXPECT_GT(ready_rounds, 20);
  EXPECT_GT(unready_rounds, 20);
}

// Runs anti-entropy from `from` to `to` until `to` has nothing left to learn:
// each round joins `from`'s chunks of what `to` lacks, optionally letting
// `mangle` change them first.
template <typename Mangle>
void AntiEntropy(const CrdtMap& from, CrdtMap& to, size_t chunk_bytes, Mangle mangle) {
  for (int round = 0; round < 10; ++round) {
    std::vector<Delta> chunks = from.Diff(to.context(), chunk_bytes);
    if (chunks.empty()) return;
    mangle(chunks);
    for (const Delta& c : chunks) ASSERT_TRUE(to.Join(c).ok());
  }
}

TEST_F(CrdtProperties, RangeCutDiffJoinedAtPeerEqualsFullJoin) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  for (int round = 0; round < 150; ++round) {
    History h = MakeHistory(rng, 3, 80);
    CrdtMap& a = *h.replicas[0];
    CrdtMap& b = *h.replicas[1];
    Digest expected = JoinOf({&a, &b});
    size_t chunk = 1 + rng() % 400;  // tiny chunks force many cuts
    std::vector<Delta> chunks = a.Diff(b.context(), chunk);
    for (const Delta& c : chunks) {
      std::string why;
      ASSERT_TRUE(c.IsWellFormed(&why)) << why;
    }
    // Any prefix of the chunks is safe: join a prefix, then finish with a new diff.
    size_t prefix = chunks.empty() ? 0 : rng() % (chunks.size() + 1);
    for (size_t i = 0; i < prefix; ++i) ASSERT_TRUE(b.Join(chunks[i]).ok());
    AntiEntropy(a, b, chunk, [](std::vector<Delta>&) {});
    ASSERT_EQ(b.StateDigest(), expected) << "round " << round << " chunks " << chunks.size();
  }
}

// The checks above must be able to fail: a chunk whose context is widened to
// cover the next chunk's dots (which are then never sent) loses elements, and
// no later anti-entropy round brings them back.
TEST_F(CrdtProperties, WidenedChunkContextIsCaught) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  int caught = 0, tried = 0;
  for (int round = 0; round < 100; ++round) {
    History h = MakeHistory(rng, 3, 80);
    CrdtMap& a = *h.replicas[0];
    CrdtMap& b = *h.replicas[1];
    Digest expected = JoinOf({&a, &b});
    if (a.Diff(b.context(), 64).size() < 2) continue;
    ++tried;
    AntiEntropy(a, b, 64, [](std::vector<Delta>& chunks) {
      if (chunks.size() < 2) return;
      chunks[0].context.Join(chunks[1].context);  // claims dots it does not carry
      chunks.erase(chunks.begin() + 1);
    });
    if (b.StateDigest() != expected) ++caught;
  }
  // A dropped chunk may happen to carry only what b already had; nearly
  // always it carries something, and then the loss must show.
  ASSERT_GT(tried, 10);
  EXPECT_GE(caught * 10, tried * 8) << caught << " of " << tried << " widened chunks noticed";
}

// Replicas that got deltas out of order and partially, then sync only by
// range-cut anti-entropy between random pairs, all end at the full join.
TEST_F(CrdtProperties, PairwiseAntiEntropyConvergesEveryone) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  for (int round = 0; round < 60; ++round) {
    History h = MakeHistory(rng, 5, 120);
    CrdtMap full;
    for (const auto& r : h.replicas) ASSERT_TRUE(full.Join(r->ExportState()).ok());
    // A ring of pulls in a random order, twice around, reaches everyone.
    std::vector<size_t> order(h.replicas.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = 0; i < order.size(); ++i) {
        const CrdtMap& from = *h.replicas[order[i]];
        CrdtMap& to = *h.replicas[order[(i + 1) % order.size()]];
        AntiEntropy(from, to, 1 + rng() % 300, [](std::vector<Delta>&) {});
      }
    }
    for (const auto& r : h.replicas) {
      ASSERT_EQ(r->CanonicalEncoding(), full.CanonicalEncoding()) << "round " << round;
    }
  }
}

TEST_F(CrdtProperties, DiffOfEqualStatesIsEmpty) {
  SCOPED_TRACE(testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  History h = MakeHistory(rng, 3, 100);
  CrdtMap copy;
  ASSERT_TRUE(copy.Join(h.replicas[0]->ExportState()).ok());
  EXPECT_TRUE(h.replicas[0]->Diff(copy.context()).empty());
}

}  // namespace
}  // namespace parley

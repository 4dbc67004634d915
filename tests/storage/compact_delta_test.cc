// Tests for the compact (version-2) encoding of deltas in log records and
// snapshots: round trips, size, and refusal of damaged or hostile input.
#include "storage/compact_delta.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "storage/compact_encoder.h"
#include "storage/crdt_map.h"
#include "storage/delta_archive.h"
#include "storage/varint.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::RichState;
using testing::SeedTrace;
using testing::TestSeed;

// Replica ids are random 64-bit numbers; these take the varint's full width.
constexpr ReplicaId kBig = 0xfedcba9876543210;
constexpr ReplicaId kOther = 0x8000000000000001;

std::string Encode(const Delta& delta) {
  std::string bytes;
  EncodeCompactDelta(delta, &bytes);
  return bytes;
}

// Hand-built encodings for the refusal tests.
struct Bytes {
  std::string out;
  Bytes& Uint(uint64_t v) {
    PutVarint64(&out, v);
    return *this;
  }
  Bytes& Raw(std::string_view s) {
    out.append(s);
    return *this;
  }
};

TEST(CompactDelta, RichStateRoundTrips) {
  for (Delta state : {RichState(), RichState(kBig, kOther), RichState(kOther, kBig)}) {
    auto decoded = DecodeCompactDelta(Encode(state));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, state);
  }
}

TEST(CompactDelta, EmptyDeltaIsThreeBytes) {
  std::string bytes = Encode(Delta{});
  EXPECT_EQ(bytes, std::string(3, '\0'));  // no replicas, no context, no slots
  auto decoded = DecodeCompactDelta(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

// Why the encoding exists: a write's record is a fraction of its version-1
// size (62 vs 164 bytes here), because the writer's 64-bit id is stored once
// and small integers take a byte or three.
TEST(CompactDelta, AWriteTakesUnderFortyPercentOfItsFixedWidthSize) {
  CrdtMap map(kBig);
  for (uint64_t i = 1; i < 20000; ++i) ASSERT_TRUE(map.Apply(Op::Set("warm", "x"), MakeTimestamp(i, 0)).ok());
  auto write = map.Apply(Op::Set("key:000000012345", "xxx"), MakeTimestamp(1764255600000, 0));
  ASSERT_TRUE(write.ok());
  std::string fixed;
  EncodeDeltaArchive(*write, &fixed);
  std::string compact = Encode(*write);
  EXPECT_LE(compact.size(), 64u);
  EXPECT_LE(10 * compact.size(), 4 * fixed.size()) << compact.size() << " vs " << fixed.size();
}

// Random histories over writers with random ids: every state and every
// delta round-trips exactly.
TEST(CompactDelta, RandomStatesRoundTrip) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::unique_ptr<CrdtMap>> replicas;
    for (int i = 0; i < 4; ++i) replicas.push_back(std::make_unique<CrdtMap>(1 + rng() % UINT64_MAX));
    for (int step = 0; step < 60; ++step) {
      CrdtMap& writer = *replicas[rng() % replicas.size()];
      std::string key = "k" + std::to_string(rng() % 5);
      std::string member = "m" + std::to_string(rng() % 3);
      Op op = rng() % 4 == 0   ? Op::Incr(key, static_cast<int64_t>(rng() % 1000) - 500)
              : rng() % 3 == 0 ? Op::SAdd(key, member)
              : rng() % 2 == 0 ? Op::HSet(key, member, std::string(rng() % 300, 'h'))
                               : Op::Set(key, std::string(rng() % 200, 'v'));
      auto delta = writer.Apply(op, MakeTimestamp(rng() % (uint64_t{1} << 47), rng() % 4));
      if (!delta.ok()) continue;  // a key of another type
      auto decoded = DecodeCompactDelta(Encode(*delta));
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      Delta expected = *delta;
      for (SlotState& slot : expected.slots) slot.after.reset();  // not stored
      EXPECT_EQ(*decoded, expected);
      for (auto& other : replicas) {
        if (rng() % 2 == 0) {
          ASSERT_TRUE(other->Join(writer.ExportState()).ok());
        } else if (rng() % 4 == 0) {
          // A slot pull: the slot's clock names writers whose dots the
          // puller's context may lack, so the replica table must add them.
          std::vector<SlotRef> pulled;
          for (const SlotState& slot : delta->slots) pulled.push_back(SlotRef{slot.key, slot.slot});
          ASSERT_TRUE(other->Join(writer.ExportSlots(pulled)).ok());
        }
      }
    }
    for (auto& replica : replicas) {
      Delta state = replica->ExportState();
      std::string bytes = Encode(state);
      auto decoded = DecodeCompactDelta(bytes);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_EQ(*decoded, state);
      // What snapshots write: the same bytes, encoded from the map itself.
      std::string direct;
      replica->EncodeState(&direct);
      EXPECT_EQ(direct, bytes);
    }
  }
}

// The encoder looks replicas up from where the last lookup ended; runs that
// rise, runs that fall back, ids absent and a table end short of its size
// must all give std::lower_bound's answer.
TEST(CompactDelta, ReplicaLookupsFromTheLastAnswerAgreeWithABinarySearch) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 200; ++round) {
    std::vector<ReplicaId> table(rng() % 2000);
    for (ReplicaId& r : table) r = round % 2 == 0 ? rng() : 1 + rng() % 5000;
    std::sort(table.begin(), table.end());
    table.erase(std::unique(table.begin(), table.end()), table.end());
    size_t end = table.empty() || rng() % 3 != 0 ? table.size() : rng() % table.size();
    size_t hint = 0;
    ReplicaId replica = 0;
    for (int lookup = 0; lookup < 500; ++lookup) {
      // Mostly rising, by a step within the table or by an arbitrary id.
      if (rng() % 10 == 0) {
        replica = rng() % 2 == 0 ? rng() : rng() % 6000;
      } else if (!table.empty() && rng() % 2 == 0) {
        replica = std::max(replica, table[rng() % table.size()]);
      } else {
        replica += rng() % 50;
      }
      size_t expected = static_cast<size_t>(
          std::lower_bound(table.begin(), table.begin() + static_cast<ptrdiff_t>(end), replica) - table.begin());
      ASSERT_EQ(compact_internal::SeekReplica(table, end, &hint, replica), expected)
          << "round " << round << ", lookup " << lookup << ", replica " << replica << ", " << end << " of "
          << table.size();
    }
  }
}

TEST(CompactDelta, EveryTruncationAndStrayByteIsCorruption) {
  std::string bytes = Encode(RichState(kBig, kOther));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto decoded = DecodeCompactDelta(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(decoded.ok()) << cut;
    EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
  }
  auto stray = DecodeCompactDelta(bytes + "x");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("stray bytes"), std::string::npos) << stray.status().ToString();
}

// Damage never crashes or allocates wildly (ASan would notice); it decodes
// to an error or to some well-formed delta.
TEST(CompactDelta, RandomDamageIsHarmless) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::string bytes = Encode(RichState(kBig, kOther));
  for (int trial = 0; trial < 5000; ++trial) {
    std::string damaged = bytes;
    int changes = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < changes; ++i) {
      char& byte = damaged[rng() % damaged.size()];
      byte = rng() % 2 ? static_cast<char>(byte ^ (1u << (rng() % 8))) : static_cast<char>(rng());
    }
    auto decoded = DecodeCompactDelta(damaged);
    if (decoded.ok()) {
      std::string why;
      EXPECT_TRUE(decoded->IsWellFormed(&why)) << why;
    } else {
      EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
    }
  }
}

TEST(CompactDelta, ReplicaTableMustIncreaseAndIndicesStayInside) {
  // One replica, context {r: 1..5}, no slots.
  auto context_of = [](std::vector<uint64_t> gaps, uint64_t index) {
    Bytes b;
    b.Uint(gaps.size());
    for (uint64_t gap : gaps) b.Uint(gap);
    return b.Uint(1).Uint(index).Uint(1).Uint(1).Uint(4).Uint(0).out;
  };
  auto ok = DecodeCompactDelta(context_of({kBig}, 0));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->context.ranges(), (std::vector<DotRange>{{kBig, 1, 5}}));
  EXPECT_FALSE(DecodeCompactDelta(context_of({kBig}, 1)).ok());        // index outside
  EXPECT_FALSE(DecodeCompactDelta(context_of({0}, 0)).ok());           // replica 0
  EXPECT_FALSE(DecodeCompactDelta(context_of({5, 0}, 1)).ok());        // duplicate id
  EXPECT_FALSE(DecodeCompactDelta(context_of({kBig, kBig}, 1)).ok());  // past 2^64
}

TEST(CompactDelta, NonCanonicalContextIsCorruption) {
  // Replicas 3 and 9; each context replica lists (index, runs as first, length).
  auto record = [](std::vector<std::pair<uint64_t, std::vector<uint64_t>>> replicas) {
    Bytes b;
    b.Uint(2).Uint(3).Uint(6);  // table: 3, 9
    b.Uint(replicas.size());
    for (const auto& [index, flat] : replicas) {
      b.Uint(index).Uint(flat.size() / 2);
      for (uint64_t v : flat) b.Uint(v);
    }
    return b.Uint(0).out;
  };
  EXPECT_TRUE(DecodeCompactDelta(record({{0, {1, 4}}, {1, {3, 0, 9, 3}}})).ok());
  EXPECT_FALSE(DecodeCompactDelta(record({{1, {1, 4}}, {0, {1, 0}}})).ok());      // unsorted
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {1, 4}}, {0, {7, 0}}})).ok());      // repeated
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {}}})).ok());                       // no runs
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {1, 1, 3, 1}}})).ok());             // adjacent
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {0, 2}}})).ok());                   // counter 0
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {2, UINT64_MAX}}})).ok());          // run past 2^64
  EXPECT_FALSE(DecodeCompactDelta(record({{0, {1, UINT64_MAX - 1, 5, 1}}})).ok());  // overlap
}

TEST(CompactDelta, HugeCountsAndBadNumbersAreRefusedBeforeAllocating) {
  auto refused = [](const std::string& bytes, const std::string& why) {
    auto decoded = DecodeCompactDelta(bytes);
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.status().message().find(why), std::string::npos) << decoded.status().ToString();
  };
  const std::string count_too_big = "element count is larger than the bytes left";
  refused(Bytes().Uint(uint64_t{1} << 61).out, count_too_big);                    // replica table
  refused(Bytes().Uint(1).Uint(9).Uint(1).Uint(0).Uint(uint64_t{1} << 61).out, count_too_big);  // runs
  refused(Bytes().Uint(0).Uint(0).Uint(UINT64_MAX).out, count_too_big);           // slots
  // A slot whose entry count claims more than the bytes left.
  refused(Bytes().Uint(1).Uint(9).Uint(0).Uint(1).Uint(1).Raw("k").Raw("\x01").Uint(0).Uint(1).Uint(0).Uint(1)
              .Uint(1000).out,
          count_too_big);
  // A key longer than the record.
  refused(Bytes().Uint(0).Uint(0).Uint(1).Uint(uint64_t{1} << 40).Raw("abcdefgh").out, count_too_big);
  // Eleven varint bytes, and a tenth byte with more than bit 63.
  refused(std::string(10, '\x80') + '\x01', "ends early or overflows");
  refused(std::string(9, '\xff') + '\x02', "ends early or overflows");
}

TEST(CompactDelta, SlotRulesAreChecked) {
  // Table {9}, empty context, one slot with the given type and member, clock
  // {9: 1} and one entry 9:1.
  auto slot = [](char type, std::string member, uint64_t entry_counter) {
    Bytes b;
    b.Uint(1).Uint(9).Uint(0).Uint(1);
    b.Uint(1).Raw("k").Raw(std::string(1, type)).Uint(member.size()).Raw(member);
    b.Uint(1).Uint(0).Uint(1);
    b.Uint(1).Uint(0).Uint(entry_counter).Raw(std::string(8, '\0')).Uint(1).Raw("v").Uint(0).Uint(0);
    return b.out;
  };
  auto ok = DecodeCompactDelta(slot('\x01', "", 1));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->slots.size(), 1u);
  EXPECT_EQ(ok->slots[0].state.entries[0].value, "v");
  EXPECT_TRUE(DecodeCompactDelta(slot('\x03', "m", 1)).ok());
  EXPECT_FALSE(DecodeCompactDelta(slot('\x00', "", 1)).ok());   // type none
  EXPECT_FALSE(DecodeCompactDelta(slot('\x05', "", 1)).ok());   // unknown type
  EXPECT_FALSE(DecodeCompactDelta(slot('\x01', "m", 1)).ok());  // a register names a member
  EXPECT_FALSE(DecodeCompactDelta(slot('\x01', "", 2)).ok());   // entry not covered by the clock
}

TEST(CompactDelta, StoredDeltasDecodeByTheirFormatVersion) {
  Delta state = RichState(kBig, kOther);
  std::string fixed;
  EncodeDeltaArchive(state, &fixed);
  auto v1 = DecodeStoredDelta(fixed, 1);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, state);
  auto v2 = DecodeStoredDelta(Encode(state), 2);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, state);
  auto v3 = DecodeStoredDelta(Encode(state), 3);  // version 3 changed only the record header
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  EXPECT_EQ(*v3, state);
  EXPECT_FALSE(DecodeStoredDelta(fixed, 2).ok());
  EXPECT_FALSE(DecodeStoredDelta(Encode(state), 4).ok());
}

}  // namespace
}  // namespace parley

// Tests for protocol/delta_codec and the bounded msgpack reader underneath:
// round trips, canonical checks, and hostile input (I4).
#include "protocol/delta_codec.h"

#include <gtest/gtest.h>

#include "protocol/message_codec.h"
#include "protocol/msgpack_reader.h"
#include "protocol/msgpack_writer.h"
#include "tests/protocol/random_messages.h"

namespace parley {
namespace {

using testing::RandomMessages;

Delta OneRegister() {
  Delta delta;
  delta.context.Insert(Dot{7, 1});
  Slot slot;
  slot.clock.Raise(7, 1);
  slot.entries.push_back(Entry{Dot{7, 1}, MakeTimestamp(1000, 0), "value", 0, 0});
  delta.slots.push_back(SlotState{"key", SlotKey{ValueType::kRegister, ""}, slot});
  return delta;
}

TEST(DeltaCodecTest, RandomDeltasRoundTrip) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  RandomMessages random(seed);
  for (int i = 0; i < 500; ++i) {
    Delta delta = random.RandomDelta(12);
    std::string why;
    ASSERT_TRUE(delta.IsWellFormed(&why)) << why;
    std::string bytes = EncodeDelta(delta);
    Result<Delta> decoded = DecodeDelta(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, delta);
    EXPECT_EQ(EncodeDelta(*decoded), bytes);
  }
}

TEST(DeltaCodecTest, EmptyDeltaRoundTrips) {
  Result<Delta> decoded = DecodeDelta(EncodeDelta(Delta()));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

TEST(DeltaCodecTest, SlotsOutOfOrderAreNotWellFormed) {
  Delta delta = OneRegister();
  SlotState second = delta.slots[0];
  second.key = "a";  // sorts before "key" but is placed after it
  delta.slots.push_back(second);
  Result<Delta> decoded = DecodeDelta(EncodeDelta(delta));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("not well formed"), std::string::npos)
      << decoded.status().ToString();
}

TEST(DeltaCodecTest, EntryNotCoveredByClockIsRejected) {
  Delta delta = OneRegister();
  delta.slots[0].state.entries[0].dot.counter = 2;  // clock says 1
  EXPECT_FALSE(DecodeDelta(EncodeDelta(delta)).ok());
}

TEST(DeltaCodecTest, NonCanonicalContextIsRejected) {
  auto context_bytes = [](std::vector<std::pair<uint64_t, std::vector<uint64_t>>> replicas) {
    std::string out;
    MsgpackWriter w(&out);
    w.Array(2);
    w.Array(static_cast<uint32_t>(replicas.size()));
    for (auto& [replica, flat] : replicas) {
      w.Array(2);
      w.Uint(replica);
      w.Array(static_cast<uint32_t>(flat.size()));
      for (uint64_t v : flat) w.Uint(v);
    }
    w.Array(0);
    return out;
  };
  EXPECT_TRUE(DecodeDelta(context_bytes({{1, {1, 5}}, {2, {3, 3, 9, 12}}})).ok());
  EXPECT_FALSE(DecodeDelta(context_bytes({{0, {1, 5}}})).ok());             // replica 0
  EXPECT_FALSE(DecodeDelta(context_bytes({{2, {1, 5}}, {1, {1, 1}}})).ok());  // unsorted
  EXPECT_FALSE(DecodeDelta(context_bytes({{2, {1, 5}}, {2, {7, 7}}})).ok());  // duplicate
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {5, 1}}})).ok());             // reversed
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {1, 2, 3, 4}}})).ok());       // adjacent
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {0, 2}}})).ok());             // counter 0
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {1, 2, 3}}})).ok());          // odd
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {}}})).ok());                 // empty
  // Overlapping an interval that ends at UINT64_MAX (where "last + 1" wraps).
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {1, UINT64_MAX, 5, 6}}})).ok());
  EXPECT_FALSE(DecodeDelta(context_bytes({{1, {7, UINT64_MAX, 1, 2}}})).ok());  // unsorted
}

TEST(DeltaCodecTest, HugeIntervalIsStoredAsOneRange) {
  // A hostile peer can name 2^63 dots in 20 bytes; intervals keep it small.
  std::string out;
  MsgpackWriter w(&out);
  w.Array(2);
  w.Array(1);
  w.Array(2);
  w.Uint(5);
  w.Array(2);
  w.Uint(1);
  w.Uint(uint64_t{1} << 63);
  w.Array(0);
  Result<Delta> decoded = DecodeDelta(out);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->context.VectorEntry(5), uint64_t{1} << 63);
}

TEST(DeltaCodecTest, TruncatedAtEveryByteIsAnError) {
  RandomMessages random(3);
  Delta delta;
  while (delta.slots.size() < 3) delta = random.RandomDelta(6);
  std::string bytes = EncodeDelta(delta);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeDelta(std::string_view(bytes).substr(0, cut)).ok()) << "cut at " << cut;
  }
  EXPECT_FALSE(DecodeDelta(bytes + "x").ok());  // trailing bytes
}

TEST(DeltaCodecTest, OversizedDeclaredLengthsAreRejectedBeforeAllocation) {
  // array32 of 2^32-1 elements, str32 of 4 GiB, map32 of 2^32-1 pairs, and a
  // bin32 of 4 GiB: each header promises far more than the bytes that follow.
  const std::vector<std::string> hostile = {
      std::string("\x92\xdd\xff\xff\xff\xff", 6),
      std::string("\x92\x90\xdd\xff\xff\xff\xff", 7),
      std::string("\x92\x90\x91\x95\xdb\xff\xff\xff\xff", 9),
      std::string("\x92\xdf\xff\xff\xff\xff", 6),
      std::string("\x92\x90\x91\x95\xc6\xff\xff\xff\xff", 9),
  };
  for (const std::string& bytes : hostile) {
    Result<Delta> decoded = DecodeDelta(bytes);
    EXPECT_FALSE(decoded.ok());
  }
}

TEST(DeltaCodecTest, ManyMidSizeArrayHeadersDoNotMultiplyMemory) {
  // 400 nested-in-sequence "array of 65535" headers in 1.2 KB: each would
  // make msgpack-cxx allocate 1.5 MB if counts were only checked one by one.
  std::string bytes("\xdc\xff\xff", 3);
  for (int i = 0; i < 400; ++i) bytes += std::string("\xdc\xff\xff", 3);
  size_t offset = 0;
  Result<msgpack::object_handle> handle = UnpackBounded(bytes, &offset, Limits());
  ASSERT_FALSE(handle.ok());
  EXPECT_NE(handle.status().message().find("exceeds the bytes"), std::string::npos)
      << handle.status().ToString();
}

TEST(DeltaCodecTest, NestingBombIsRejected) {
  std::string deep(100000, '\x91');  // [[[[...]]]] a hundred thousand levels
  deep.push_back('\xc0');
  Result<Delta> decoded = DecodeDelta(deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("nesting too deep"), std::string::npos)
      << decoded.status().ToString();
  std::string maps;
  for (int i = 0; i < 100000; ++i) maps += std::string("\x81\xc0", 2);
  maps.push_back('\xc0');
  EXPECT_FALSE(DecodeDelta(maps).ok());
}

TEST(DeltaCodecTest, WrongTypesAreErrorsWithClearMessages) {
  std::string out;
  MsgpackWriter w(&out);
  w.Array(2);
  w.Array(0);
  w.Array(1);
  w.Array(5);
  w.Str("key");
  w.Str("register");  // type must be a number
  w.Str("");
  w.Array(0);
  w.Array(0);
  Result<Delta> decoded = DecodeDelta(out);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("slot type"), std::string::npos)
      << decoded.status().ToString();
}

TEST(DeltaCodecTest, KeyAndValueLimitsApply) {
  Delta delta = OneRegister();
  Limits limits;
  limits.max_value_bytes = 4;
  EXPECT_FALSE(DecodeDelta(EncodeDelta(delta), limits).ok());
  limits = Limits();
  limits.max_key_bytes = 2;
  EXPECT_FALSE(DecodeDelta(EncodeDelta(delta), limits).ok());
  EXPECT_TRUE(DecodeDelta(EncodeDelta(delta)).ok());
}

TEST(DeltaCodecTest, RandomMutationsNeverCrash) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  RandomMessages random(seed);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = EncodeDelta(random.RandomDelta(5));
    size_t flips = random.Range(1, 3);
    for (size_t f = 0; f < flips; ++f) {
      bytes[random.Uint(bytes.size() - 1)] = static_cast<char>(random.Uint(255));
    }
    Result<Delta> decoded = DecodeDelta(bytes);
    if (decoded.ok()) {
      std::string why;
      EXPECT_TRUE(decoded->IsWellFormed(&why)) << why;
    }
  }
}

}  // namespace
}  // namespace parley

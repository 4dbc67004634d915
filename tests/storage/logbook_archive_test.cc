// Tests for the cereal encoding of deltas used by log records and snapshots.
#include "storage/delta_archive.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/crdt_map.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::SeedTrace;
using testing::TestSeed;

// A state with every value type, several writers and a removal.
Delta RichState() {
  CrdtMap a(1), b(2);
  uint64_t ms = 1;
  auto apply = [&](CrdtMap& map, const Op& op) {
    auto delta = map.Apply(op, MakeTimestamp(++ms, 0));
    EXPECT_TRUE(delta.ok()) << delta.status().ToString();
    return *delta;
  };
  b.Join(apply(a, Op::Set("reg", "hello")));
  a.Join(apply(b, Op::Incr("count", 5)));
  b.Join(apply(a, Op::Incr("count", -2)));
  a.Join(apply(b, Op::SAdd("set", "x")));
  a.Join(apply(b, Op::SAdd("set", "y")));
  b.Join(apply(a, Op::SRem("set", "x")));
  a.Join(apply(b, Op::HSet("hash", "f", std::string("\0bin\xff", 5))));
  b.Join(apply(a, Op::Del("reg")));
  return a.ExportState();
}

TEST(LogbookArchive, DeltaRoundTrips) {
  Delta state = RichState();
  std::string bytes;
  EncodeDeltaArchive(state, &bytes);
  auto decoded = DecodeDeltaArchive(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, state);
}

TEST(LogbookArchive, EmptyDeltaRoundTrips) {
  std::string bytes;
  EncodeDeltaArchive(Delta{}, &bytes);
  auto decoded = DecodeDeltaArchive(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

TEST(LogbookArchive, EveryTruncationIsCorruption) {
  std::string bytes;
  EncodeDeltaArchive(RichState(), &bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto decoded = DecodeDeltaArchive(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(decoded.ok()) << cut;
    EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
  }
  EXPECT_FALSE(DecodeDeltaArchive(bytes + "x").ok());  // stray bytes
}

// Random bit flips never crash or allocate wildly (ASan would notice); they
// decode to an error or to some well-formed delta.
TEST(LogbookArchive, RandomBitFlipsAreHarmless) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::string bytes;
  EncodeDeltaArchive(RichState(), &bytes);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string damaged = bytes;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) damaged[rng() % damaged.size()] ^= static_cast<char>(1u << (rng() % 8));
    auto decoded = DecodeDeltaArchive(damaged);
    if (decoded.ok()) {
      std::string why;
      EXPECT_TRUE(decoded->IsWellFormed(&why)) << why;
    } else {
      EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
    }
  }
}

TEST(LogbookArchive, HugeCountsAreRefusedBeforeAllocating) {
  // Context with one replica claiming 2^61 intervals.
  std::string bytes;
  uint64_t one = 1, replica = 9, huge = uint64_t{1} << 61;
  bytes.append(reinterpret_cast<const char*>(&one), 8);
  bytes.append(reinterpret_cast<const char*>(&replica), 8);
  bytes.append(reinterpret_cast<const char*>(&huge), 8);
  auto decoded = DecodeDeltaArchive(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("count larger than the record"), std::string::npos)
      << decoded.status().ToString();
}

}  // namespace
}  // namespace parley

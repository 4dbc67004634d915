// Tests for the version-1 (fixed-width, cereal) encoding of deltas, which
// version-1 log segments and snapshots hold and which is still read.
#include "storage/delta_archive.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "storage/crdt_map.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::RichState;
using testing::SeedTrace;
using testing::TestSeed;

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

// Replicas out of order, and intervals overlapping one that ends at
// UINT64_MAX (where "last + 1" wraps), are refused, never merged silently.
TEST(LogbookArchive, NonCanonicalContextIsCorruption) {
  auto record = [](std::vector<std::pair<uint64_t, std::vector<uint64_t>>> replicas) {
    std::string bytes;
    auto put = [&bytes](uint64_t v) { bytes.append(reinterpret_cast<const char*>(&v), 8); };
    put(replicas.size());
    for (const auto& [replica, flat] : replicas) {
      put(replica);
      put(flat.size() / 2);
      for (uint64_t v : flat) put(v);
    }
    put(0);  // no slots
    return bytes;
  };
  EXPECT_TRUE(DecodeDeltaArchive(record({{1, {1, 5}}, {2, {3, 3, 9, 12}}})).ok());
  EXPECT_FALSE(DecodeDeltaArchive(record({{2, {1, 5}}, {1, {1, 1}}})).ok());     // unsorted
  EXPECT_FALSE(DecodeDeltaArchive(record({{0, {1, 5}}})).ok());                  // replica 0
  EXPECT_FALSE(DecodeDeltaArchive(record({{1, {}}})).ok());                      // empty
  EXPECT_FALSE(DecodeDeltaArchive(record({{1, {1, 2, 3, 4}}})).ok());            // adjacent
  EXPECT_FALSE(DecodeDeltaArchive(record({{1, {1, UINT64_MAX, 5, 6}}})).ok());  // overlap
  auto decoded = DecodeDeltaArchive(record({{1, {1, 5}}, {2, {3, 3, 9, 12}}}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->context.ranges(), (std::vector<DotRange>{{1, 1, 5}, {2, 3, 3}, {2, 9, 12}}));
  EXPECT_EQ(decoded->context.replica_count(), 2u);
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

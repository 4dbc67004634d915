// Tests that snapshots compact the log without changing the recovered state.
#include "storage/logbook.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/logbook_files.h"
#include "storage/mem_env.h"
#include "storage/snapshot_file.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::OpenInto;
using testing::SeedTrace;
using testing::TestOptions;
using testing::TestSeed;

constexpr char kDir[] = "/data";

size_t CountFiles(Env* env, LogbookFileType type) {
  size_t n = 0;
  auto names = env->GetChildren(kDir);
  for (const std::string& name : *names) {
    uint64_t number;
    if (ParseLogbookFileName(name, &number) == type) ++n;
  }
  return n;
}

TEST(LogbookCompaction, SnapshotsKeepTheStateAndBoundTheSegments) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  MemEnv env;
  LogbookOptions options = TestOptions();
  options.segment_bytes = 4096;
  CrdtMap map(7);
  auto logbook = Logbook::Open(&env, kDir, options);
  ASSERT_TRUE(logbook.ok());
  size_t most_segments = 0;
  uint64_t ms = 1;
  for (int round = 0; round < 30; ++round) {
    // Steady writes over a small key space, so the state stays small while
    // the log keeps growing: only compaction keeps disk use bounded.
    for (int i = 0; i < 200; ++i) {
      const std::string key = "k" + std::to_string(rng() % 50);
      auto delta = rng() % 2 ? map.Apply(Op::Incr(key + "c", 1), MakeTimestamp(++ms, 0))
                             : map.Apply(Op::Set(key, std::to_string(rng())), MakeTimestamp(++ms, 0));
      ASSERT_TRUE(delta.ok());
      ASSERT_TRUE((*logbook)->Append(*delta).ok());
    }
    most_segments = std::max(most_segments, CountFiles(&env, LogbookFileType::kSegment));
    ASSERT_TRUE((*logbook)->WriteSnapshot(map.ExportState()).ok());
    EXPECT_EQ(CountFiles(&env, LogbookFileType::kSnapshot), 1u);
    EXPECT_EQ(CountFiles(&env, LogbookFileType::kSegment), 1u);  // just the new active one
    EXPECT_EQ((*logbook)->segment_count(), 1u);
  }
  // 200 records of under 200 bytes each fit in ~10 segments of 4 KiB.
  EXPECT_LE(most_segments, 12u);
  EXPECT_GE(most_segments, 2u);  // the test did exercise rolling

  // A few more records after the last snapshot, then reopen.
  for (int i = 0; i < 10; ++i) {
    auto delta = map.Apply(Op::Set("tail" + std::to_string(i), "v"), MakeTimestamp(++ms, 0));
    ASSERT_TRUE((*logbook)->Append(*delta).ok());
  }
  ASSERT_TRUE((*logbook)->Close().ok());
  logbook.value().reset();
  CrdtMap recovered;
  auto reopened = OpenInto(&env, kDir, options, &recovered);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->recovery().records_replayed, 10u);
  EXPECT_EQ(recovered.StateDigest(), map.StateDigest());
  EXPECT_EQ(recovered.CanonicalEncoding(), map.CanonicalEncoding());
}

// The sizes a snapshot policy weighs: record bytes appended in this process,
// and the newest snapshot's payload, written or found at recovery.
TEST(LogbookCompaction, ReportsAppendedBytesAndTheNewestSnapshotSize) {
  MemEnv env;
  LogbookOptions options = TestOptions();
  CrdtMap map(7);
  auto logbook = Logbook::Open(&env, kDir, options);
  ASSERT_TRUE(logbook.ok());
  EXPECT_EQ((*logbook)->appended_bytes(), 0u);
  EXPECT_EQ((*logbook)->snapshot_bytes(), 0u);
  uint64_t ms = 1;
  uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto delta = map.Apply(Op::Set("k" + std::to_string(i), std::string(100, 'v')), MakeTimestamp(++ms, 0));
    ASSERT_TRUE((*logbook)->Append(*delta).ok());
    EXPECT_GT((*logbook)->appended_bytes(), last + 100) << "record " << i;
    last = (*logbook)->appended_bytes();
  }
  ASSERT_TRUE((*logbook)->WriteSnapshot(map).ok());
  std::string payload;
  map.EncodeState(&payload);
  EXPECT_EQ((*logbook)->snapshot_bytes(), payload.size());
  EXPECT_EQ((*logbook)->appended_bytes(), last);  // a snapshot is not a record
  ASSERT_TRUE((*logbook)->Close().ok());
  logbook.value().reset();

  CrdtMap recovered;
  auto reopened = OpenInto(&env, kDir, options, &recovered);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->snapshot_bytes(), payload.size());
  EXPECT_EQ((*reopened)->appended_bytes(), 0u);
}

TEST(LogbookCompaction, CrashBetweenSnapshotAndSegmentDeletionLosesNothing) {
  MemEnv env;
  CrdtMap map(7);
  {
    auto logbook = Logbook::Open(&env, kDir, TestOptions());
    ASSERT_TRUE(logbook.ok());
    for (int i = 0; i < 30; ++i) {
      auto delta = map.Apply(Op::Incr("counter", 1), MakeTimestamp(i + 1, 0));
      ASSERT_TRUE((*logbook)->Append(*delta).ok());
    }
    ASSERT_TRUE((*logbook)->Sync().ok());
  }
  // Write the snapshot by hand, as if the process died right after renaming
  // it into place and before deleting the segments it covers.
  std::string payload;
  map.EncodeState(&payload);
  ASSERT_TRUE(WriteSnapshotFile(&env, kDir, 30, 7, payload).ok());
  CrdtMap recovered;
  auto again = OpenInto(&env, kDir, TestOptions(), &recovered);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->recovery().snapshot_sequence, 30u);
  EXPECT_EQ((*again)->recovery().records_replayed, 0u);
  EXPECT_EQ((*again)->recovery().last_sequence, 30u);
  EXPECT_EQ(recovered.GetCounter("counter"), 30);
  EXPECT_EQ(recovered.StateDigest(), map.StateDigest());
  // The covered segment is gone; only the new active one remains.
  EXPECT_EQ(CountFiles(&env, LogbookFileType::kSegment), 1u);
}

// A snapshot taken on one thread while another keeps appending covers only
// the records its state includes; the later ones are replayed.
TEST(LogbookCompaction, SnapshotOfAnEarlierSequenceKeepsLaterRecords) {
  MemEnv env;
  CrdtMap map(7);
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_TRUE(logbook.ok());
  Delta state_at_5;
  for (int i = 1; i <= 12; ++i) {
    auto delta = map.Apply(Op::Set("k" + std::to_string(i), "v"), MakeTimestamp(i, 0));
    ASSERT_TRUE((*logbook)->Append(*delta).ok());
    if (i == 5) state_at_5 = map.ExportState();
  }
  EXPECT_EQ((*logbook)->WriteSnapshot(state_at_5, 13).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE((*logbook)->WriteSnapshot(state_at_5, 5).ok());
  ASSERT_TRUE((*logbook)->Close().ok());
  logbook.value().reset();
  CrdtMap recovered;
  auto again = OpenInto(&env, kDir, TestOptions(), &recovered);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->recovery().snapshot_sequence, 5u);
  EXPECT_EQ((*again)->recovery().records_replayed, 7u);
  EXPECT_EQ(recovered.StateDigest(), map.StateDigest());
}

}  // namespace
}  // namespace parley

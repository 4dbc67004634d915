// Tests for logbook recovery: round trips, identity, and torn tails.
#include "storage/logbook.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "storage/logbook_files.h"
#include "storage/mem_env.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::HasKey;
using testing::OpenInto;
using testing::SeedTrace;
using testing::TestOptions;
using testing::TestSeed;
using testing::Writer;

constexpr char kDir[] = "/data";

// Writes `count` records into a fresh directory and syncs them. Returns the
// path of the segment holding them and, per record, where it ends.
struct WrittenLog {
  std::string segment;
  std::vector<uint64_t> record_ends;  // file offset just past record i
};

WrittenLog WriteRecords(MemEnv* env, int count) {
  WrittenLog log;
  Writer writer(7);
  auto logbook = Logbook::Open(env, kDir, TestOptions());
  EXPECT_TRUE(logbook.ok()) << logbook.status().ToString();
  log.segment = JoinPath(kDir, SegmentFileName(1));
  for (int i = 0; i < count; ++i) {
    EXPECT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    EXPECT_TRUE((*logbook)->Sync().ok());
    log.record_ends.push_back(*env->GetFileSize(log.segment));
  }
  EXPECT_TRUE((*logbook)->Close().ok());
  return log;
}

// Rewrites the segment of `log` with `edit` applied to its bytes, behind
// the logbook's back.
void EditSegment(MemEnv* env, const WrittenLog& log, const std::function<void(std::string*)>& edit) {
  std::string contents;
  ASSERT_TRUE(ReadFileToString(env, log.segment, &contents).ok());
  edit(&contents);
  ASSERT_TRUE(WriteFileAtomically(env, kDir, SegmentFileName(1), contents).ok());
}

TEST(LogbookRecovery, NewDirectoryNeedsAReplicaId) {
  MemEnv env;
  auto logbook = Logbook::Open(&env, kDir, LogbookOptions{});
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kInvalidArgument);
}

TEST(LogbookRecovery, ReplicaIdIsStoredOnceAndReturnedOnEveryOpen) {
  MemEnv env;
  {
    auto logbook = Logbook::Open(&env, kDir, TestOptions(0x1234));
    ASSERT_TRUE(logbook.ok());
    EXPECT_TRUE((*logbook)->recovery().created);
  }
  auto logbook = Logbook::Open(&env, kDir, TestOptions(0x9999));  // ignored now
  ASSERT_TRUE(logbook.ok());
  EXPECT_EQ((*logbook)->replica_id(), 0x1234u);
  EXPECT_FALSE((*logbook)->recovery().created);
}

TEST(LogbookRecovery, RoundTripOnARealDisk) {
  testing::TempDir dir;
  Writer writer(7);
  {
    auto logbook = Logbook::Open(Env::Default(), dir.path() + "/data", TestOptions());
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    for (int i = 0; i < 100; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  CrdtMap map;
  auto logbook = OpenInto(Env::Default(), dir.path() + "/data", TestOptions(), &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  EXPECT_EQ((*logbook)->recovery().records_replayed, 100u);
  EXPECT_EQ(map.StateDigest(), writer.map().StateDigest());
}

// Cuts the log at every byte inside its last records: recovery keeps every
// record before the cut, and reports the cut unless it fell on a boundary.
TEST(LogbookRecovery, TruncationAtEveryOffsetOfTheLastRecordsKeepsEveryEarlierRecord) {
  MemEnv pristine;
  const int kRecords = 6;
  WrittenLog log = WriteRecords(&pristine, kRecords);
  std::string original;
  ASSERT_TRUE(ReadFileToString(&pristine, log.segment, &original).ok());

  const uint64_t from = log.record_ends[kRecords - 4];  // cut anywhere in the last 3 records
  for (uint64_t cut = from; cut <= original.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    MemEnv env;
    ASSERT_TRUE(testing::CopyIdentityWithSegment(&pristine, &env, kDir, original.substr(0, cut)).ok());

    CrdtMap map;
    auto logbook = OpenInto(&env, kDir, TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    int kept = 0;
    while (kept < kRecords && log.record_ends[kept] <= cut) ++kept;
    const RecoveryReport& report = (*logbook)->recovery();
    EXPECT_EQ(report.last_sequence, static_cast<uint64_t>(kept));
    for (int i = 0; i < kRecords; ++i) EXPECT_EQ(HasKey(map, i), i < kept) << "record " << i;
    const bool on_boundary = cut == (kept == 0 ? 32 : log.record_ends[kept - 1]);
    ASSERT_EQ(report.torn_tail.has_value(), !on_boundary) << report.ToString();
    if (report.torn_tail) {
      EXPECT_EQ(report.torn_tail->file, SegmentFileName(1));
      EXPECT_EQ(report.torn_tail->offset, log.record_ends[kept - 1]);
      EXPECT_EQ(report.torn_tail->dropped_bytes, cut - log.record_ends[kept - 1]);
    }
    // The cut part is gone for good: a second open finds a clean log.
    (*logbook).reset();
    auto again = Logbook::Open(&env, kDir, TestOptions());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_FALSE((*again)->recovery().torn_tail.has_value());
    EXPECT_EQ((*again)->recovery().last_sequence, static_cast<uint64_t>(kept));
  }
}

TEST(LogbookRecovery, TruncationAtRandomOffsetsKeepsEveryEarlierRecord) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  MemEnv pristine;
  const int kRecords = 200;
  WrittenLog log = WriteRecords(&pristine, kRecords);
  std::string original;
  ASSERT_TRUE(ReadFileToString(&pristine, log.segment, &original).ok());
  std::string identity;
  ASSERT_TRUE(ReadFileToString(&pristine, JoinPath(kDir, kIdentityFileName), &identity).ok());

  for (int trial = 0; trial < 40; ++trial) {
    const uint64_t cut = std::uniform_int_distribution<uint64_t>(0, original.size())(rng);
    SCOPED_TRACE("cut at " + std::to_string(cut));
    MemEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    ASSERT_TRUE(WriteFileAtomically(&env, kDir, kIdentityFileName, identity).ok());
    ASSERT_TRUE(WriteFileAtomically(&env, kDir, SegmentFileName(1), original.substr(0, cut)).ok());
    CrdtMap map;
    auto logbook = OpenInto(&env, kDir, TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    int kept = 0;
    while (kept < kRecords && log.record_ends[kept] <= cut) ++kept;
    EXPECT_EQ((*logbook)->recovery().last_sequence, static_cast<uint64_t>(kept));
    for (int i = 0; i < kRecords; ++i) ASSERT_EQ(HasKey(map, i), i < kept) << "record " << i;
    // A cut inside the segment header removes the (empty) segment.
    if (cut < 32) {
      ASSERT_TRUE((*logbook)->recovery().torn_tail.has_value());
    }
  }
}

// Zeros after the last record are space the writer preallocated (or a size
// that grew without its data before a crash): the end of the log, not
// damage, and cut at start-up.
TEST(LogbookRecovery, ZeroFilledTailIsTheEndOfTheLog) {
  MemEnv pristine;
  WrittenLog log = WriteRecords(&pristine, 5);
  EditSegment(&pristine, log, [](std::string* contents) { contents->append(4096, '\0'); });
  CrdtMap map;
  auto logbook = OpenInto(&pristine, kDir, TestOptions(), &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  EXPECT_FALSE((*logbook)->recovery().torn_tail.has_value());
  EXPECT_EQ((*logbook)->recovery().last_sequence, 5u);
  EXPECT_EQ(*pristine.GetFileSize(log.segment), log.record_ends.back());
}

// Zeros followed by anything else are damage: the zeros hid records.
TEST(LogbookRecovery, ZerosBeforeAnIntactRecordAreCorruption) {
  MemEnv pristine;
  WrittenLog log = WriteRecords(&pristine, 5);
  const uint64_t hole = log.record_ends[1];
  EditSegment(&pristine, log, [&](std::string* contents) {
    contents->replace(hole, log.record_ends[2] - hole, log.record_ends[2] - hole, '\0');
  });
  CrdtMap map;
  auto logbook = OpenInto(&pristine, kDir, TestOptions(), &map);
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find("at byte offset " + std::to_string(hole)), std::string::npos)
      << logbook.status().ToString();
}

// On a real disk, Sync() keeps zeros written ahead of the records so that
// fsyncs do not grow the file; a process that dies leaves them behind, in
// what becomes an older segment once the next process starts one.
TEST(LogbookRecovery, PreallocatedZerosOnARealDiskAreCutAtStartUpInAnySegment) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string first = JoinPath(data, SegmentFileName(1));
  Writer writer(7);
  std::string crashed;  // segment 1 as a killed process leaves it
  uint64_t records_end = 0;
  {
    auto logbook = Logbook::Open(Env::Default(), data, TestOptions());
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Sync().ok());
    ASSERT_TRUE(ReadFileToString(Env::Default(), first, &crashed).ok());
    EXPECT_GE(crashed.size(), TestOptions().preallocate_bytes);
    ASSERT_TRUE((*logbook)->Close().ok());
    std::string closed;
    ASSERT_TRUE(ReadFileToString(Env::Default(), first, &closed).ok());
    records_end = closed.size();
    EXPECT_LT(records_end, 4096u) << "Close() cuts the zeros nobody overwrote";
    EXPECT_EQ(crashed.substr(0, records_end), closed);
  }
  for (int restart = 0; restart < 2; ++restart) {
    // Restart 0: segment 1 is the newest; restart 1: segment 2 is.
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), data, SegmentFileName(1), crashed).ok());
    CrdtMap map;
    auto logbook = OpenInto(Env::Default(), data, TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << "restart " << restart << ": " << logbook.status().ToString();
    EXPECT_FALSE((*logbook)->recovery().torn_tail.has_value());
    EXPECT_EQ((*logbook)->recovery().records_replayed, 20u);
    EXPECT_EQ(*Env::Default()->GetFileSize(first), records_end);
    EXPECT_EQ(map.StateDigest(), writer.map().StateDigest());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
}

// A record cut short inside preallocated space leaves zeros after the part
// that landed: still a torn tail, as it would be at the end of the file.
TEST(LogbookRecovery, RecordTornInsidePreallocatedSpaceIsATornTail) {
  MemEnv pristine;
  WrittenLog log = WriteRecords(&pristine, 5);
  EditSegment(&pristine, log, [&](std::string* contents) {
    contents->resize(log.record_ends[3] + 30);  // inside the last record's payload
    contents->append(4096, '\0');
  });
  CrdtMap map;
  auto logbook = OpenInto(&pristine, kDir, TestOptions(), &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  ASSERT_TRUE((*logbook)->recovery().torn_tail.has_value());
  EXPECT_EQ((*logbook)->recovery().torn_tail->offset, log.record_ends[3]);
  EXPECT_EQ((*logbook)->recovery().last_sequence, 4u);
}

}  // namespace
}  // namespace parley

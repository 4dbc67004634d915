// Tests of write groups in the logbook: their records reach the file and
// count as durable only together, and recovery keeps a group whole or drops
// it whole.
#include <gtest/gtest.h>

#include <string>

#include "storage/compact_delta.h"
#include "storage/env.h"
#include "storage/log_format.h"
#include "storage/logbook.h"
#include "storage/logbook_files.h"
#include "storage/logbook_inspector.h"
#include "storage/mem_env.h"
#include "storage/segment_reader.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::HasKey;
using testing::OpenInto;
using testing::TestOptions;
using testing::Writer;

constexpr char kDir[] = "/data";

std::string SegmentBytes(MemEnv* env, uint64_t number) {
  std::string contents;
  EXPECT_TRUE(ReadFileToString(env, JoinPath(kDir, SegmentFileName(number)), &contents).ok());
  return contents;
}

TEST(LogbookGroup, RecordsReachTheFileAndCountAsDurableOnlyAtTheGroupsEnd) {
  MemEnv env;
  Writer writer(7);
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  Logbook& log = **logbook;
  ASSERT_EQ(*log.Append(writer.Set(0)), 1u);
  const size_t before = SegmentBytes(&env, 1).size();

  log.BeginGroup();
  for (uint64_t i = 1; i <= 3; ++i) {
    auto sequence = log.Append(writer.Set(i));
    ASSERT_TRUE(sequence.ok()) << sequence.status().ToString();
    EXPECT_EQ(*sequence, i + 1);  // numbered at once, for the writes' acknowledgements
  }
  // A sync in the middle (another thread's, in a daemon) covers only what is
  // in the file, so no write of the group can be acknowledged yet.
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.durable_sequence(), 1u);
  EXPECT_EQ(log.last_sequence(), 1u);
  EXPECT_EQ(SegmentBytes(&env, 1).size(), before);

  ASSERT_TRUE(log.EndGroup().ok());
  EXPECT_EQ(log.last_sequence(), 4u);
  ASSERT_TRUE(log.Sync().ok());
  EXPECT_EQ(log.durable_sequence(), 4u);
  EXPECT_EQ(*log.Append(writer.Set(4)), 5u);  // and appends go on after it

  SegmentScan scan = ScanSegment(SegmentBytes(&env, 1), 1 << 20);
  ASSERT_FALSE(scan.damage) << scan.damage->reason;
  ASSERT_EQ(scan.records.size(), 5u);
  const bool flags[] = {false, true, true, false, false};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(scan.records[i].group_continues, flags[i]) << i;
  ASSERT_TRUE(log.Close().ok());
  auto inspection = InspectDataDirectory(&env, kDir, 1 << 20);  // `parley-logbook verify`
  ASSERT_TRUE(inspection.ok());
  EXPECT_NE(inspection->ToString().find("5 records (1..5), write groups: 1\n"), std::string::npos)
      << inspection->ToString();

  CrdtMap map(7);
  auto reopened = OpenInto(&env, kDir, TestOptions(), &map);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  for (uint64_t i = 0; i <= 4; ++i) EXPECT_TRUE(HasKey(map, i)) << i;
}

// Whatever byte a crash cuts the group's bytes at, even a record boundary
// inside it, recovery keeps the record before the group and none of the
// group, reports the cut as a torn tail at the group's start, and the log
// goes on from there.
TEST(LogbookGroup, AGroupCutAnywhereIsDroppedWholeAndTheLogGoesOn) {
  MemEnv env;
  Writer writer(7);
  {
    auto logbook = Logbook::Open(&env, kDir, TestOptions());
    ASSERT_TRUE(logbook.ok());
    ASSERT_TRUE((*logbook)->Append(writer.Set(0)).ok());
    (*logbook)->BeginGroup();
    for (uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->EndGroup().ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  const std::string whole = SegmentBytes(&env, 1);
  SegmentScan scan = ScanSegment(whole, 1 << 20);
  ASSERT_EQ(scan.records.size(), 4u);
  const size_t group_start = scan.records[1].offset;

  for (size_t cut = group_start + 1; cut < whole.size(); ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    MemEnv crashed;
    ASSERT_TRUE(testing::CopyIdentityWithSegment(&env, &crashed, kDir, whole.substr(0, cut)).ok());

    CrdtMap map(7);
    auto logbook = OpenInto(&crashed, kDir, TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    EXPECT_TRUE(HasKey(map, 0));
    for (uint64_t i = 1; i <= 3; ++i) EXPECT_FALSE(HasKey(map, i)) << i;
    const RecoveryReport& report = (*logbook)->recovery();
    EXPECT_EQ(report.last_sequence, 1u);
    ASSERT_TRUE(report.torn_tail);
    EXPECT_EQ(report.torn_tail->offset, group_start);
    if (cut >= scan.records[2].offset) {  // the group's first record is whole
      EXPECT_NE(report.torn_tail->reason.find("write group from record 2"), std::string::npos)
          << report.torn_tail->reason;
    }

    // The next record takes number 2 and a later recovery keeps it.
    Writer later(7);
    ASSERT_EQ(*(*logbook)->Append(later.Set(9)), 2u);
    ASSERT_TRUE((*logbook)->Close().ok());
    CrdtMap again(7);
    auto reopened = OpenInto(&crashed, kDir, TestOptions(), &again);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    EXPECT_TRUE(HasKey(again, 0));
    EXPECT_TRUE(HasKey(again, 9));
    EXPECT_FALSE((*reopened)->recovery().torn_tail);
  }
}

// A group never spans segments, so one that lacks its end in an older
// segment was not cut by a crash: the directory is corrupt.
TEST(LogbookGroup, AnOpenGroupBeforeTheNewestSegmentIsCorruption) {
  MemEnv env;
  Writer writer(7);
  {
    LogbookOptions options = TestOptions();
    options.segment_bytes = 200;  // every group starts a segment of its own
    auto logbook = Logbook::Open(&env, kDir, options);
    ASSERT_TRUE(logbook.ok());
    for (uint64_t g = 0; g < 2; ++g) {
      (*logbook)->BeginGroup();
      for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(g * 3 + i)).ok());
      ASSERT_TRUE((*logbook)->EndGroup().ok());
    }
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  std::string first = SegmentBytes(&env, 1);
  SegmentScan scan = ScanSegment(first, 1 << 20);
  ASSERT_EQ(scan.records.size(), 3u);  // the whole first group, and only it
  // Drop the first segment's last record: its group now lacks its end.
  ASSERT_TRUE(WriteFileAtomically(&env, kDir, SegmentFileName(1), first.substr(0, scan.records[2].offset)).ok());
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find(SegmentFileName(1) + " at byte offset 32: write group from record 1"),
            std::string::npos)
      << logbook.status().ToString();
}

TEST(LogbookGroup, AGroupOfOneRecordIsAnOrdinaryRecordAndCloseWritesAnOpenGroup) {
  MemEnv plain_env, group_env;
  Writer a(7), b(7);
  {
    auto plain = Logbook::Open(&plain_env, kDir, TestOptions());
    auto grouped = Logbook::Open(&group_env, kDir, TestOptions());
    ASSERT_TRUE(plain.ok() && grouped.ok());
    ASSERT_TRUE((*plain)->Append(a.Set(1)).ok());
    (*grouped)->BeginGroup();
    ASSERT_TRUE((*grouped)->Append(b.Set(1)).ok());
    ASSERT_TRUE((*grouped)->EndGroup().ok());
    EXPECT_EQ(SegmentBytes(&plain_env, 1), SegmentBytes(&group_env, 1));
    (*grouped)->BeginGroup();
    ASSERT_TRUE((*grouped)->Append(b.Set(2)).ok());
    ASSERT_TRUE((*grouped)->Append(b.Set(3)).ok());
    ASSERT_TRUE((*grouped)->Close().ok());
  }
  CrdtMap map(7);
  auto reopened = OpenInto(&group_env, kDir, TestOptions(), &map);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  for (uint64_t i = 1; i <= 3; ++i) EXPECT_TRUE(HasKey(map, i)) << i;
}

// A version-2 segment has no group flag: the same top bit of a length is an
// impossible length there, as it always was.
TEST(LogbookGroup, TheGroupFlagIsReadOnlyFromVersionThree) {
  Writer writer(7);
  std::string record(kRecordHeaderSize, '\0');
  EncodeCompactDelta(writer.Set(1), &record);
  FillRecordHeader(&record, 1, /*group_continues=*/true);
  SegmentScan v2 = ScanSegment(EncodeSegmentHeader(1, 2) + record, 1 << 20);
  ASSERT_TRUE(v2.damage);
  EXPECT_NE(v2.damage->reason.find("exceeds the limit"), std::string::npos) << v2.damage->reason;
  SegmentScan v3 = ScanSegment(EncodeSegmentHeader(1, 3) + record, 1 << 20);
  ASSERT_TRUE(v3.damage);  // an open group at the end: a torn tail
  EXPECT_TRUE(v3.damage->could_be_torn_tail);
  EXPECT_TRUE(v3.records.empty());
}

}  // namespace
}  // namespace parley

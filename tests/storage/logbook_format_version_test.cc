// Tests that a data directory written in format version 1 (fixed-width
// delta encoding) still opens, and that new files use the current format.
#include <gtest/gtest.h>

#include <string>

#include "storage/compact_delta.h"
#include "storage/delta_archive.h"
#include "storage/log_format.h"
#include "storage/logbook.h"
#include "storage/logbook_files.h"
#include "storage/logbook_inspector.h"
#include "storage/mem_env.h"
#include "storage/segment_reader.h"
#include "storage/snapshot_file.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::HasKey;
using testing::OpenInto;
using testing::TestOptions;
using testing::Writer;

constexpr char kDir[] = "/data";
constexpr ReplicaId kReplica = 0xfedcba9876543210;

// Rewrites a current-format segment in format version 1, record by record.
void DowngradeSegment(MemEnv* env, const std::string& name) {
  std::string contents;
  ASSERT_TRUE(ReadFileToString(env, JoinPath(kDir, name), &contents).ok());
  SegmentScan scan = ScanSegment(contents, 1 << 20);
  ASSERT_TRUE(scan.header_ok && !scan.damage);
  ASSERT_EQ(scan.version, kLogFormatVersion);
  std::string old = EncodeSegmentHeader(scan.first_sequence, 1);
  for (const SegmentRecord& record : scan.records) {
    auto delta = DecodeCompactDelta(record.payload);
    ASSERT_TRUE(delta.ok()) << delta.status().ToString();
    std::string bytes(kRecordHeaderSize, '\0');
    EncodeDeltaArchive(*delta, &bytes);
    FillRecordHeader(&bytes, record.sequence);
    old += bytes;
  }
  ASSERT_TRUE(WriteFileAtomically(env, kDir, name, old).ok());
}

// Rewrites a current-format snapshot in format version 1, following the
// layout documented in snapshot_file.h.
void DowngradeSnapshot(MemEnv* env, const std::string& name) {
  SnapshotInfo info;
  Delta state;
  ASSERT_TRUE(ReadSnapshotFile(env, JoinPath(kDir, name), uint64_t{1} << 30, &info, &state).ok());
  std::string payload;
  EncodeDeltaArchive(state, &payload);
  constexpr uint32_t kBlock = 64;  // small blocks: several of them
  std::string file(kSnapshotHeaderSize, '\0');
  char* h = file.data();
  std::memcpy(h, "PRLYSNAP", 8);
  EncodeFixed32(h + 8, 1);
  EncodeFixed32(h + 12, kBlock);
  EncodeFixed64(h + 16, info.covered_sequence);
  EncodeFixed64(h + 24, info.replica);
  EncodeFixed64(h + 32, payload.size());
  EncodeFixed64(h + 48, Checksum64(std::string_view(h, 48)));
  for (size_t pos = 0; pos < payload.size(); pos += kBlock) {
    std::string_view block = std::string_view(payload).substr(pos, kBlock);
    file.append(block);
    char check[8];
    EncodeFixed64(check, Checksum64(block));
    file.append(check, sizeof(check));
  }
  ASSERT_TRUE(WriteFileAtomically(env, kDir, name, file).ok());
}

uint32_t SegmentVersion(MemEnv* env, const std::string& name) {
  std::string contents;
  EXPECT_TRUE(ReadFileToString(env, JoinPath(kDir, name), &contents).ok());
  return ScanSegment(contents, 1 << 20).version;
}

TEST(LogbookFormatVersion, VersionOneDirectoryOpensAndNewRecordsUseTheCurrentFormat) {
  MemEnv env;
  Writer writer(kReplica);
  {
    auto logbook = Logbook::Open(&env, kDir, TestOptions(kReplica));
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->WriteSnapshot(writer.map().ExportState()).ok());
    for (int i = 5; i < 10; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  // Turn every file into its version-1 form.
  auto children = env.GetChildren(kDir);
  ASSERT_TRUE(children.ok());
  int segments = 0, snapshots = 0;
  for (const std::string& name : *children) {
    uint64_t number = 0;
    switch (ParseLogbookFileName(name, &number)) {
      case LogbookFileType::kSegment:
        DowngradeSegment(&env, name);
        ++segments;
        break;
      case LogbookFileType::kSnapshot:
        DowngradeSnapshot(&env, name);
        ++snapshots;
        break;
      default:
        break;
    }
  }
  ASSERT_GE(segments, 1);
  ASSERT_EQ(snapshots, 1);
  auto inspection = InspectDataDirectory(&env, kDir);
  ASSERT_TRUE(inspection.ok());
  EXPECT_TRUE(inspection->clean()) << inspection->ToString();

  {
    CrdtMap map(kReplica);
    auto logbook = OpenInto(&env, kDir, TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    EXPECT_EQ((*logbook)->recovery().records_replayed, 5u);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(HasKey(map, i)) << i;
    ASSERT_TRUE((*logbook)->Append(writer.Set(10)).ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  // The old segments stay as they are; the record appended after the
  // upgrade went into a new segment of the current version.
  children = env.GetChildren(kDir);
  ASSERT_TRUE(children.ok());
  uint64_t newest = 0;
  for (const std::string& name : *children) {
    uint64_t number = 0;
    if (ParseLogbookFileName(name, &number) == LogbookFileType::kSegment) newest = std::max(newest, number);
  }
  EXPECT_EQ(SegmentVersion(&env, SegmentFileName(newest)), kLogFormatVersion);
  inspection = InspectDataDirectory(&env, kDir);
  ASSERT_TRUE(inspection.ok());
  EXPECT_TRUE(inspection->clean()) << inspection->ToString();
  // The verifier's listing says which file is in which format.
  ASSERT_EQ(inspection->snapshots.size(), 1u);
  EXPECT_EQ(inspection->snapshots[0].version, 1u);
  for (const InspectedSegment& segment : inspection->segments) {
    const bool is_new = segment.file == SegmentFileName(newest);
    EXPECT_EQ(segment.version, is_new ? kLogFormatVersion : 1u) << segment.file;
    EXPECT_NE(inspection->ToString().find("segment " + segment.file + ": format " + std::to_string(segment.version)),
              std::string::npos)
        << inspection->ToString();
  }

  CrdtMap map(kReplica);
  auto logbook = OpenInto(&env, kDir, TestOptions(), &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  for (int i = 0; i <= 10; ++i) EXPECT_TRUE(HasKey(map, i)) << i;
}

TEST(LogbookFormatVersion, UnknownVersionsAreRefusedWithTheirOffset) {
  std::string segment = EncodeSegmentHeader(1, kLogFormatVersion + 1);
  SegmentScan scan = ScanSegment(segment, 1 << 20);
  EXPECT_FALSE(scan.header_ok);
  ASSERT_TRUE(scan.damage);
  EXPECT_EQ(scan.damage->offset, 8u);
  EXPECT_NE(scan.damage->reason.find("unsupported segment format version " + std::to_string(kLogFormatVersion + 1)), std::string::npos)
      << scan.damage->reason;
  EXPECT_FALSE(ScanSegment(EncodeSegmentHeader(1, 0), 1 << 20).header_ok);
}

}  // namespace
}  // namespace parley

// Tests that damage on disk stops start-up with an error naming file and offset.
#include "storage/logbook.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/delta_archive.h"
#include "storage/log_format.h"
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

// Copies every file of `from`'s data directory into a fresh MemEnv.
std::unique_ptr<MemEnv> Clone(MemEnv* from) {
  auto env = std::make_unique<MemEnv>();
  EXPECT_TRUE(env->CreateDir(kDir).ok());
  auto names = from->GetChildren(kDir);
  for (const std::string& name : *names) {
    std::string contents;
    EXPECT_TRUE(ReadFileToString(from, JoinPath(kDir, name), &contents).ok());
    EXPECT_TRUE(WriteFileAtomically(env.get(), kDir, name, contents).ok());
  }
  return env;
}

// Every byte of every record except the newest: a flipped bit is corruption,
// reported with the segment name and the offset of the damaged record.
TEST(LogbookCorruption, BitFlipInAnOlderRecordStopsStartUpNamingFileAndOffset) {
  MemEnv pristine;
  Writer writer(7);
  std::vector<uint64_t> record_starts;
  const std::string segment = JoinPath(kDir, SegmentFileName(1));
  {
    auto logbook = Logbook::Open(&pristine, kDir, TestOptions());
    ASSERT_TRUE(logbook.ok());
    for (int i = 0; i < 4; ++i) {
      record_starts.push_back(*pristine.GetFileSize(segment));
      ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
      ASSERT_TRUE((*logbook)->Sync().ok());
    }
  }
  const uint64_t last_record_start = record_starts.back();
  for (uint64_t offset = 0; offset < last_record_start; ++offset) {
    SCOPED_TRACE("flip at " + std::to_string(offset));
    auto env = Clone(&pristine);
    ASSERT_TRUE(env->CorruptByte(segment, offset, 0x10).ok());
    auto logbook = Logbook::Open(env.get(), kDir, TestOptions());
    ASSERT_FALSE(logbook.ok());
    EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
    // The error names the damaged record (or the header).
    uint64_t damaged = 0;
    for (uint64_t start : record_starts) {
      if (start <= offset) damaged = start;
    }
    const std::string expected = segment + " at byte offset " + std::to_string(damaged);
    EXPECT_NE(logbook.status().message().find(expected), std::string::npos) << logbook.status().ToString();
  }
}

TEST(LogbookCorruption, BitFlipInAnOlderSegmentIsCorruptionEvenAtItsEnd) {
  MemEnv env;
  Writer writer(7);
  {
    LogbookOptions options = TestOptions();
    options.segment_bytes = 300;  // a few records per segment
    auto logbook = Logbook::Open(&env, kDir, options);
    ASSERT_TRUE(logbook.ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  // The last byte of the first segment: were it the newest, this would be a
  // torn tail; in an older, synced segment it is corruption.
  const std::string first = JoinPath(kDir, SegmentFileName(1));
  ASSERT_TRUE(env.CorruptByte(first, *env.GetFileSize(first) - 1, 0x01).ok());
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find(first + " at byte offset "), std::string::npos)
      << logbook.status().ToString();
}

TEST(LogbookCorruption, BitFlipsInASnapshotStopStartUpNamingFileAndOffset) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  MemEnv pristine;
  Writer writer(7);
  {
    auto logbook = Logbook::Open(&pristine, kDir, TestOptions());
    ASSERT_TRUE(logbook.ok());
    for (int i = 0; i < 50; ++i) {
      Delta delta = writer.Set(i);
      ASSERT_TRUE((*logbook)->Append(delta).ok());
    }
    ASSERT_TRUE((*logbook)->WriteSnapshot(writer.map().ExportState()).ok());
  }
  const std::string snapshot = JoinPath(kDir, SnapshotFileName(50));
  ASSERT_TRUE(pristine.FileExists(snapshot));
  const uint64_t size = *pristine.GetFileSize(snapshot);
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t offset = trial < 56 ? trial : std::uniform_int_distribution<uint64_t>(0, size - 1)(rng);
    SCOPED_TRACE("flip at " + std::to_string(offset));
    auto env = Clone(&pristine);
    ASSERT_TRUE(env->CorruptByte(snapshot, offset, uint8_t{1} << (offset % 8)).ok());
    auto logbook = Logbook::Open(env.get(), kDir, TestOptions());
    ASSERT_FALSE(logbook.ok());
    EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
    EXPECT_NE(logbook.status().message().find("snapshot " + snapshot + " at byte offset "), std::string::npos)
        << logbook.status().ToString();
  }
}

// A record whose checksums hold but whose payload is not a delta (a bug in a
// writer, or a forged file) is corruption too, never a crash.
TEST(LogbookCorruption, WellChecksummedGarbageIsCorruption) {
  MemEnv env;
  { ASSERT_TRUE(Logbook::Open(&env, kDir, TestOptions()).ok()); }
  std::string segment;
  const std::string path = JoinPath(kDir, SegmentFileName(1));
  ASSERT_TRUE(ReadFileToString(&env, path, &segment).ok());
  // A count of 2^62 slots: must be refused before any allocation (I4).
  std::string record(kRecordHeaderSize, '\0');
  record.append(8, '\0');                                     // context: 0 replicas
  record.append("\0\0\0\0\0\0\0\x40", 8);                     // 2^62 slots
  FillRecordHeader(&record, 1);
  ASSERT_TRUE(WriteFileAtomically(&env, kDir, SegmentFileName(1), segment + record).ok());
  // Make it an older record by adding a valid second one after it.
  std::string second(kRecordHeaderSize, '\0');
  Writer writer(7);
  EncodeDeltaArchive(writer.Set(1), &second);
  FillRecordHeader(&second, 2);
  ASSERT_TRUE(WriteFileAtomically(&env, kDir, SegmentFileName(1), segment + record + second).ok());
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find(path + " at byte offset 32"), std::string::npos)
      << logbook.status().ToString();
}

TEST(LogbookCorruption, MissingSegmentBetweenTwoOthersIsCorruption) {
  MemEnv env;
  Writer writer(7);
  {
    LogbookOptions options = TestOptions();
    options.segment_bytes = 300;
    auto logbook = Logbook::Open(&env, kDir, options);
    ASSERT_TRUE(logbook.ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  ASSERT_TRUE(env.RemoveFile(JoinPath(kDir, SegmentFileName(2))).ok());
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find(SegmentFileName(3)), std::string::npos) << logbook.status().ToString();
}

TEST(LogbookCorruption, DamagedIdentityIsCorruption) {
  MemEnv env;
  { ASSERT_TRUE(Logbook::Open(&env, kDir, TestOptions()).ok()); }
  ASSERT_TRUE(env.CorruptByte(JoinPath(kDir, kIdentityFileName), 20, 0x01).ok());
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_FALSE(logbook.ok());
  EXPECT_EQ(logbook.status().code(), Status::Code::kCorruption);
  EXPECT_NE(logbook.status().message().find("IDENTITY"), std::string::npos);
}

TEST(LogbookCorruption, OversizedRecordIsRefusedWhenWritten) {
  MemEnv env;
  LogbookOptions options = TestOptions();
  options.max_record_bytes = 64;
  auto logbook = Logbook::Open(&env, kDir, options);
  ASSERT_TRUE(logbook.ok());
  CrdtMap map(7);
  auto delta = map.Apply(Op::Set("k", std::string(1000, 'x')), MakeTimestamp(1, 0));
  ASSERT_TRUE(delta.ok());
  auto appended = (*logbook)->Append(*delta);
  EXPECT_EQ(appended.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace parley

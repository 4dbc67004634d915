// Tests for MemEnv's crash model and for the logbook running on it.
#include "storage/mem_env.h"

#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "storage/logbook.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::HasKey;
using testing::OpenInto;
using testing::TestOptions;
using testing::Writer;

TEST(MemEnv, SimulateCrashDropsUnsyncedAppendsAndKeepsSyncedOnes) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto file = env.NewWritableFile("/d/f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  ASSERT_TRUE((*file)->Append("synced").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("-lost").ok());
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
  EXPECT_EQ(contents, "synced-lost");

  env.SimulateCrash();
  ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
  EXPECT_EQ(contents, "synced");
  // The old handle belonged to the crashed process.
  EXPECT_FALSE((*file)->Append("x").ok());
}

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
size_t HeapInUse() { return mallinfo2().uordblks; }
#else
size_t HeapInUse() { return 0; }  // sanitizer or non-glibc allocator: no figure
#endif

// A file grown by small appends (a log segment) must cost about its size,
// not the up to 2x of a doubling string: the 1000-node simulator holds 1000
// logbooks in memory. Closed, it costs its size.
TEST(MemEnv, AFileGrownByAppendsCostsAboutItsSize) {
  if (HeapInUse() == 0) GTEST_SKIP() << "no glibc heap statistics in this build";
  constexpr size_t kSize = 5'000'000;  // a doubling string would reserve 8 MiB
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  size_t before = HeapInUse();
  auto file = env.NewWritableFile("/d/segment");
  ASSERT_TRUE(file.ok());
  std::string record(100, 'r');
  for (size_t written = 0; written < kSize; written += record.size()) ASSERT_TRUE((*file)->Append(record).ok());
  double ratio = static_cast<double>(HeapInUse() - before) / kSize;
  EXPECT_LE(ratio, 1.2);
  file->reset();  // let go without Close(), as the logbook does with a rolled segment
  ratio = static_cast<double>(HeapInUse() - before) / kSize;
  EXPECT_LE(ratio, 1.01);
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, "/d/segment", &contents).ok());
  EXPECT_EQ(contents.size(), kSize);
}

// Files are kept in 16 KB blocks: contents, crash cuts, truncation and
// corruption must be exact wherever they fall relative to block edges.
TEST(MemEnv, ContentsAreExactAcrossBlockEdges) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto file = env.NewWritableFile("/d/f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  std::string expected;
  size_t synced = 0;
  for (size_t i = 0; i < 40; ++i) {
    // Sizes from 1 byte to well over a block, so appends start and end
    // anywhere in a block and some span several.
    std::string record((i * 7919) % 150'000 + 1, static_cast<char>('a' + i % 26));
    ASSERT_TRUE((*file)->Append(record).ok());
    expected += record;
    if (i == 25) {
      ASSERT_TRUE((*file)->Sync().ok());
      synced = expected.size();
    }
  }
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
  ASSERT_EQ(contents, expected);

  ASSERT_TRUE(env.CorruptByte("/d/f", 70'000, 0xff).ok());
  expected[70'000] = static_cast<char>(expected[70'000] ^ 0xff);
  ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
  ASSERT_EQ(contents, expected);

  env.SimulateCrash();
  expected.resize(synced);
  ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
  ASSERT_EQ(contents, expected);

  for (size_t cut : {size_t{200'000}, size_t{131'072}, size_t{65'535}, size_t{0}}) {
    ASSERT_TRUE(env.TruncateFile("/d/f", cut).ok());
    ASSERT_TRUE(ReadFileToString(&env, "/d/f", &contents).ok());
    ASSERT_EQ(contents, expected.substr(0, cut)) << cut;
    EXPECT_EQ(*env.GetFileSize("/d/f"), cut);
  }
}

TEST(MemEnv, FileCreatedWithoutDirectorySyncIsLost) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto file = env.NewWritableFile("/d/f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("data").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  env.SimulateCrash();
  EXPECT_FALSE(env.FileExists("/d/f"));
}

TEST(MemEnv, RenameWithoutDirectorySyncIsUndone) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d", "a", "old").ok());
  {
    auto file = env.NewWritableFile("/d/b.tmp");
    ASSERT_TRUE((*file)->Append("new").ok());
    ASSERT_TRUE((*file)->Sync().ok());
  }
  ASSERT_TRUE(env.RenameFile("/d/b.tmp", "/d/a").ok());
  env.SimulateCrash();
  std::string contents;
  ASSERT_TRUE(ReadFileToString(&env, "/d/a", &contents).ok());
  EXPECT_EQ(contents, "old");
  EXPECT_FALSE(env.FileExists("/d/b.tmp"));  // never made durable either
}

TEST(MemEnv, LogbookKeepsSyncedRecordsAndLosesUnsyncedOnes) {
  MemEnv env;
  Writer writer(7);
  {
    auto logbook = Logbook::Open(&env, "/data", TestOptions());
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    ASSERT_TRUE((*logbook)->Sync().ok());
    EXPECT_EQ((*logbook)->durable_sequence(), 10u);
    for (uint64_t i = 10; i < 20; ++i) ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok());
    EXPECT_EQ((*logbook)->durable_sequence(), 10u);
    env.SimulateCrash();
  }
  CrdtMap map;
  auto logbook = OpenInto(&env, "/data", TestOptions(), &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  EXPECT_EQ((*logbook)->replica_id(), 7u);
  EXPECT_EQ((*logbook)->recovery().last_sequence, 10u);
  for (uint64_t i = 0; i < 10; ++i) EXPECT_TRUE(HasKey(map, i)) << i;
  for (uint64_t i = 10; i < 20; ++i) EXPECT_FALSE(HasKey(map, i)) << i;
  // Sequence numbers continue after the recovered ones.
  auto next = (*logbook)->Append(writer.Set(99));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 11u);
}

TEST(MemEnv, LogbookSurvivesRepeatedCrashesWithSnapshots) {
  MemEnv env;
  Writer writer(7);
  uint64_t durable_writes = 0;
  for (int round = 0; round < 5; ++round) {
    CrdtMap map;
    auto logbook = OpenInto(&env, "/data", TestOptions(), &map);
    ASSERT_TRUE(logbook.ok()) << "round " << round << ": " << logbook.status().ToString();
    for (uint64_t i = 0; i < durable_writes; ++i) ASSERT_TRUE(HasKey(map, i)) << "round " << round << " key " << i;
    for (int j = 0; j < 20; ++j) {
      Delta delta = writer.Set(durable_writes + j);
      ASSERT_TRUE(map.Join(delta).ok());
      ASSERT_TRUE((*logbook)->Append(delta).ok());
    }
    if (round % 2 == 0) {
      ASSERT_TRUE((*logbook)->WriteSnapshot(map.ExportState()).ok());
    } else {
      ASSERT_TRUE((*logbook)->Sync().ok());
    }
    durable_writes += 20;
    env.SimulateCrash();
  }
}

}  // namespace
}  // namespace parley

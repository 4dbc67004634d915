// Tests for how the logbook reacts to failing file operations: which failures
// stick (the log's state on disk is unknown) and which are only a lost
// optimisation (preallocation).
#include "storage/logbook.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "storage/logbook_files.h"
#include "storage/mem_env.h"
#include "tests/storage/logbook_test_util.h"
#include "tests/support/faulty_env.h"

namespace parley {
namespace {

using testing::FaultyEnv;
using testing::HasKey;
using testing::OpenInto;
using testing::TestOptions;
using testing::Writer;

constexpr char kDir[] = "/data";

// Preallocation only saves fsync work; on a nearly full disk its zeros may
// not fit where the records still would. Its failure must cost neither the
// write being synced nor any later one.
TEST(LogbookIoError, FailedPreallocationDoesNotFailSyncOrLaterWrites) {
  MemEnv mem;
  FaultyEnv env(&mem);
  LogbookOptions options = TestOptions();
  options.preallocate_bytes = 1 << 20;
  Writer writer(7);
  {
    auto logbook = Logbook::Open(&env, kDir, options);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    env.fail_preallocate = true;
    for (uint64_t i = 1; i <= 20; ++i) {
      auto sequence = (*logbook)->Append(writer.Set(i));
      ASSERT_TRUE(sequence.ok()) << "record " << i << ": " << sequence.status().ToString();
      EXPECT_EQ(*sequence, i);
      Status synced = (*logbook)->Sync();
      ASSERT_TRUE(synced.ok()) << "record " << i << ": " << synced.ToString();
      EXPECT_EQ((*logbook)->durable_sequence(), i);
    }
    // Given up for this segment after the first failure, not retried on
    // every sync.
    EXPECT_EQ(env.preallocate_calls, 1);
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  CrdtMap map;
  auto logbook = OpenInto(&mem, kDir, options, &map);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  EXPECT_FALSE((*logbook)->recovery().torn_tail.has_value());
  EXPECT_EQ((*logbook)->recovery().last_sequence, 20u);
  for (uint64_t i = 1; i <= 20; ++i) EXPECT_TRUE(HasKey(map, i)) << "record " << i;
  EXPECT_EQ(map.StateDigest(), writer.map().StateDigest());
}

// The next segment tries again: the disk may have room by then.
TEST(LogbookIoError, PreallocationIsTriedAgainInTheNextSegment) {
  MemEnv mem;
  FaultyEnv env(&mem);
  LogbookOptions options = TestOptions();
  options.segment_bytes = 4096;
  options.preallocate_bytes = 1024;
  Writer writer(7);
  auto logbook = Logbook::Open(&env, kDir, options);
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  env.fail_preallocate = true;
  uint64_t i = 0;
  while ((*logbook)->segment_count() == 1) {
    ASSERT_TRUE((*logbook)->Append(writer.Set(++i)).ok());
    ASSERT_TRUE((*logbook)->Sync().ok()) << "record " << i;
  }
  EXPECT_EQ(env.preallocate_calls, 2) << "once in each segment";
  env.fail_preallocate = false;
  const int calls = env.preallocate_calls;
  ASSERT_TRUE((*logbook)->Append(writer.Set(++i)).ok());
  ASSERT_TRUE((*logbook)->Sync().ok());
  EXPECT_EQ((*logbook)->durable_sequence(), i);
  EXPECT_EQ(env.preallocate_calls, calls) << "the second segment already gave up";
}

// Lowers the process's file size limit (RLIMIT_FSIZE) so that a write past
// it comes back short and then fails with EFBIG, as writes into a full disk
// do with ENOSPC. Restores the limit and SIGXFSZ's handler when it dies.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ok_ = ::getrlimit(RLIMIT_FSIZE, &old_) == 0;
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = old_;
    limited.rlim_cur = bytes;
    ok_ = ok_ && ::setrlimit(RLIMIT_FSIZE, &limited) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
  bool ok_ = false;
};

// On a real disk a failed preallocation can leave part of its zeros behind
// the records. Appends overwrite them, Close() cuts the rest, and a crash
// before that leaves a zero tail that recovery takes as the end of the log.
TEST(LogbookIoError, PartlyWrittenPreallocationOnARealDiskKeepsTheLogReadable) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string segment = JoinPath(data, SegmentFileName(1));
  constexpr uint64_t kLimit = 50'000;  // inside the first 64 KB write of zeros
  LogbookOptions options = TestOptions();
  options.preallocate_bytes = 1 << 20;
  Writer writer(7);
  std::string crashed;  // the segment as a killed process would leave it
  {
    auto logbook = Logbook::Open(Env::Default(), data, options);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    {
      FileSizeLimit limit(kLimit);
      ASSERT_TRUE(limit.ok());
      for (uint64_t i = 1; i <= 30; ++i) {
        ASSERT_TRUE((*logbook)->Append(writer.Set(i)).ok()) << "record " << i;
        Status synced = (*logbook)->Sync();
        ASSERT_TRUE(synced.ok()) << "record " << i << ": " << synced.ToString();
        EXPECT_EQ((*logbook)->durable_sequence(), i);
      }
    }
    ASSERT_TRUE(ReadFileToString(Env::Default(), segment, &crashed).ok());
    EXPECT_EQ(crashed.size(), kLimit) << "the zeros that fit stay";
    ASSERT_TRUE((*logbook)->Close().ok());
  }
  std::string closed;
  ASSERT_TRUE(ReadFileToString(Env::Default(), segment, &closed).ok());
  ASSERT_LT(closed.size(), crashed.size()) << "Close() cuts the zeros nobody overwrote";
  EXPECT_EQ(crashed.substr(0, closed.size()), closed);
  EXPECT_EQ(crashed.find_first_not_of('\0', closed.size()), std::string::npos);

  for (const std::string* image : {&closed, &crashed}) {
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), data, SegmentFileName(1), *image).ok());
    CrdtMap map;
    auto logbook = OpenInto(Env::Default(), data, options, &map);
    ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
    EXPECT_FALSE((*logbook)->recovery().torn_tail.has_value());
    EXPECT_EQ((*logbook)->recovery().last_sequence, 30u);
    EXPECT_EQ(map.StateDigest(), writer.map().StateDigest());
    EXPECT_EQ(*Env::Default()->GetFileSize(segment), closed.size());
    ASSERT_TRUE((*logbook)->Close().ok());
  }
}

// A failed fsync is different: the kernel may have dropped the dirty pages,
// so a retry could report success for lost data. The error sticks.
TEST(LogbookIoError, FailedSyncIsSticky) {
  MemEnv mem;
  FaultyEnv env(&mem);
  Writer writer(7);
  auto logbook = Logbook::Open(&env, kDir, TestOptions());
  ASSERT_TRUE(logbook.ok()) << logbook.status().ToString();
  ASSERT_TRUE((*logbook)->Append(writer.Set(1)).ok());
  ASSERT_TRUE((*logbook)->Sync().ok());
  ASSERT_TRUE((*logbook)->Append(writer.Set(2)).ok());
  env.fail_sync = true;
  Status failed = (*logbook)->Sync();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), Status::Code::kIoError);
  env.fail_sync = false;
  EXPECT_EQ((*logbook)->durable_sequence(), 1u);
  auto appended = (*logbook)->Append(writer.Set(3));
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.status().message(), failed.message());
  Status again = (*logbook)->Sync();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.message(), failed.message());
  EXPECT_EQ((*logbook)->durable_sequence(), 1u);
}

}  // namespace
}  // namespace parley

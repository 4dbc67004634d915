// Tests that GroupCommitter acknowledges writes only once they are durable.
#include "storage/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/mem_env.h"
#include "tests/storage/logbook_test_util.h"

namespace parley {
namespace {

using testing::HasKey;
using testing::OpenInto;
using testing::TestOptions;
using testing::Writer;

class LogbookGroupCommit : public ::testing::TestWithParam<SyncPolicy> {};

TEST_P(LogbookGroupCommit, AcknowledgementsFireOncePerWriteAndOnlyWhenDurable) {
  MemEnv env;
  auto logbook = Logbook::Open(&env, "/data", TestOptions());
  ASSERT_TRUE(logbook.ok());
  Logbook* log = logbook->get();
  std::atomic<int> acked{0};
  std::atomic<int> early{0};
  {
    GroupCommitter committer(log, GetParam(), std::chrono::microseconds(500));
    Writer writer(7);
    for (int i = 0; i < 500; ++i) {
      const uint64_t sequence = i + 1;  // a fresh log numbers records from 1
      auto result = committer.Write(writer.Set(i), [&, log, sequence](Status s) {
        EXPECT_TRUE(s.ok()) << s.ToString();
        // Under always and batch, an ack means the record is durable.
        if (GetParam() != SyncPolicy::kNone && log->durable_sequence() < sequence) ++early;
        ++acked;
      });
      ASSERT_TRUE(result.ok());
      ASSERT_EQ(*result, sequence);
    }
    ASSERT_TRUE(committer.Flush().ok());
    EXPECT_EQ(acked.load(), 500);
    if (GetParam() == SyncPolicy::kBatch) {
      EXPECT_LT(committer.sync_count(), 500u) << "batch should share fsyncs";
    }
  }
  EXPECT_EQ(early.load(), 0);
  if (GetParam() != SyncPolicy::kNone) {
    env.SimulateCrash();
    CrdtMap map;
    logbook.value().reset();
    auto reopened = OpenInto(&env, "/data", TestOptions(), &map);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(HasKey(map, i)) << i;
  }
}

TEST_P(LogbookGroupCommit, WritesFromManyThreadsAreAllAcknowledged) {
  MemEnv env;
  auto logbook = Logbook::Open(&env, "/data", TestOptions());
  ASSERT_TRUE(logbook.ok());
  std::atomic<int> acked{0};
  {
    GroupCommitter committer(logbook->get(), GetParam(), std::chrono::microseconds(200));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        Writer writer(100 + t);
        for (int i = 0; i < 200; ++i) {
          auto r = committer.Write(writer.Set(i), [&](Status s) {
            EXPECT_TRUE(s.ok());
            ++acked;
          });
          EXPECT_TRUE(r.ok());
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }  // the destructor drains
  EXPECT_EQ(acked.load(), 800);
}

INSTANTIATE_TEST_SUITE_P(LogbookSyncPolicies, LogbookGroupCommit,
                         ::testing::Values(SyncPolicy::kAlways, SyncPolicy::kBatch, SyncPolicy::kNone),
                         [](const auto& info) { return std::string(SyncPolicyName(info.param)); });

TEST(LogbookGroupCommitPolicy, ParsesNames) {
  EXPECT_EQ(*ParseSyncPolicy("batch"), SyncPolicy::kBatch);
  EXPECT_FALSE(ParseSyncPolicy("sometimes").ok());
}

}  // namespace
}  // namespace parley

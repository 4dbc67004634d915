// libparley: many threads reading and writing one node at once. Run under
// ASan/UBSan (the asan preset) this is the data-race and lifetime check;
// reads must always see whole batches.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/embed/embed_test_util.h"

namespace parley::embed {
namespace {

using testing::LocalOptions;
using testing::OpenOrDie;

TEST(EmbedThreads, ConcurrentWritersAndReaders) {
  std::unique_ptr<Node> node = OpenOrDie(LocalOptions("busy"));
  ASSERT_NE(node, nullptr);
  constexpr int kWriters = 3, kReaders = 3, kWrites = 300;
  std::atomic<int> write_errors{0}, torn_reads{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWrites; ++i) {
        // Two keys changed in one batch: readers must never see one alone.
        Batch batch;
        batch.Incr("pair/left", 1).Incr("pair/right", 1).Set("w" + std::to_string(w), std::to_string(i));
        Status s = i % 2 == 0 ? node->Write(batch) : node->WriteFuture(batch).get();
        if (!s.ok()) ++write_errors;
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      while (writing) {
        Result<int64_t> left = node->GetCounter("pair/left");
        (void)node->Keys("w");
        (void)node->Get("w0");
        if (!left.ok()) continue;
        // Reads are not one snapshot across calls, but each batch applies
        // under one lock: right can only be ahead of an earlier left.
        Result<int64_t> right = node->GetCounter("pair/right");
        if (!right.ok() || *right < *left) ++torn_reads;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(write_errors, 0);
  EXPECT_EQ(torn_reads, 0);
  EXPECT_EQ(node->GetCounter("pair/left").value(), kWriters * kWrites);
  EXPECT_EQ(node->GetCounter("pair/right").value(), kWriters * kWrites);
}

TEST(EmbedThreads, CloseWhileOthersWrite) {
  std::unique_ptr<Node> node = OpenOrDie(LocalOptions("closing"));
  ASSERT_NE(node, nullptr);
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Status s = node->Incr("n", 1);
        (s.ok() ? ok : s.code() == Status::Code::kUnavailable ? unavailable : other)++;
        (void)node->Get("n");
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(node->Close().ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(other, 0);
  EXPECT_EQ(ok + unavailable, 800);
}

}  // namespace
}  // namespace parley::embed

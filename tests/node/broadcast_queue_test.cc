// BroadcastQueue: least-sent first, superseding by subject, bounded size.
#include "node/core/broadcast_queue.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

Message Ping(uint32_t seq) { return PingMessage{seq, "x"}; }

TEST(BroadcastQueue, NewerBroadcastAboutTheSameSubjectReplacesTheOlder) {
  BroadcastQueue q;
  q.Push(Ping(1), 10, "n1");
  q.Push(Ping(2), 10, "n1");
  q.Push(Ping(3), 10, "n2");
  EXPECT_EQ(q.size(), 2u);
}

TEST(BroadcastQueue, RetiresAfterTheTransmitLimitAndRespectsTheBudget) {
  BroadcastQueue q;
  q.Push(Ping(1), 10, std::nullopt);
  q.Push(Ping(2), 10, std::nullopt);
  EXPECT_EQ(q.Take(15, 2).size(), 1u);  // only one fits
  EXPECT_EQ(q.Take(100, 2).size(), 2u);
  EXPECT_EQ(q.Take(100, 2).size(), 1u);  // the first one is retired
  EXPECT_TRUE(q.empty());
}

TEST(BroadcastQueue, OffersTheLeastSentFirstAndTheNewestAmongEquals) {
  BroadcastQueue q;
  for (uint32_t seq = 1; seq <= 3; ++seq) q.Push(Ping(seq), 10, std::nullopt);
  auto seq_of = [](const std::vector<Message>& taken) { return std::get<PingMessage>(taken.at(0)).seq; };
  EXPECT_EQ(seq_of(q.Take(10, 5)), 3u);  // all unsent: the newest
  EXPECT_EQ(seq_of(q.Take(10, 5)), 2u);  // 3 was sent once now
  EXPECT_EQ(seq_of(q.Take(10, 5)), 1u);
  EXPECT_EQ(seq_of(q.Take(10, 5)), 3u);  // all sent once: the newest again
  // A broadcast too big for what is left is skipped, not a stopper.
  q.Push(Ping(4), 50, std::nullopt);
  std::vector<Message> taken = q.Take(30, 5);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(q.size(), 4u);
}

// A node with no peers never takes its broadcasts: the queue must not grow
// without bound (found by redis-benchmark against a lone node).
TEST(BroadcastQueue, UnnamedBroadcastsAreBounded) {
  BroadcastQueue q;
  for (uint32_t i = 0; i < 10 * BroadcastQueue::kMaxUnnamed; ++i) q.Push(Ping(i), 10, std::nullopt);
  q.Push(Ping(0), 10, "member");
  EXPECT_EQ(q.size(), BroadcastQueue::kMaxUnnamed + 1);
  // The newest survive.
  std::vector<Message> taken = q.Take(SIZE_MAX, 100);
  bool newest = false;
  for (const Message& m : taken) {
    if (std::get<PingMessage>(m).seq == 10 * BroadcastQueue::kMaxUnnamed - 1) newest = true;
  }
  EXPECT_TRUE(newest);
}

}  // namespace
}  // namespace parley

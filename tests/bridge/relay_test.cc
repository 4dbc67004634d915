// Relay tests: groups of nodes with no direct path converge through a real
// Redis stream; a reader that reconnects resumes; one that fell behind the
// trimmed stream catches up by anti-entropy through the relay.
#include <gtest/gtest.h>

#include "tests/bridge/bridge_test_util.h"
#include "tests/bridge/loop_nodes.h"

namespace parley::testing {
namespace {

TEST(Relay, GroupsWithoutADirectPathConvergeThroughRedis) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  LoopNodes nodes;
  for (int group : {0, 0, 1, 1}) nodes.Add(group);
  for (size_t i = 0; i < nodes.size(); ++i) nodes.node(i).AttachBridge(TestBridgeOptions(redis, true, false, false));
  nodes.RunFor(300);  // bridges connect, groups find their members

  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string n = std::to_string(i);
    ASSERT_TRUE(nodes.node(i).Put({Op::Set("reg" + n, n), Op::Incr("count", 1), Op::SAdd("set", n),
                                   Op::HSet("hash", "f" + n, n)}));
  }
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 10000));
  EXPECT_EQ(nodes.node(3).core().map().GetRegister("reg0"), "0");
  EXPECT_EQ(nodes.node(0).core().map().GetCounter("count"), 4);
  EXPECT_EQ(nodes.node(0).core().map().SetMembers("set").size(), 4u);
  EXPECT_GE(nodes.node(0).bridge()->stats().relayed_frames, 1u);
  EXPECT_GE(nodes.node(2).bridge()->stats().received_frames, 1u);
  EXPECT_GE(nodes.node(0).bridge()->stats().own_entries_skipped, 1u) << "a node reads its own entries and skips them";
  EXPECT_EQ(redis.Run({"EXISTS", "parley:relay"}), "1");
}

TEST(Relay, ReconnectingReaderResumesFromItsLastId) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  LoopNodes nodes;
  nodes.Add(0);
  nodes.Add(1);
  BridgeOptions slow = TestBridgeOptions(redis, true, false, false);
  slow.backoff_min_ms = slow.backoff_max_ms = 1000;  // stays away a while after a drop
  nodes.node(0).AttachBridge(TestBridgeOptions(redis, true, false, false));
  nodes.node(1).AttachBridge(slow);
  nodes.RunFor(300);
  ASSERT_TRUE(nodes.node(0).Put({Op::Set("before", "1")}));
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 5000));
  ASSERT_TRUE(nodes.RunUntil([&] { return !nodes.node(1).bridge()->relay()->last_id().empty(); }, 5000));

  nodes.node(1).bridge()->reader()->Drop("test");
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(nodes.node(0).Put({Op::Set("while-away-" + std::to_string(i), "x")}));
  nodes.RunFor(200);
  EXPECT_EQ(nodes.node(1).core().map().GetRegister("while-away-0"), std::nullopt);
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 5000));
  EXPECT_EQ(nodes.node(1).bridge()->stats().fell_behind, 0u) << "nothing was trimmed: a plain resume";
  EXPECT_EQ(nodes.node(1).bridge()->stats().reconnects, 1u);
}

TEST(Relay, ReaderThatFellBehindTheTrimmedStreamCatchesUpByAntiEntropy) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  // Small stream nodes so MAXLEN ~ trims in small steps.
  ASSERT_EQ(redis.Run({"CONFIG", "SET", "stream-node-max-entries", "4"}), "OK");
  LoopNodes nodes;
  nodes.Add(0);
  nodes.Add(1);
  BridgeOptions options = TestBridgeOptions(redis, true, false, false);
  options.stream_maxlen = 8;
  BridgeOptions slow = options;
  slow.backoff_min_ms = slow.backoff_max_ms = 1500;
  nodes.node(0).AttachBridge(options);
  nodes.node(1).AttachBridge(slow);
  nodes.RunFor(300);
  ASSERT_TRUE(nodes.node(0).Put({Op::Set("first", "1")}));
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 5000));

  nodes.node(1).bridge()->reader()->Drop("test");
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(nodes.node(0).Put({Op::Set("burst-" + std::to_string(i), std::to_string(i))}));
    nodes.RunFor(2);
  }
  EXPECT_LE(std::stoi(redis.Run({"XLEN", "parley:relay"})), 20) << "the stream was trimmed";
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 10000));
  EXPECT_EQ(nodes.node(1).core().map().GetRegister("burst-0"), "0");
  EXPECT_GE(nodes.node(1).bridge()->stats().fell_behind, 1u);
}

TEST(Relay, QueueIsBoundedWhileRedisIsDownAndDropsAreRepairedAfterwards) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  LoopNodes nodes;
  nodes.Add(0);
  nodes.Add(1);
  BridgeOptions small = TestBridgeOptions(redis, true, false, false);
  small.max_queued_frames = 5;
  nodes.node(0).AttachBridge(small);
  nodes.node(1).AttachBridge(TestBridgeOptions(redis, true, false, false));
  nodes.RunFor(300);

  redis.Kill();
  nodes.RunFor(100);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(nodes.node(0).Put({Op::Set("k" + std::to_string(i), "v")}));
  nodes.RunFor(100);
  EXPECT_EQ(nodes.node(0).core().map().KeyCount(), 30u) << "the node keeps serving writes";
  EXPECT_LE(nodes.node(0).bridge()->stats().queued_frames, 5u);
  EXPECT_GE(nodes.node(0).bridge()->stats().dropped_frames, 25u);

  ASSERT_TRUE(redis.Start());
  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 10000))
      << "node 1 has " << nodes.node(1).core().map().KeyCount() << " keys";
  EXPECT_GE(nodes.node(0).bridge()->stats().sync_requests_sent, 1u);
}

}  // namespace
}  // namespace parley::testing

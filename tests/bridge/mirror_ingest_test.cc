// Mirror and ingest tests against a real redis-server: parley writes appear
// as Redis keys of the matching type, legacy Redis writes reach every node,
// and neither direction echoes back.
#include <gtest/gtest.h>

#include "tests/bridge/bridge_test_util.h"
#include "tests/bridge/loop_nodes.h"

namespace parley::testing {
namespace {

// Node 0 mirrors and ingests; node 1 (another group) only relays.
struct MirrorFleet {
  RedisServer redis;
  LoopNodes nodes;

  void Start(const std::string& prefix = "") {
    ASSERT_TRUE(redis.Start());
    nodes.Add(0);
    nodes.Add(1);
    BridgeOptions full = TestBridgeOptions(redis, true, true, true);
    full.prefix = prefix;
    nodes.node(0).AttachBridge(full);
    nodes.node(1).AttachBridge(TestBridgeOptions(redis, true, false, false));
    ASSERT_TRUE(nodes.RunUntil([&] { return stats().mirror_resyncs >= 1; }, 5000));
  }
  const BridgeStats& stats() { return nodes.node(0).bridge()->stats(); }
  bool RedisShows(const std::vector<std::string>& command, const std::string& expected, uint64_t timeout_ms = 5000) {
    return nodes.RunUntil([&] { return redis.Run(command) == expected; }, timeout_ms);
  }
};

TEST(Mirror, ParleyWritesBecomeRedisKeysOfTheMatchingType) {
  MirrorFleet f;
  f.Start();
  // The Redis-era app's key, written on a node without a mirror.
  ASSERT_TRUE(f.nodes.node(1).Put({Op::Set("treasureMap", "{\"x\":1}")}));
  EXPECT_TRUE(f.RedisShows({"GET", "treasureMap"}, "{\"x\":1}"));
  ASSERT_TRUE(f.nodes.node(0).Put({Op::Incr("visits", 41), Op::SAdd("crew", "anne"), Op::SAdd("crew", "mary"),
                                   Op::HSet("ship", "name", "revenge"), Op::HSet("ship", "guns", "40")}));
  ASSERT_TRUE(f.nodes.node(1).Put({Op::Incr("visits", 1)}));
  EXPECT_TRUE(f.RedisShows({"GET", "visits"}, "42"));
  EXPECT_TRUE(f.RedisShows({"SMEMBERS", "crew"}, "anne,mary"));
  EXPECT_TRUE(f.RedisShows({"HGETALL", "ship"}, "40,guns,name,revenge"));
  EXPECT_EQ(f.redis.Run({"TYPE", "crew"}), "set");
  EXPECT_EQ(f.redis.Run({"TYPE", "ship"}), "hash");

  ASSERT_TRUE(f.nodes.node(1).Put({Op::SRem("crew", "mary"), Op::Del("ship")}));
  EXPECT_TRUE(f.RedisShows({"SMEMBERS", "crew"}, "anne"));
  EXPECT_TRUE(f.RedisShows({"EXISTS", "ship"}, "0"));
  f.nodes.RunFor(300);
  EXPECT_EQ(f.stats().ingested_writes, 0u) << "the mirror's own writes are not ingested";
  EXPECT_GE(f.stats().echoes_ignored, 1u);
}

TEST(Mirror, UsesThePrefixAndResyncsKeysWrittenBeforeTheBridge) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  LoopNodes nodes;
  nodes.Add(0);
  ASSERT_TRUE(nodes.node(0).Put({Op::Set("early", "bird")}));
  redis.Run({"SET", "app:stale", "x"});  // not ours: without ingest the mirror owns the prefix
  redis.Run({"SET", "unrelated", "y"});
  BridgeOptions o = TestBridgeOptions(redis, false, true, false);
  o.prefix = "app:";
  nodes.node(0).AttachBridge(o);
  ASSERT_TRUE(nodes.RunUntil([&] { return redis.Run({"GET", "app:early"}) == "bird"; }, 5000));
  EXPECT_TRUE(nodes.RunUntil([&] { return redis.Run({"EXISTS", "app:stale"}) == "0"; }, 5000));
  EXPECT_EQ(redis.Run({"GET", "unrelated"}), "y") << "keys outside the prefix are left alone";
}

TEST(Ingest, LegacyWritesReachEveryNodeAsOneCrdtWriteEach) {
  MirrorFleet f;
  f.Start();
  uint64_t writes_before = f.nodes.node(0).core().stats().writes;
  auto on_both = [&f](auto check) {
    return f.nodes.RunUntil([&] { return check(f.nodes.node(0)) && check(f.nodes.node(1)); }, 5000);
  };

  f.redis.Run({"SET", "treasureMap", "legacy"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().GetRegister("treasureMap") == "legacy"; }));
  f.redis.Run({"SADD", "crew", "jack", "anne"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().SetMembers("crew").size() == 2; }));
  f.redis.Run({"HSET", "ship", "name", "ranger"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().HashGet("ship", "name") == "ranger"; }));
  f.redis.Run({"SREM", "crew", "jack"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().SetMembers("crew").size() == 1; }));
  f.redis.Run({"DEL", "ship"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().TypeOf("ship") == ValueType::kNone; }));
  f.nodes.RunFor(300);
  EXPECT_EQ(f.stats().ingested_writes, 5u);
  EXPECT_EQ(f.nodes.node(0).core().stats().writes - writes_before, 5u) << "one CRDT write per external write";

  // A parley counter changed with INCRBY by a legacy app: incremented by the difference.
  ASSERT_TRUE(f.nodes.node(1).Put({Op::Incr("visits", 10)}));
  ASSERT_TRUE(f.RedisShows({"GET", "visits"}, "10"));
  // (Sequential: a legacy write landing between a parley change and its
  // mirror write is overwritten in Redis by the mirror, as Redis orders them.)
  ASSERT_TRUE(f.nodes.node(1).Put({Op::Incr("visits", 5)}));
  ASSERT_TRUE(f.RedisShows({"GET", "visits"}, "15"));
  f.redis.Run({"INCRBY", "visits", "3"});
  EXPECT_TRUE(on_both([](LoopNode& n) { return n.core().map().GetCounter("visits") == 18; }));
  EXPECT_TRUE(f.RedisShows({"GET", "visits"}, "18"));

  // And parley writes make no ingest.
  uint64_t ingested = f.stats().ingested_writes;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f.nodes.node(i % 2).Put({Op::SAdd("crew", "p" + std::to_string(i))}));
  EXPECT_TRUE(f.RedisShows({"SCARD", "crew"}, "11"));
  f.nodes.RunFor(300);
  EXPECT_EQ(f.stats().ingested_writes, ingested);
}

TEST(Ingest, WritesMadeWhileTheBridgeWasAwayAreIngestedOnResync) {
  MirrorFleet f;
  f.Start();
  ASSERT_TRUE(f.nodes.node(0).Put({Op::Set("a", "1"), Op::Set("b", "1")}));
  ASSERT_TRUE(f.RedisShows({"GET", "b"}, "1"));
  f.nodes.RunFor(200);
  // The subscriber and the command connection drop; a legacy app writes meanwhile.
  f.nodes.node(0).bridge()->subscriber()->Drop("test");
  f.nodes.node(0).bridge()->commands()->Drop("test");
  f.redis.Run({"SET", "b", "2"});
  f.redis.Run({"SET", "c", "new"});
  EXPECT_TRUE(f.nodes.RunUntil([&] { return f.nodes.node(1).core().map().GetRegister("b") == "2"; }, 5000));
  EXPECT_TRUE(f.nodes.RunUntil([&] { return f.nodes.node(1).core().map().GetRegister("c") == "new"; }, 5000));
  EXPECT_EQ(f.nodes.node(0).core().map().GetRegister("a"), "1");
  EXPECT_EQ(f.redis.Run({"GET", "a"}), "1");
}

}  // namespace
}  // namespace parley::testing

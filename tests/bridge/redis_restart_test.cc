// Redis dies during writes and comes back empty on the same port: the nodes
// keep serving, the fleet converges, and the mirror catches up with every
// key in parley. A Redis that never answers is a connection that fails
// with backoff, never a hang.
#include <gtest/gtest.h>

#include "node/bridge/redis_connection.h"
#include "tests/bridge/bridge_test_util.h"
#include "tests/bridge/loop_nodes.h"

namespace parley::testing {
namespace {

std::string ExpectedRedisValue(const CrdtMap& map, const std::string& key) {
  KeyValue v = ReadParleyValue(map, key);
  return v.string;
}

TEST(RedisRestart, FleetConvergesAndMirrorCatchesUp) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  LoopNodes nodes;
  for (int group : {0, 1, 1}) nodes.Add(group);
  nodes.node(0).AttachBridge(TestBridgeOptions(redis, true, true, true));
  for (size_t i = 1; i < nodes.size(); ++i) nodes.node(i).AttachBridge(TestBridgeOptions(redis, true, false, false));
  nodes.RunFor(300);

  int written = 0;
  auto write_some = [&](int count) {
    for (int i = 0; i < count; ++i, ++written) {
      size_t on = static_cast<size_t>(written) % nodes.size();
      ASSERT_TRUE(nodes.node(on).Put({Op::Set("k" + std::to_string(written), std::to_string(written)),
                                      Op::Incr("counter", 1)}));
      nodes.RunFor(3);
    }
  };
  write_some(30);
  redis.Kill();  // mid-stream
  write_some(30);
  EXPECT_EQ(nodes.node(0).core().map().GetRegister("k57"), "57") << "writes and reads keep working";
  nodes.RunFor(500);  // several failed reconnection attempts
  ASSERT_TRUE(redis.Start());
  write_some(10);

  ASSERT_TRUE(nodes.RunUntil([&] { return nodes.AllConverged(); }, 15000));
  EXPECT_EQ(nodes.node(2).core().map().GetCounter("counter"), 70);
  const CrdtMap& map = nodes.node(0).core().map();
  ASSERT_TRUE(nodes.RunUntil(
      [&] {
        for (const std::string& key : map.Keys()) {
          if (redis.Run({"GET", key}) != ExpectedRedisValue(map, key)) return false;
        }
        return true;
      },
      10000))
      << "the mirror did not catch up";
  EXPECT_EQ(std::stoul(redis.Run({"DBSIZE"})), map.KeyCount() + 1) << "every key, plus the relay stream";
  EXPECT_GE(nodes.node(0).bridge()->stats().reconnects, 1u);
  EXPECT_EQ(nodes.node(0).bridge()->stats().ingested_writes, 0u) << "an emptied Redis deletes nothing in parley";
}

TEST(RedisConnection, RetriesWithBackoffWhileNothingListens) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    RedisConnectionOptions o;
    o.port = FreeLoopbackPort();  // nobody there
    o.backoff_min_ms = 10;
    o.backoff_max_ms = 40;
    RedisConnection c(&loop, o);
    int failures = 0;
    c.OnLog([&failures](bool error, const std::string&) { failures += error ? 1 : 0; });
    c.Start();
    uv_timer_t stop;
    uv_timer_init(&loop, &stop);
    uv_timer_start(&stop, [](uv_timer_t* t) { uv_stop(t->loop); }, 300, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&stop), nullptr);
    EXPECT_FALSE(c.ready());
    EXPECT_GE(failures, 4) << "attempts every 10, 20, 40, 40... ms";
    EXPECT_LE(failures, 30) << "no busy loop";
    EXPECT_FALSE(c.Command({"PING"}, [](const RedisReply*) {}).ok());
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(RedisConnection, CommandsFailCleanlyWhenTheServerDies) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    RedisConnectionOptions o;
    o.port = redis.port();
    o.backoff_min_ms = 10;
    RedisConnection c(&loop, o);
    int lost = 0, readies = 0, nulls = 0;
    std::string pong;
    c.OnReady([&] { ++readies; });
    c.OnLost([&](const Status&) { ++lost; });
    c.Start();
    auto run_until = [&loop](const std::function<bool()>& done) {
      for (int i = 0; i < 400 && !done(); ++i) uv_run(&loop, UV_RUN_NOWAIT), usleep(5000);
      return done();
    };
    ASSERT_TRUE(run_until([&] { return c.ready(); }));
    ASSERT_TRUE(c.Command({"PING"}, [&pong](const RedisReply* r) { pong = r ? r->text : "lost"; }).ok());
    ASSERT_TRUE(run_until([&] { return !pong.empty(); }));
    EXPECT_EQ(pong, "PONG");
    // A command waiting on a BLOCKing read when the server dies gets nullptr.
    ASSERT_TRUE(c.Command({"BLPOP", "nothing", "0"}, [&nulls](const RedisReply* r) { nulls += r == nullptr; }).ok());
    for (int i = 0; i < 20; ++i) uv_run(&loop, UV_RUN_NOWAIT), usleep(5000);  // BLPOP reaches the server
    redis.Kill();
    ASSERT_TRUE(run_until([&] { return lost == 1; }));
    EXPECT_EQ(nulls, 1);
    ASSERT_TRUE(redis.Start());
    ASSERT_TRUE(run_until([&] { return readies == 2; }));
    EXPECT_EQ(c.reconnects(), 1u);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace parley::testing

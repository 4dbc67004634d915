// Unit tests of the bridge's pure pieces: options, backoff, stream entries,
// key mapping, values and the ingest difference.
#include <gtest/gtest.h>

#include "node/bridge/backoff.h"
#include "node/bridge/bridge_options.h"
#include "node/bridge/ingest_diff.h"
#include "node/bridge/key_mapping.h"
#include "node/bridge/key_value.h"
#include "node/bridge/stream_entry.h"

namespace parley {
namespace {

using namespace std::string_literals;

TEST(BridgeOptions, OffByDefaultAndParsedFromFlags) {
  BridgeOptions o;
  EXPECT_FALSE(o.enabled());
  ASSERT_TRUE(SetBridgeOption(&o, "redis", "10.1.2.3:6380").ok());
  EXPECT_EQ(o.host, "10.1.2.3");
  EXPECT_EQ(o.port, 6380);
  ASSERT_TRUE(FinishBridgeOptions(&o).ok());
  EXPECT_TRUE(o.relay && o.mirror && !o.ingest) << "--redis alone means relay + mirror";
  ASSERT_TRUE(SetBridgeOption(&o, "redis-ingest", "").ok());
  ASSERT_TRUE(SetBridgeOption(&o, "redis-stream-maxlen", "500").ok());
  EXPECT_TRUE(o.ingest);
  EXPECT_EQ(o.stream_maxlen, 500u);
  EXPECT_EQ(SetBridgeOption(&o, "redis", "host:http").message(), "--redis: 'host:http' is not host:port");
  EXPECT_FALSE(SetBridgeOption(&o, "redis-stream-maxlen", "0").ok());

  BridgeOptions mode_only;
  ASSERT_TRUE(SetBridgeOption(&mode_only, "redis-relay", "true").ok());
  EXPECT_FALSE(FinishBridgeOptions(&mode_only).ok()) << "a mode without --redis";
}

TEST(Backoff, DoublesUpToTheCapAndResets) {
  Backoff b(100, 5000);
  std::vector<uint64_t> delays;
  for (int i = 0; i < 8; ++i) delays.push_back(b.Next());
  EXPECT_EQ(delays, (std::vector<uint64_t>{100, 200, 400, 800, 1600, 3200, 5000, 5000}));
  b.Reset();
  EXPECT_EQ(b.Next(), 100u);
}

TEST(StreamEntry, ParsesXreadAndOrdersIds) {
  RedisReply entry = RedisReply::Array(
      {RedisReply::String("5-1"), RedisReply::Array({RedisReply::String("node"), RedisReply::String("n1"),
                                                      RedisReply::String("frame"), RedisReply::String("\0x"s)})});
  RedisReply sync = RedisReply::Array(
      {RedisReply::String("6-0"), RedisReply::Array({RedisReply::String("node"), RedisReply::String("n2"),
                                                      RedisReply::String("sync"), RedisReply::String("1")})});
  RedisReply xread =
      RedisReply::Array({RedisReply::Array({RedisReply::String("s"), RedisReply::Array({entry, sync})})});
  Result<std::vector<StreamEntry>> parsed = ParseXread(xread);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].node, "n1");
  EXPECT_EQ((*parsed)[0].frame, std::string("\0x", 2)) << "frames are binary";
  EXPECT_TRUE((*parsed)[1].sync_request);
  EXPECT_TRUE(ParseXread(RedisReply::Nil()).ok()) << "BLOCK timed out";
  EXPECT_FALSE(ParseXread(RedisReply::String("x")).ok());

  EXPECT_LT(*ParseStreamId("5-9"), *ParseStreamId("10-0")) << "numeric, not text order";
  EXPECT_LT(*ParseStreamId("10-2"), *ParseStreamId("10-10"));
  EXPECT_FALSE(ParseStreamId("x-1").ok());
  std::vector<std::string> xadd = XaddFrame("s", 100, "n1", "bytes");
  EXPECT_EQ(xadd, (std::vector<std::string>{"XADD", "s", "MAXLEN", "~", "100", "*", "node", "n1", "frame", "bytes"}));
}

TEST(KeyMapping, PrefixStreamAndChannels) {
  KeyMapping keys("app:*", "parley:relay");
  EXPECT_EQ(keys.ToRedis("k"), "app:*k");
  EXPECT_EQ(keys.ToParley("app:*k"), "k");
  EXPECT_EQ(keys.ToParley("other"), std::nullopt);
  EXPECT_EQ(keys.ScanPattern(), "app:\\**") << "glob characters in the prefix are escaped";
  EXPECT_EQ(keys.KeyspacePattern(), "__keyspace@0__:app:\\**");
  EXPECT_EQ(keys.KeyOfChannel("__keyspace@0__:app:*k"), "app:*k");

  KeyMapping plain("", "parley:relay");
  EXPECT_EQ(plain.ToParley("treasureMap"), "treasureMap");
  EXPECT_EQ(plain.ToParley("parley:relay"), std::nullopt) << "the relay stream is never mirrored";
}

TEST(KeyValue, ParleyTypesBecomeRedisTypes) {
  CrdtMap map(1);
  Timestamp ts = MakeTimestamp(1000, 0);
  ASSERT_TRUE(map.Apply(std::vector<Op>{Op::Set("r", "v"), Op::Incr("c", -3), Op::SAdd("s", "b"), Op::SAdd("s", "a"),
                                        Op::HSet("h", "f", "1")},
                        ts)
                  .ok());
  EXPECT_EQ(ReadParleyValue(map, "r"), (KeyValue{KeyValue::Type::kString, "v", {}, {}}));
  EXPECT_EQ(ReadParleyValue(map, "c"), (KeyValue{KeyValue::Type::kString, "-3", {}, {}}));
  EXPECT_EQ(ReadParleyValue(map, "s"), (KeyValue{KeyValue::Type::kSet, "", {"a", "b"}, {}}));
  EXPECT_EQ(ReadParleyValue(map, "h"), (KeyValue{KeyValue::Type::kHash, "", {}, {{"f", "1"}}}));
  EXPECT_EQ(ReadParleyValue(map, "none").type, KeyValue::Type::kAbsent);
  EXPECT_NE(ReadParleyValue(map, "r").Fingerprint(), ReadParleyValue(map, "c").Fingerprint());

  auto set_cmds = WriteCommands("s", ReadParleyValue(map, "s"));
  ASSERT_EQ(set_cmds.size(), 4u) << "sets are replaced in a transaction";
  EXPECT_EQ(set_cmds[0][0], "MULTI");
  EXPECT_EQ(set_cmds[2], (std::vector<std::string>{"SADD", "s", "a", "b"}));
  EXPECT_EQ(WriteCommands("r", ReadParleyValue(map, "r")), (std::vector<std::vector<std::string>>{{"SET", "r", "v"}}));

  RedisReply hash = RedisReply::Array({RedisReply::String("hash"),
                                       RedisReply::Array({RedisReply::String("f"), RedisReply::String("1")})});
  EXPECT_EQ(*ParseReadKeyReply(hash), ReadParleyValue(map, "h"));
  EXPECT_EQ(ParseReadKeyReply(RedisReply::Array({RedisReply::String("list"), RedisReply::Nil()})).status().code(),
            Status::Code::kUnsupported);
}

TEST(IngestDiff, SmallestWritesThatMatchRedis) {
  CrdtMap map(1);
  Timestamp ts = MakeTimestamp(1000, 0);
  ASSERT_TRUE(map.Apply(std::vector<Op>{Op::Incr("c", 5), Op::SAdd("s", "a"), Op::SAdd("s", "b"),
                                        Op::HSet("h", "f", "1"), Op::HSet("h", "g", "2"), Op::Set("r", "v")},
                        ts)
                  .ok());
  auto kinds = [](const std::vector<Op>& ops) {
    std::string out;
    for (const Op& op : ops) out += std::to_string(static_cast<int>(op.kind)) + op.member + ";";
    return out;
  };
  // INCRBY 3 in Redis: +3 on the counter, not an overwrite.
  std::vector<Op> incr = IngestOps(map, "c", KeyValue{KeyValue::Type::kString, "8", {}, {}});
  ASSERT_EQ(incr.size(), 1u);
  EXPECT_EQ(incr[0].kind, Op::Kind::kIncr);
  EXPECT_EQ(incr[0].amount, 3);
  EXPECT_TRUE(IngestOps(map, "c", KeyValue{KeyValue::Type::kString, "5", {}, {}}).empty());
  EXPECT_EQ(IngestOps(map, "c", KeyValue{KeyValue::Type::kString, "five", {}, {}})[0].kind, Op::Kind::kSet);

  std::vector<Op> set = IngestOps(map, "s", KeyValue{KeyValue::Type::kSet, "", {"b", "c"}, {}});
  EXPECT_EQ(kinds(set), "3c;4a;") << "SADD c, SREM a";
  std::vector<Op> hash = IngestOps(map, "h", KeyValue{KeyValue::Type::kHash, "", {}, {{"f", "1"}, {"g", "3"}}});
  EXPECT_EQ(kinds(hash), "5g;");
  EXPECT_TRUE(IngestOps(map, "r", KeyValue{KeyValue::Type::kString, "v", {}, {}}).empty());
  EXPECT_EQ(IngestOps(map, "r", KeyValue{})[0].kind, Op::Kind::kDel);
  EXPECT_TRUE(IngestOps(map, "missing", KeyValue{}).empty());

  // A register replaced by a set in Redis: delete, then add, in one batch.
  std::vector<Op> retype = IngestOps(map, "r", KeyValue{KeyValue::Type::kSet, "", {"x"}, {}});
  EXPECT_EQ(kinds(retype), "1;3x;");
  EXPECT_TRUE(map.Apply(retype, MakeTimestamp(2000, 0)).ok()) << "the batch is accepted";
}

}  // namespace
}  // namespace parley

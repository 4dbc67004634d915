// Tests for protocol/message_codec: round trips, versioning, strictness.
#include "protocol/message_codec.h"

#include <gtest/gtest.h>

#include "protocol/msgpack_writer.h"
#include "tests/protocol/random_messages.h"

namespace parley {
namespace {

using testing::AllKinds;
using testing::RandomMessages;

TEST(MessageCodecTest, EveryKindRoundTripsWithRandomContents) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  RandomMessages random(seed);
  for (int round = 0; round < 200; ++round) {
    for (MessageKind kind : AllKinds()) {
      SCOPED_TRACE(MessageKindName(kind));
      Message message = random.RandomMessage(kind);
      std::string bytes = EncodeMessage(message);
      std::vector<Message> decoded;
      size_t skipped = 0;
      Status status = DecodeMessages(bytes, Limits(), &decoded, &skipped);
      ASSERT_TRUE(status.ok()) << status.ToString();
      ASSERT_EQ(decoded.size(), 1u);
      EXPECT_EQ(skipped, 0u);
      EXPECT_EQ(KindOf(decoded[0]), kind);
      EXPECT_TRUE(decoded[0] == message);
      // Canonical: re-encoding gives the same bytes.
      EXPECT_EQ(EncodeMessage(decoded[0]), bytes);
    }
  }
}

TEST(MessageCodecTest, SeveralMessagesBackToBack) {
  RandomMessages random(7);
  std::string body;
  std::vector<Message> sent;
  for (MessageKind kind : AllKinds()) {
    sent.push_back(random.RandomMessage(kind));
    AppendMessage(sent.back(), &body);
  }
  std::vector<Message> decoded;
  ASSERT_TRUE(DecodeMessages(body, Limits(), &decoded, nullptr).ok());
  EXPECT_TRUE(decoded == sent);
}

TEST(MessageCodecTest, UnknownKindFromNewerMinorIsSkipped) {
  std::string body;
  MsgpackWriter w(&body);
  w.Array(3);
  w.Uint(100);  // a kind this version does not know
  w.Str("future");
  w.Array(1);
  w.Uint(1);
  AppendMessage(PingMessage{5, "b"}, &body);
  std::vector<Message> decoded;
  size_t skipped = 0;
  ASSERT_TRUE(DecodeMessages(body, Limits(), &decoded, &skipped).ok());
  EXPECT_EQ(skipped, 1u);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_TRUE(decoded[0] == Message(PingMessage{5, "b"}));
}

TEST(MessageCodecTest, ExtraTrailingFieldsAreIgnored) {
  std::string body;
  MsgpackWriter w(&body);
  w.Array(4);  // kind, seq, target, and a field added by a newer minor
  w.Uint(static_cast<uint8_t>(MessageKind::kPing));
  w.Uint(9);
  w.Str("node-b");
  w.Map(0);
  std::vector<Message> decoded;
  ASSERT_TRUE(DecodeMessages(body, Limits(), &decoded, nullptr).ok());
  EXPECT_TRUE(decoded.at(0) == Message(PingMessage{9, "node-b"}));
}

TEST(MessageCodecTest, MemberRecordWithoutMetaDecodesWithEmptyMeta) {
  std::string body;
  MsgpackWriter w(&body);
  w.Array(3);
  w.Uint(static_cast<uint8_t>(MessageKind::kPushPull));
  w.Bool(false);
  w.Array(1);
  w.Array(5);  // the record without its trailing meta field
  w.Str("node-a");
  w.Uint(10);
  w.Array(2);
  w.Str("10.0.0.1");
  w.Uint(7946);
  w.Uint(3);
  w.Uint(static_cast<uint8_t>(MemberState::kSuspect));
  std::vector<Message> decoded;
  ASSERT_TRUE(DecodeMessages(body, Limits(), &decoded, nullptr).ok());
  const auto& record = std::get<PushPullMessage>(decoded.at(0)).members.at(0);
  EXPECT_EQ(record.state, MemberState::kSuspect);
  EXPECT_TRUE(record.meta.empty());
}

TEST(MessageCodecTest, MissingFieldsAndWrongTypesAreErrors) {
  auto decode = [](const std::string& body) {
    std::vector<Message> out;
    Status s = DecodeMessages(body, Limits(), &out, nullptr);
    EXPECT_TRUE(out.empty());
    return s;
  };
  {
    std::string body;
    MsgpackWriter w(&body);
    w.Array(2);
    w.Uint(static_cast<uint8_t>(MessageKind::kPing));
    w.Uint(1);  // target missing
    Status s = decode(body);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("ping"), std::string::npos) << s.ToString();
  }
  {
    std::string body;
    MsgpackWriter w(&body);
    w.Array(3);
    w.Uint(static_cast<uint8_t>(MessageKind::kPing));
    w.Str("not a number");
    w.Str("b");
    Status s = decode(body);
    EXPECT_NE(s.message().find("expected unsigned integer"), std::string::npos) << s.ToString();
  }
  {
    std::string body;
    MsgpackWriter w(&body);
    w.Array(3);
    w.Uint(static_cast<uint8_t>(MessageKind::kPing));
    w.Uint(uint64_t{1} << 40);  // seq is 32-bit
    w.Str("b");
    EXPECT_FALSE(decode(body).ok());
  }
  {
    std::string body;
    MsgpackWriter w(&body);
    w.Uint(3);  // a message must be an array
    EXPECT_FALSE(decode(body).ok());
  }
  {
    std::string body;
    MsgpackWriter w(&body);
    w.Array(2);
    w.Uint(static_cast<uint8_t>(MessageKind::kDurableAck));
    w.Array(1);
    w.Array(2);
    w.Uint(0);  // replica 0 is "none": not a valid write id
    w.Uint(1);
    EXPECT_FALSE(decode(body).ok());
  }
}

TEST(MessageCodecTest, NamesLongerThanTheLimitAreRejected) {
  Limits limits;
  std::string body = EncodeMessage(PingMessage{1, std::string(limits.max_name_bytes + 1, 'x')});
  std::vector<Message> out;
  Status s = DecodeMessages(body, limits, &out, nullptr);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exceeds limit"), std::string::npos) << s.ToString();
}

TEST(MessageCodecTest, TooManyMessagesInOnePacket) {
  Limits limits;
  limits.max_messages_per_packet = 3;
  std::string body;
  for (int i = 0; i < 4; ++i) AppendMessage(NackMessage{static_cast<uint32_t>(i)}, &body);
  std::vector<Message> out;
  EXPECT_FALSE(DecodeMessages(body, limits, &out, nullptr).ok());
}

TEST(MessageCodecTest, EveryTruncationOfEveryKindIsAnError) {
  RandomMessages random(11);
  for (MessageKind kind : AllKinds()) {
    SCOPED_TRACE(MessageKindName(kind));
    std::string bytes = EncodeMessage(random.RandomMessage(kind));
    for (size_t cut = 1; cut < bytes.size(); ++cut) {
      std::vector<Message> out;
      Status s = DecodeMessages(std::string_view(bytes).substr(0, cut), Limits(), &out, nullptr);
      ASSERT_FALSE(s.ok()) << "cut at " << cut;
      ASSERT_TRUE(out.empty());
    }
  }
}

TEST(MessageCodecTest, RandomBytesNeverCrash) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  RandomMessages random(seed);
  for (int i = 0; i < 20000; ++i) {
    std::string junk = random.Bytes(64);
    std::vector<Message> out;
    (void)DecodeMessages(junk, Limits(), &out, nullptr);
  }
  // Mutations of valid messages reach deeper than pure noise.
  for (int i = 0; i < 5000; ++i) {
    std::string bytes = EncodeMessage(random.RandomMessage(AllKinds()[random.Uint(AllKinds().size() - 1)]));
    size_t flips = random.Range(1, 4);
    for (size_t f = 0; f < flips; ++f) bytes[random.Uint(bytes.size() - 1)] = static_cast<char>(random.Uint(255));
    std::vector<Message> out;
    (void)DecodeMessages(bytes, Limits(), &out, nullptr);
  }
}

}  // namespace
}  // namespace parley

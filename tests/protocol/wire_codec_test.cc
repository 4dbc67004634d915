// Tests for protocol/wire_codec, packet_seal, keyring and frame_reader:
// datagram packing, frames, encryption, key rotation and drop counting.
#include "protocol/wire_codec.h"

#include <gtest/gtest.h>

#include "protocol/envelope.h"
#include "protocol/frame_reader.h"
#include "protocol/message_codec.h"
#include "protocol/packet_seal.h"
#include "tests/protocol/random_messages.h"

namespace parley {
namespace {

using testing::AllKinds;
using testing::RandomMessages;

const std::string kOldKey(32, 'o');
const std::string kNewKey(32, 'n');
const std::string kOtherKey(32, 'x');

std::unique_ptr<WireCodec> MakeCodec(const std::string& sender, std::vector<std::string> keys = {},
                                     const std::string& cluster = "test-cluster",
                                     uint64_t seed = 1) {
  WireOptions options;
  options.sender = sender;
  options.cluster_id = cluster;
  options.random = SeededRandomSource(seed);
  for (const std::string& key : keys) EXPECT_TRUE(options.keyring.Install(key).ok());
  Result<std::unique_ptr<WireCodec>> codec = WireCodec::Create(std::move(options));
  EXPECT_TRUE(codec.ok()) << codec.status().ToString();
  return std::move(codec).value();
}

std::string OneDatagram(WireCodec& codec, const Message& message) {
  PackedDatagram packed = codec.PackDatagram(std::span<const Message>(&message, 1));
  EXPECT_EQ(packed.packed.size(), 1u);
  return packed.datagram;
}

TEST(WireCodecTest, CreateValidatesOptions) {
  WireOptions no_random;
  no_random.sender = "a";
  EXPECT_FALSE(WireCodec::Create(std::move(no_random)).ok());
  WireOptions long_name;
  long_name.sender = std::string(300, 'a');
  long_name.random = SeededRandomSource(1);
  EXPECT_FALSE(WireCodec::Create(std::move(long_name)).ok());
}

TEST(WireCodecTest, EveryKindRoundTripsThroughDatagramsAndFrames) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  RandomMessages random(seed);
  for (bool encrypted : {false, true}) {
    SCOPED_TRACE(encrypted ? "encrypted" : "plain");
    auto keys = encrypted ? std::vector<std::string>{kOldKey} : std::vector<std::string>{};
    auto sender = MakeCodec("node-a", keys, "test-cluster", seed);
    auto receiver = MakeCodec("node-b", keys);
    for (MessageKind kind : AllKinds()) {
      SCOPED_TRACE(MessageKindName(kind));
      Message message = random.RandomMessage(kind);
      Result<std::string> frame = sender->EncodeFrame(message);
      ASSERT_TRUE(frame.ok());
      FrameReader reader(receiver->limits().max_frame_bytes);
      reader.Append(*frame);
      Result<std::optional<std::string>> packet = reader.Next();
      ASSERT_TRUE(packet.ok() && packet->has_value());
      Result<Packet> decoded = receiver->DecodeFrame(**packet);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_EQ(decoded->sender, "node-a");
      ASSERT_EQ(decoded->messages.size(), 1u);
      EXPECT_TRUE(decoded->messages[0] == message);

      PackedDatagram packed = sender->PackDatagram(std::span<const Message>(&message, 1));
      if (!packed.need_tcp.empty()) continue;  // a big random delta batch
      ASSERT_LE(packed.datagram.size(), 1400u);
      Result<Packet> from_datagram = receiver->DecodeDatagram(packed.datagram);
      ASSERT_TRUE(from_datagram.ok()) << from_datagram.status().ToString();
      EXPECT_TRUE(from_datagram->messages.at(0) == message);
    }
    EXPECT_EQ(receiver->stats().DroppedTotal(), 0u);
  }
}

TEST(WireCodecTest, PackDatagramTakesMessagesInPriorityOrderAndReportsTcp) {
  auto codec = MakeCodec("node-a", {kOldKey});
  std::vector<Message> messages;
  messages.push_back(PingMessage{1, "node-b"});
  for (int i = 0; i < 200; ++i) {
    messages.push_back(AliveMessage{static_cast<uint64_t>(i), "member-" + std::to_string(i), 42,
                                    Address{"10.0.0.1", 7946}, {{"http", "8080"}}});
  }
  AckMessage huge{2, std::string(1000, 'p')};
  DiffChunkMessage too_big;
  too_big.delta.context.Insert(Dot{1, 1});
  Slot slot;
  slot.clock.Raise(1, 1);
  slot.entries.push_back(Entry{Dot{1, 1}, 1, std::string(5000, 'v'), 0, 0});
  too_big.delta.slots.push_back(SlotState{"k", SlotKey{ValueType::kRegister, ""}, slot});
  messages.push_back(too_big);
  messages.push_back(NackMessage{3});  // small: still fits after the big ones are skipped

  PackedDatagram packed = codec->PackDatagram(messages);
  ASSERT_FALSE(packed.datagram.empty());
  EXPECT_LE(packed.datagram.size(), 1400u);
  EXPECT_EQ(packed.packed.front(), 0u);  // the probe goes first
  EXPECT_EQ(packed.need_tcp, std::vector<size_t>{messages.size() - 2});
  EXPECT_LT(packed.packed.size(), messages.size() - 1);  // not everything fits

  auto receiver = MakeCodec("node-b", {kOldKey});
  Result<Packet> decoded = receiver->DecodeDatagram(packed.datagram);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->messages.size(), packed.packed.size());
  for (size_t i = 0; i < packed.packed.size(); ++i) {
    EXPECT_TRUE(decoded->messages[i] == messages[packed.packed[i]]);
  }

  DatagramBatch batch = codec->EncodeDatagrams(messages);
  EXPECT_EQ(batch.need_tcp, std::vector<size_t>{messages.size() - 2});
  size_t total = 0;
  for (const std::string& datagram : batch.datagrams) {
    EXPECT_LE(datagram.size(), 1400u);
    Result<Packet> p = receiver->DecodeDatagram(datagram);
    ASSERT_TRUE(p.ok());
    total += p->messages.size();
  }
  EXPECT_EQ(total, messages.size() - 1);
  (void)huge;
}

TEST(WireCodecTest, DatagramSizeIsConfigurable) {
  WireOptions options;
  options.sender = "a";
  options.random = SeededRandomSource(1);
  options.limits.max_datagram_bytes = 512;
  auto codec = std::move(WireCodec::Create(std::move(options))).value();
  std::vector<Message> messages(100, Message(SuspectMessage{1, "some-member", "some-other"}));
  for (const std::string& d : codec->EncodeDatagrams(messages).datagrams) EXPECT_LE(d.size(), 512u);
}

TEST(WireCodecTest, PlaintextChecksumCatchesCorruption) {
  auto a = MakeCodec("node-a");
  auto b = MakeCodec("node-b");
  std::string datagram = OneDatagram(*a, PingMessage{1, "node-b"});
  for (size_t i = kEnvelopeFixedBytes + 6; i < datagram.size(); ++i) {
    std::string bad = datagram;
    bad[i] ^= 0x20;
    EXPECT_FALSE(b->DecodeDatagram(bad).ok()) << "byte " << i;
  }
  EXPECT_GT(b->stats().Dropped(DropReason::kBadChecksum), 0u);
  EXPECT_TRUE(b->DecodeDatagram(datagram).ok());
}

TEST(WireCodecTest, WrongKeyIsRejectedAndCounted) {
  auto a = MakeCodec("node-a", {kOtherKey});
  auto b = MakeCodec("node-b", {kOldKey});
  Result<Packet> r = b->DecodeDatagram(OneDatagram(*a, PingMessage{1, "node-b"}));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kUnknownKey), 1u);
}

TEST(WireCodecTest, WrongKeyWithForgedKeyIdFailsAuthentication) {
  auto a = MakeCodec("node-a", {kOtherKey});
  auto b = MakeCodec("node-b", {kOldKey});
  std::string datagram = OneDatagram(*a, PingMessage{1, "node-b"});
  uint32_t id = b->keyring().primary_id();
  for (int i = 0; i < 4; ++i) datagram[10 + i] = static_cast<char>(id >> (24 - 8 * i));
  EXPECT_FALSE(b->DecodeDatagram(datagram).ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kAuthFailed), 1u);
}

TEST(WireCodecTest, TamperedCiphertextOrHeaderIsRejected) {
  auto a = MakeCodec("node-a", {kOldKey});
  auto b = MakeCodec("node-b", {kOldKey});
  std::string datagram = OneDatagram(*a, PingMessage{1, "node-b"});
  for (size_t i = 0; i < datagram.size(); ++i) {
    std::string bad = datagram;
    bad[i] ^= 0x01;
    EXPECT_FALSE(b->DecodeDatagram(bad).ok()) << "byte " << i;
  }
  // Header bit flips land in magic/version/transport/cluster/key-id checks;
  // the sender name, nonce and ciphertext can only fail authentication.
  EXPECT_GE(b->stats().Dropped(DropReason::kAuthFailed), datagram.size() - kEnvelopeFixedBytes);
  EXPECT_EQ(b->stats().packets_accepted, 0u);
  EXPECT_TRUE(b->DecodeDatagram(datagram).ok());
}

TEST(WireCodecTest, MessagesFromAnotherClusterAreRejected) {
  auto other = MakeCodec("node-a", {kOldKey}, "other-cluster");
  auto b = MakeCodec("node-b", {kOldKey}, "test-cluster");
  std::string datagram = OneDatagram(*other, PingMessage{1, "node-b"});
  EXPECT_FALSE(b->DecodeDatagram(datagram).ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kWrongCluster), 1u);
  // Even with the cluster tag forged to ours, the AD (full cluster id) differs.
  uint32_t tag = ClusterTag("test-cluster");
  for (int i = 0; i < 4; ++i) datagram[6 + i] = static_cast<char>(tag >> (24 - 8 * i));
  EXPECT_FALSE(b->DecodeDatagram(datagram).ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kAuthFailed), 1u);
  // Plaintext clusters are separated too.
  auto plain_other = MakeCodec("node-a", {}, "other-cluster");
  auto plain_b = MakeCodec("node-b", {}, "test-cluster");
  EXPECT_FALSE(plain_b->DecodeDatagram(OneDatagram(*plain_other, NackMessage{1})).ok());
  EXPECT_EQ(plain_b->stats().Dropped(DropReason::kWrongCluster), 1u);
}

TEST(WireCodecTest, PlaintextRefusedWhenKeyedUnlessRollingOut) {
  auto plain = MakeCodec("node-a");
  auto keyed = MakeCodec("node-b", {kOldKey});
  std::string datagram = OneDatagram(*plain, NackMessage{1});
  EXPECT_FALSE(keyed->DecodeDatagram(datagram).ok());
  EXPECT_EQ(keyed->stats().Dropped(DropReason::kNotEncrypted), 1u);
  EXPECT_FALSE(plain->DecodeDatagram(OneDatagram(*keyed, NackMessage{1})).ok());
  EXPECT_EQ(plain->stats().Dropped(DropReason::kUnexpectedEncryption), 1u);

  WireOptions rollout;
  rollout.sender = "node-c";
  rollout.cluster_id = "test-cluster";
  rollout.random = SeededRandomSource(2);
  rollout.accept_plaintext = true;
  ASSERT_TRUE(rollout.keyring.Install(kOldKey).ok());
  auto c = std::move(WireCodec::Create(std::move(rollout))).value();
  EXPECT_TRUE(c->DecodeDatagram(datagram).ok());
}

TEST(WireCodecTest, KeyRotationWithoutDowntime) {
  auto old_sender = MakeCodec("node-a", {kOldKey});
  auto new_sender = MakeCodec("node-c", {kNewKey});
  auto receiver = MakeCodec("node-b", {kOldKey});
  ASSERT_TRUE(receiver->keyring().Install(kNewKey).ok());
  std::string from_old = OneDatagram(*old_sender, NackMessage{1});
  std::string from_new = OneDatagram(*new_sender, NackMessage{2});
  EXPECT_TRUE(receiver->DecodeDatagram(from_old).ok());
  EXPECT_TRUE(receiver->DecodeDatagram(from_new).ok());

  EXPECT_FALSE(receiver->keyring().Remove(kOldKey).ok());  // still primary
  ASSERT_TRUE(receiver->keyring().Use(kNewKey).ok());
  // The receiver now sends with the new key, which the new sender accepts.
  EXPECT_TRUE(new_sender->DecodeDatagram(OneDatagram(*receiver, NackMessage{3})).ok());
  ASSERT_TRUE(receiver->keyring().Remove(kOldKey).ok());
  EXPECT_FALSE(receiver->DecodeDatagram(from_old).ok());
  EXPECT_EQ(receiver->stats().Dropped(DropReason::kUnknownKey), 1u);
  EXPECT_TRUE(receiver->DecodeDatagram(from_new).ok());
}

TEST(WireCodecTest, KeyringRejectsBadKeys) {
  Keyring ring;
  EXPECT_FALSE(ring.Install("short").ok());
  EXPECT_FALSE(ring.Use(kOldKey).ok());
  ASSERT_TRUE(ring.Install(kOldKey).ok());
  ASSERT_TRUE(ring.Install(kOldKey).ok());
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_FALSE(ring.Remove(kNewKey).ok());
  EXPECT_NE(Keyring::KeyIdOf(ring.primary()), 0u);
}

TEST(WireCodecTest, NewerMajorVersionIsRefusedWithAClearReason) {
  auto a = MakeCodec("node-a");
  auto b = MakeCodec("node-b");
  std::string datagram = OneDatagram(*a, NackMessage{1});
  datagram[2] = 2;
  Result<Packet> r = b->DecodeDatagram(datagram);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(r.status().message().find("protocol 2.0"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(b->stats().Dropped(DropReason::kBadVersion), 1u);
}

TEST(WireCodecTest, NewerMinorVersionIsAcceptedAndUnknownKindsSkipped) {
  // Build a 1.7 packet by hand with an unknown kind followed by a nack.
  SealContext seal;
  seal.cluster_id = "test-cluster";
  EnvelopeHeader header;
  header.minor = 7;
  header.sender = "future-node";
  std::string body = "\x92\x50\xc0";  // [80, nil]: kind 80 is unknown here
  AppendMessage(NackMessage{9}, &body);
  std::string datagram = SealPacket(header, body, seal);
  auto b = MakeCodec("node-b");
  Result<Packet> r = b->DecodeDatagram(datagram);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->minor_version, 7);
  EXPECT_EQ(r->skipped, 1u);
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(b->stats().messages_skipped, 1u);
}

TEST(WireCodecTest, BadMagicTransportAndSizeAreCounted) {
  auto a = MakeCodec("node-a");
  auto b = MakeCodec("node-b");
  EXPECT_FALSE(b->DecodeDatagram("GET / HTTP/1.1\r\n").ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kBadMagic), 1u);
  Result<std::string> frame = a->EncodeFrame(NackMessage{1});
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(b->DecodeDatagram(frame->substr(4)).ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kWrongTransport), 1u);
  EXPECT_FALSE(b->DecodeDatagram(std::string(70000, 'P')).ok());
  EXPECT_EQ(b->stats().Dropped(DropReason::kTooLarge), 1u);
}

TEST(WireCodecTest, AuthenticPacketWithMalformedBodyIsCountedMalformed) {
  SealContext seal;
  seal.cluster_id = "test-cluster";
  EnvelopeHeader header;
  header.sender = "node-a";
  std::string datagram = SealPacket(header, "\x92\x01", seal);  // truncated message
  auto b = MakeCodec("node-b");
  Result<Packet> r = b->DecodeDatagram(datagram);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node-a"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(b->stats().Dropped(DropReason::kMalformed), 1u);
}

TEST(WireCodecTest, PacketsTruncatedAtEveryByteAreRejected) {
  RandomMessages random(5);
  for (bool encrypted : {false, true}) {
    auto keys = encrypted ? std::vector<std::string>{kOldKey} : std::vector<std::string>{};
    auto a = MakeCodec("node-a", keys);
    auto b = MakeCodec("node-b", keys);
    std::string datagram = OneDatagram(*a, random.RandomMessage(MessageKind::kAlive));
    for (size_t cut = 0; cut < datagram.size(); ++cut) {
      ASSERT_FALSE(b->DecodeDatagram(datagram.substr(0, cut)).ok()) << "cut at " << cut;
    }
    EXPECT_EQ(b->stats().DroppedTotal(), datagram.size());
  }
}

TEST(WireCodecTest, EncryptionIsDeterministicGivenTheRandomSource) {
  auto a1 = MakeCodec("node-a", {kOldKey}, "test-cluster", 99);
  auto a2 = MakeCodec("node-a", {kOldKey}, "test-cluster", 99);
  EXPECT_EQ(OneDatagram(*a1, NackMessage{1}), OneDatagram(*a2, NackMessage{1}));
  // Fresh nonce per packet: the same message twice encrypts differently.
  EXPECT_NE(OneDatagram(*a1, NackMessage{1}), OneDatagram(*a1, NackMessage{1}));
}

TEST(WireCodecTest, FrameTooLargeIsRefusedOnEncode) {
  WireOptions options;
  options.sender = "a";
  options.random = SeededRandomSource(1);
  options.limits.max_frame_bytes = 100;
  auto codec = std::move(WireCodec::Create(std::move(options))).value();
  EXPECT_FALSE(codec->EncodeFrame(AckMessage{1, std::string(200, 'x')}).ok());
}

TEST(FrameReaderTest, SplitsAStreamDeliveredByteByByte) {
  auto a = MakeCodec("node-a", {kOldKey});
  auto b = MakeCodec("node-b", {kOldKey});
  std::string stream;
  for (uint32_t i = 0; i < 5; ++i) stream += a->EncodeFrame(NackMessage{i}).value();
  FrameReader reader(b->limits().max_frame_bytes);
  uint32_t seen = 0;
  for (char c : stream) {
    reader.Append(std::string_view(&c, 1));
    Result<std::optional<std::string>> next = reader.Next();
    ASSERT_TRUE(next.ok());
    if (!next->has_value()) continue;
    Result<Packet> packet = b->DecodeFrame(**next);
    ASSERT_TRUE(packet.ok());
    EXPECT_TRUE(packet->messages.at(0) == Message(NackMessage{seen}));
    ++seen;
  }
  EXPECT_EQ(seen, 5u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, HostileLengthFailsBeforeBuffering) {
  FrameReader reader(1 << 20);
  reader.Append(std::string("\xff\xff\xff\xff", 4));
  Result<std::optional<std::string>> next = reader.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("exceeds the limit"), std::string::npos);
  EXPECT_TRUE(reader.failed());
  reader.Append("more");
  EXPECT_FALSE(reader.Next().ok());  // stays failed: the stream cannot resync

  FrameReader empty(1 << 20);
  empty.Append(std::string("\0\0\0\0", 4));
  EXPECT_FALSE(empty.Next().ok());
}

}  // namespace
}  // namespace parley

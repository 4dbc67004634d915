// Golden wire vectors: fixed messages must encode to the checked-in bytes.
//
// golden_vectors.inc pins the wire format. If a change makes this test fail,
// the format changed: either fix the change, or (for a deliberate, versioned
// format change) regenerate with
//   PARLEY_WRITE_GOLDEN=tests/protocol/golden_vectors.inc
//       parley_protocol_tests --gtest_filter='GoldenTest.*'
// and describe the change in PROTOCOL.md. The fuzz seed corpus is derived
// from the same file (scripts/make-fuzz-corpus.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "protocol/delta_codec.h"
#include "protocol/frame_reader.h"
#include "protocol/wire_codec.h"

namespace parley {
namespace {

struct GoldenVector {
  const char* target;  // datagram, frame or delta: which decoder reads it
  const char* name;
  const char* hex;
};

const std::vector<GoldenVector> kGolden = {
#include "tests/protocol/golden_vectors.inc"
};

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

std::string GoldenKey() {
  std::string key(32, '\0');
  for (int i = 0; i < 32; ++i) key[i] = static_cast<char>(i);
  return key;
}

std::unique_ptr<WireCodec> GoldenCodec(bool encrypted) {
  WireOptions options;
  options.sender = "node-a";
  options.cluster_id = "golden-cluster";
  options.random = SeededRandomSource(42);
  if (encrypted) {
    EXPECT_TRUE(options.keyring.Install(GoldenKey()).ok());
  }
  return std::move(WireCodec::Create(std::move(options))).value();
}

Delta RegisterDelta() {
  Delta delta;
  delta.context.Insert(Dot{0x1111, 7});
  Slot slot;
  slot.clock.Raise(0x1111, 7);
  slot.entries.push_back(Entry{Dot{0x1111, 7}, MakeTimestamp(1700000000000, 3), "hello", 0, 0});
  delta.slots.push_back(SlotState{"greeting", SlotKey{ValueType::kRegister, ""}, slot});
  return delta;
}

// A write's change (SlotState::after): 0x2222:5 replaced 0x1111:7, and
// 0x2222's previous event on the slot was 0x2222:3.
Delta ChangeDelta() {
  Delta delta;
  delta.context.Insert(Dot{0x2222, 5});
  Slot slot;
  slot.clock.Raise(0x1111, 7);
  slot.clock.Raise(0x2222, 5);
  slot.entries.push_back(Entry{Dot{0x2222, 5}, MakeTimestamp(1700000000100, 0), "hi", 0, 0});
  delta.slots.push_back(SlotState{"greeting", SlotKey{ValueType::kRegister, ""}, slot, Dot{0x2222, 3}});
  return delta;
}

Delta MixedDelta() {
  Delta delta;
  delta.context.InsertRange({0x1111, 1, 9});
  delta.context.InsertRange({0x1111, 12, 12});
  delta.context.InsertRange({0x2222, 1, 4});
  Slot counter;
  counter.clock.Raise(0x1111, 9);
  counter.clock.Raise(0x2222, 4);
  counter.entries.push_back(Entry{Dot{0x1111, 9}, 5, "", 10, 2});
  counter.entries.push_back(Entry{Dot{0x2222, 4}, 6, "", 3, 0});
  Slot member;
  member.clock.Raise(0x2222, 2);
  member.entries.push_back(Entry{Dot{0x2222, 2}, 7, "", 0, 0});
  Slot field;
  field.clock.Raise(0x1111, 12);  // a removed field: clock only, no entries
  delta.slots.push_back(SlotState{"hits", SlotKey{ValueType::kCounter, ""}, counter});
  delta.slots.push_back(SlotState{"profile", SlotKey{ValueType::kHash, "email"}, field});
  delta.slots.push_back(SlotState{"tags", SlotKey{ValueType::kSet, "red"}, member});
  return delta;
}

struct Fixture {
  const char* target;
  const char* name;
  bool encrypted;
  std::vector<Message> messages;  // empty for the delta target
};

std::vector<Fixture> Fixtures() {
  AliveMessage alive{3, "node-b", 0xB0B, Address{"10.0.0.2", 7946}, {{"http", "8080"}, {"resp", "6380"}}};
  PushPullMessage push_pull{
      true,
      {MemberRecord{"node-a", 0xA, Address{"10.0.0.1", 7946}, 1, MemberState::kAlive, {{"http", "8080"}}},
       MemberRecord{"node-c", 0xC, Address{"::1", 7947}, 9, MemberState::kLeft, {}}}};
  ContextDigestMessage digest{MixedDelta().context, Digest{0x0123456789abcdefull, 0xfedcba9876543210ull}, true};
  return {
      {"datagram", "ping", false, {PingMessage{1, "node-b"}}},
      {"datagram", "ping-req", false, {PingReqMessage{2, "node-c", Address{"10.0.0.3", 7946}}}},
      {"datagram", "ack", false, {AckMessage{1, std::string("\x01\x02", 2)}}},
      {"datagram", "ack-no-payload", false, {AckMessage{1, std::nullopt}}},
      {"datagram", "nack", false, {NackMessage{2}}},
      {"datagram", "suspect", false, {SuspectMessage{4, "node-c", "node-a"}}},
      {"datagram", "alive", false, {alive}},
      {"datagram", "dead", false, {DeadMessage{5, "node-c", "node-a"}}},
      {"datagram", "leave", false, {LeaveMessage{6, "node-a"}}},
      {"datagram", "delta-batch", false, {DeltaBatchMessage{2, {DeltaItem{Dot{0x1111, 7}, RegisterDelta()}}}}},
      {"datagram", "context-digest", false, {digest}},
      {"datagram", "durable-ack", false, {DurableAckMessage{{Dot{0x1111, 7}, Dot{0x2222, 4}}}}},
      {"datagram", "compound", false, {PingMessage{7, "node-b"}, alive, SuspectMessage{4, "node-c", "node-a"}}},
      {"datagram", "encrypted-compound", true, {PingMessage{7, "node-b"}, alive}},
      {"frame", "push-pull", false, {push_pull}},
      {"frame", "diff-chunk", false, {DiffChunkMessage{0, true, MixedDelta()}}},
      {"frame", "encrypted-diff-chunk", true, {DiffChunkMessage{1, false, MixedDelta()}}},
      {"delta", "register-delta", false, {}},
      {"delta", "mixed-delta", false, {}},
      {"datagram", "delta-batch-write-change", false, {DeltaBatchMessage{0, {DeltaItem{std::nullopt, ChangeDelta()}}}}},
      {"datagram",
       "slot-request",
       false,
       {SlotRequestMessage{{SlotRef{"cart:7", SlotKey{ValueType::kSet, "apple"}},
                            SlotRef{"greeting", SlotKey{ValueType::kRegister, ""}}}}}},
      {"datagram", "delta-batch-tree", false, {DeltaBatchMessage{3, {DeltaItem{std::nullopt, ChangeDelta()}}, true}}},
  };
}

std::string EncodeFixture(const Fixture& f) {
  std::string target = f.target;
  if (target == "delta") {
    return EncodeDelta(std::string(f.name) == "register-delta" ? RegisterDelta() : MixedDelta());
  }
  auto codec = GoldenCodec(f.encrypted);
  if (target == "frame") return codec->EncodeFrame(f.messages).value();
  PackedDatagram packed = codec->PackDatagram(f.messages);
  EXPECT_EQ(packed.packed.size(), f.messages.size()) << f.name;
  return packed.datagram;
}

TEST(GoldenTest, EncodingMatchesCheckedInVectors) {
  std::vector<Fixture> fixtures = Fixtures();
  if (const char* path = std::getenv("PARLEY_WRITE_GOLDEN")) {
    std::ofstream out(path);
    out << "// Golden wire vectors (protocol 1.0). Generated by golden_test.cc; do not edit.\n"
           "// {target, name, hex}: cluster id \"golden-cluster\", sender \"node-a\",\n"
           "// key 00 01 .. 1f for encrypted vectors, nonces from SeededRandomSource(42).\n";
    for (const Fixture& f : fixtures) {
      out << "{\"" << f.target << "\", \"" << f.name << "\",\n \"" << Hex(EncodeFixture(f))
          << "\"},\n";
    }
    GTEST_SKIP() << "wrote " << path;
  }
  ASSERT_EQ(kGolden.size(), fixtures.size());
  for (size_t i = 0; i < fixtures.size(); ++i) {
    SCOPED_TRACE(fixtures[i].name);
    EXPECT_EQ(std::string(kGolden[i].name), fixtures[i].name);
    EXPECT_EQ(Hex(EncodeFixture(fixtures[i])), kGolden[i].hex);
  }
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(GoldenTest, CheckedInVectorsDecodeToTheFixtures) {
  std::vector<Fixture> fixtures = Fixtures();
  ASSERT_EQ(kGolden.size(), fixtures.size());
  for (size_t i = 0; i < fixtures.size(); ++i) {
    const Fixture& f = fixtures[i];
    SCOPED_TRACE(f.name);
    std::string bytes = Unhex(kGolden[i].hex);
    std::string target = f.target;
    if (target == "delta") {
      Result<Delta> delta = DecodeDelta(bytes);
      ASSERT_TRUE(delta.ok()) << delta.status().ToString();
      EXPECT_EQ(*delta, std::string(f.name) == "register-delta" ? RegisterDelta() : MixedDelta());
      continue;
    }
    auto codec = GoldenCodec(f.encrypted);
    Result<Packet> packet = Status::Corruption("unset");
    if (target == "frame") {
      FrameReader reader(codec->limits().max_frame_bytes);
      reader.Append(bytes);
      Result<std::optional<std::string>> next = reader.Next();
      ASSERT_TRUE(next.ok() && next->has_value());
      packet = codec->DecodeFrame(**next);
    } else {
      packet = codec->DecodeDatagram(bytes);
    }
    ASSERT_TRUE(packet.ok()) << packet.status().ToString();
    EXPECT_EQ(packet->sender, "node-a");
    EXPECT_TRUE(packet->messages == f.messages);
  }
}

}  // namespace
}  // namespace parley

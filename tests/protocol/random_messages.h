// Random, well-formed protocol messages and deltas for property tests.
//
// Every generator draws from one std::mt19937_64, so a failing case is
// reproduced by its seed: TestSeed() reads PARLEY_SEED if set, otherwise
// picks a fresh seed; tests print it with SCOPED_TRACE.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/message.h"
#include "storage/delta.h"

namespace parley::testing {

inline uint64_t TestSeed() {
  if (const char* env = std::getenv("PARLEY_SEED")) return std::strtoull(env, nullptr, 0);
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

inline std::string SeedTrace(uint64_t seed) {
  return "seed " + std::to_string(seed) + " (rerun with PARLEY_SEED=" + std::to_string(seed) + ")";
}

class RandomMessages {
 public:
  explicit RandomMessages(uint64_t seed) : rng_(seed) {}

  uint64_t Uint(uint64_t max) { return std::uniform_int_distribution<uint64_t>(0, max)(rng_); }
  uint64_t Range(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool Coin() { return Uint(1) == 1; }
  // Mostly small numbers, sometimes huge: exercises every msgpack int width.
  uint64_t AnyUint() {
    switch (Uint(3)) {
      case 0: return Uint(127);
      case 1: return Uint(65535);
      case 2: return Uint(UINT32_MAX);
      default: return Uint(UINT64_MAX);
    }
  }
  std::string Bytes(size_t max_size) {
    std::string s(Uint(max_size), '\0');
    for (char& c : s) c = static_cast<char>(Uint(255));
    return s;
  }
  std::string Name() {
    static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-.";
    std::string s(Range(1, 24), 'a');
    for (char& c : s) c = kAlphabet[Uint(sizeof(kAlphabet) - 2)];
    return s;
  }
  Address RandomAddress() { return Address{Name(), static_cast<uint16_t>(Uint(65535))}; }
  Dot RandomDot() { return Dot{Range(1, UINT64_MAX), Range(1, UINT64_MAX)}; }

  CausalContext Context(size_t max_replicas) {
    CausalContext context;
    size_t replicas = Uint(max_replicas);
    for (size_t r = 0; r < replicas; ++r) {
      ReplicaId replica = Range(1, UINT64_MAX);
      uint64_t next = 1;
      size_t runs = Range(1, 4);
      for (size_t i = 0; i < runs && next < UINT64_MAX / 2; ++i) {
        uint64_t first = next + (i == 0 ? Uint(1) : Range(1, 1000));
        uint64_t last = first + Uint(coin_big() ? 1u << 20 : 10);
        context.InsertRange({replica, first, last});
        next = last + 2;
      }
    }
    return context;
  }

  Delta RandomDelta(size_t max_slots) {
    Delta delta;
    delta.context = Context(3);
    std::map<std::pair<std::string, SlotKey>, Slot> slots;
    size_t count = Uint(max_slots);
    for (size_t i = 0; i < count; ++i) {
      SlotKey key;
      key.type = static_cast<ValueType>(Range(1, 4));
      if (key.type == ValueType::kSet || key.type == ValueType::kHash) key.member = Bytes(12);
      Slot slot;
      std::vector<ReplicaId> writers;
      size_t clock_size = Range(1, 3);
      for (size_t c = 0; c < clock_size; ++c) {
        ReplicaId replica = Range(1, UINT64_MAX);
        slot.clock.Raise(replica, Range(1, 1u << 30));
        writers.push_back(replica);
      }
      std::set<Dot> dots;
      size_t entries = key.type == ValueType::kCounter ? Uint(3) : Uint(1);
      for (size_t e = 0; e < entries; ++e) {
        ReplicaId replica = writers[Uint(writers.size() - 1)];
        dots.insert(Dot{replica, Range(1, slot.clock.get(replica))});
      }
      for (const Dot& dot : dots) {
        Entry entry;
        entry.dot = dot;
        entry.ts = AnyUint();
        if (key.type == ValueType::kRegister || key.type == ValueType::kHash) entry.value = Bytes(40);
        if (key.type == ValueType::kCounter) {
          entry.increments = AnyUint();
          entry.decrements = AnyUint();
        }
        slot.entries.push_back(std::move(entry));
      }
      slots[{Bytes(16), key}] = std::move(slot);
    }
    for (auto& [where, slot] : slots) {
      delta.slots.push_back(SlotState{where.first, where.second, std::move(slot)});
    }
    return delta;
  }

  Message RandomMessage(MessageKind kind) {
    switch (kind) {
      case MessageKind::kPing: return PingMessage{static_cast<uint32_t>(AnyUint()), Name()};
      case MessageKind::kPingReq:
        return PingReqMessage{static_cast<uint32_t>(AnyUint()), Name(), RandomAddress()};
      case MessageKind::kAck: {
        AckMessage m{static_cast<uint32_t>(AnyUint()), std::nullopt};
        if (Coin()) m.payload = Bytes(64);
        return m;
      }
      case MessageKind::kNack: return NackMessage{static_cast<uint32_t>(AnyUint())};
      case MessageKind::kSuspect: return SuspectMessage{AnyUint(), Name(), Name()};
      case MessageKind::kAlive: {
        AliveMessage m{AnyUint(), Name(), AnyUint(), RandomAddress(), {}};
        size_t meta = Uint(4);
        for (size_t i = 0; i < meta; ++i) m.meta[Name()] = Bytes(8);
        return m;
      }
      case MessageKind::kDead: return DeadMessage{AnyUint(), Name(), Name()};
      case MessageKind::kLeave: return LeaveMessage{AnyUint(), Name()};
      case MessageKind::kPushPull: {
        PushPullMessage m;
        m.join = Coin();
        size_t members = Uint(8);
        for (size_t i = 0; i < members; ++i) {
          MemberRecord record{Name(), AnyUint(), RandomAddress(), AnyUint(),
                              static_cast<MemberState>(Uint(3)), {}};
          size_t meta = Uint(2);
          for (size_t j = 0; j < meta; ++j) record.meta[Name()] = Bytes(8);
          m.members.push_back(std::move(record));
        }
        return m;
      }
      case MessageKind::kDeltaBatch: {
        DeltaBatchMessage m;
        m.hops = static_cast<uint8_t>(Uint(255));
        m.tree = Coin();
        size_t deltas = Uint(4);
        for (size_t i = 0; i < deltas; ++i) {
          DeltaItem item;
          if (Coin()) item.write_id = RandomDot();
          item.delta = RandomDelta(4);
          m.deltas.push_back(std::move(item));
        }
        return m;
      }
      case MessageKind::kContextDigest:
        return ContextDigestMessage{Context(5), Digest{AnyUint(), AnyUint()}, Coin()};
      case MessageKind::kDiffChunk:
        return DiffChunkMessage{static_cast<uint32_t>(AnyUint()), Coin(), RandomDelta(6)};
      case MessageKind::kDurableAck: {
        DurableAckMessage m;
        size_t writes = Uint(10);
        for (size_t i = 0; i < writes; ++i) m.writes.push_back(RandomDot());
        return m;
      }
      case MessageKind::kSlotRequest: {
        SlotRequestMessage m;
        size_t slots = Uint(6);
        for (size_t i = 0; i < slots; ++i) {
          m.slots.push_back(SlotRef{Bytes(16), SlotKey{static_cast<ValueType>(1 + Uint(3)), Bytes(8)}});
        }
        return m;
      }
    }
    return NackMessage{};
  }

 private:
  bool coin_big() { return Uint(7) == 0; }
  std::mt19937_64 rng_;
};

inline const std::vector<MessageKind>& AllKinds() {
  static const std::vector<MessageKind> kinds = {
      MessageKind::kPing,       MessageKind::kPingReq,       MessageKind::kAck,
      MessageKind::kNack,       MessageKind::kSuspect,       MessageKind::kAlive,
      MessageKind::kDead,       MessageKind::kLeave,         MessageKind::kPushPull,
      MessageKind::kDeltaBatch, MessageKind::kContextDigest, MessageKind::kDiffChunk,
      MessageKind::kDurableAck, MessageKind::kSlotRequest};
  return kinds;
}

}  // namespace parley::testing

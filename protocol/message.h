// Messages: everything one parley node says to another, as plain structs.
//
// Membership messages implement SWIM with the Lifeguard refinements; data
// messages carry CRDT deltas for eager push, anti-entropy and quorum writes.
// The wire form of each is specified in protocol/PROTOCOL.md and produced by
// message_codec.h; this header only names the fields. A Message is a variant
// over the kinds, so the node core can switch on it exhaustively.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/causal_context.h"
#include "storage/crdt_map.h"
#include "storage/delta.h"
#include "storage/dot.h"

namespace parley {

// The number written on the wire for each kind. Membership kinds use 1-31,
// data kinds 32-63; 64-127 are reserved for later minor versions and
// 128-255 for experiments. Numbers are never reused.
enum class MessageKind : uint8_t {
  kPing = 1,
  kPingReq = 2,
  kAck = 3,
  kNack = 4,
  kSuspect = 5,
  kAlive = 6,
  kDead = 7,
  kLeave = 8,
  kPushPull = 9,
  kDeltaBatch = 32,
  kContextDigest = 33,
  kDiffChunk = 34,
  kDurableAck = 35,
  kSlotRequest = 36,
};
const char* MessageKindName(MessageKind kind);  // "ping", "delta-batch", ...
bool IsKnownMessageKind(uint64_t wire_number);

struct Address {
  std::string host;  // IP literal or DNS name
  uint16_t port = 0;
  auto operator<=>(const Address&) const = default;
};

enum class MemberState : uint8_t { kAlive = 0, kSuspect = 1, kDead = 2, kLeft = 3 };

// ---- membership ------------------------------------------------------------

// Direct probe. `target` lets a node that restarted under another name (or a
// reused address) ignore a probe meant for someone else.
struct PingMessage {
  uint32_t seq = 0;
  std::string target;
  bool operator==(const PingMessage&) const = default;
};

// Ask the receiver to probe `target` on the sender's behalf (indirect probe).
struct PingReqMessage {
  uint32_t seq = 0;
  std::string target;
  Address target_address;
  bool operator==(const PingReqMessage&) const = default;
};

// Answer to a ping (or, relayed, to a ping-req). The payload is opaque to
// the protocol (Lifeguard uses it for health hints).
struct AckMessage {
  uint32_t seq = 0;
  std::optional<std::string> payload;
  bool operator==(const AckMessage&) const = default;
};

// Lifeguard: sent by an indirect prober that got no ack in time, so the
// requester learns its own link works and does not blame itself.
struct NackMessage {
  uint32_t seq = 0;
  bool operator==(const NackMessage&) const = default;
};

struct SuspectMessage {
  uint64_t incarnation = 0;
  std::string member;
  std::string from;  // who suspects (Lifeguard counts independent confirmations)
  bool operator==(const SuspectMessage&) const = default;
};

struct AliveMessage {
  uint64_t incarnation = 0;
  std::string member;
  ReplicaId replica = 0;
  Address address;
  std::map<std::string, std::string> meta;  // e.g. "http" -> "8080", "resp" -> "6380"
  bool operator==(const AliveMessage&) const = default;
};

struct DeadMessage {
  uint64_t incarnation = 0;
  std::string member;
  std::string from;
  bool operator==(const DeadMessage&) const = default;
};

// Graceful leave: a dead message the member sends about itself, which others
// record as "left" rather than "failed".
struct LeaveMessage {
  uint64_t incarnation = 0;
  std::string member;
  bool operator==(const LeaveMessage&) const = default;
};

struct MemberRecord {
  std::string name;
  ReplicaId replica = 0;
  Address address;
  uint64_t incarnation = 0;
  MemberState state = MemberState::kAlive;
  std::map<std::string, std::string> meta;  // as in alive; absent before 1.0 records had it
  bool operator==(const MemberRecord&) const = default;
};

// Full membership exchange over TCP. `join` marks the first exchange of a
// node joining through a seed, which the seed answers with its own state.
struct PushPullMessage {
  bool join = false;
  std::vector<MemberRecord> members;
  bool operator==(const PushPullMessage&) const = default;
};

// ---- data --------------------------------------------------------------------

// One delta in a batch. A quorum write carries `write_id` (the dot of the
// write's last event at its origin) so replicas can answer with durable-ack.
struct DeltaItem {
  std::optional<Dot> write_id;
  Delta delta;
  bool operator==(const DeltaItem&) const = default;
};

// Eager push. `hops` counts forwards so epidemic spread has a budget.
struct DeltaBatchMessage {
  uint8_t hops = 0;
  std::vector<DeltaItem> deltas;
  // Pass on down the dissemination tree (SyncConfig::tree_fanout), not
  // epidemically; `hops` then counts the depth.
  bool tree = false;
  bool operator==(const DeltaBatchMessage&) const = default;
};

// Anti-entropy opening: the sender's causal context and state digest. A
// receiver with the same digest has nothing to do; otherwise it sends diff
// chunks for what the sender lacks and, if `reply_wanted`, its own digest.
struct ContextDigestMessage {
  CausalContext context;
  Digest digest;
  bool reply_wanted = false;
  bool operator==(const ContextDigestMessage&) const = default;
};

// One range-cut chunk of an anti-entropy answer (I3). `last` closes the round.
struct DiffChunkMessage {
  uint32_t index = 0;
  bool last = false;
  Delta delta;
  bool operator==(const DiffChunkMessage&) const = default;
};

// The receiver has made these writes durable (logbook synced): the origin
// counts these toward quorum(k).
struct DurableAckMessage {
  std::vector<Dot> writes;
  bool operator==(const DurableAckMessage&) const = default;
};

// Asks for the full state of some slots: a node holding back a write's delta
// (CrdtMap::Ready) asks the writer for the slots it builds on. Answered with
// a diff-chunk whose context is empty (it claims no dots, I3).
struct SlotRequestMessage {
  std::vector<SlotRef> slots;
  bool operator==(const SlotRequestMessage&) const = default;
};

using Message = std::variant<PingMessage, PingReqMessage, AckMessage, NackMessage, SuspectMessage,
                             AliveMessage, DeadMessage, LeaveMessage, PushPullMessage,
                             DeltaBatchMessage, ContextDigestMessage, DiffChunkMessage,
                             DurableAckMessage, SlotRequestMessage>;

MessageKind KindOf(const Message& message);

}  // namespace parley

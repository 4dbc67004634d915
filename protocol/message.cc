// Messages: kind names and the variant -> kind mapping.
#include "protocol/message.h"

namespace parley {

namespace {
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;
}  // namespace

const char* MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kPing: return "ping";
    case MessageKind::kPingReq: return "ping-req";
    case MessageKind::kAck: return "ack";
    case MessageKind::kNack: return "nack";
    case MessageKind::kSuspect: return "suspect";
    case MessageKind::kAlive: return "alive";
    case MessageKind::kDead: return "dead";
    case MessageKind::kLeave: return "leave";
    case MessageKind::kPushPull: return "push-pull";
    case MessageKind::kDeltaBatch: return "delta-batch";
    case MessageKind::kContextDigest: return "context-digest";
    case MessageKind::kDiffChunk: return "diff-chunk";
    case MessageKind::kDurableAck: return "durable-ack";
    case MessageKind::kSlotRequest: return "slot-request";
  }
  return "unknown";
}

bool IsKnownMessageKind(uint64_t wire_number) {
  if (wire_number > 255) return false;
  return std::string_view(MessageKindName(static_cast<MessageKind>(wire_number))) != "unknown";
}

MessageKind KindOf(const Message& message) {
  return std::visit(
      Overloaded{
          [](const PingMessage&) { return MessageKind::kPing; },
          [](const PingReqMessage&) { return MessageKind::kPingReq; },
          [](const AckMessage&) { return MessageKind::kAck; },
          [](const NackMessage&) { return MessageKind::kNack; },
          [](const SuspectMessage&) { return MessageKind::kSuspect; },
          [](const AliveMessage&) { return MessageKind::kAlive; },
          [](const DeadMessage&) { return MessageKind::kDead; },
          [](const LeaveMessage&) { return MessageKind::kLeave; },
          [](const PushPullMessage&) { return MessageKind::kPushPull; },
          [](const DeltaBatchMessage&) { return MessageKind::kDeltaBatch; },
          [](const ContextDigestMessage&) { return MessageKind::kContextDigest; },
          [](const DiffChunkMessage&) { return MessageKind::kDiffChunk; },
          [](const DurableAckMessage&) { return MessageKind::kDurableAck; },
          [](const SlotRequestMessage&) { return MessageKind::kSlotRequest; },
      },
      message);
}

}  // namespace parley

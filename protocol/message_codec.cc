// MessageCodec: encoders and strict decoders for every message kind.
#include "protocol/message_codec.h"

#include <optional>
#include <utility>

#include "protocol/delta_codec.h"
#include "protocol/msgpack_reader.h"
#include "protocol/msgpack_writer.h"

namespace parley {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// ---- encoding ----------------------------------------------------------------

void Begin(MessageKind kind, uint32_t fields, MsgpackWriter& w) {
  w.Array(fields + 1);
  w.Uint(static_cast<uint8_t>(kind));
}

void WriteAddress(const Address& address, MsgpackWriter& w) {
  w.Array(2);
  w.Str(address.host);
  w.Uint(address.port);
}

void WriteDot(const Dot& dot, MsgpackWriter& w) {
  w.Array(2);
  w.Uint(dot.replica);
  w.Uint(dot.counter);
}

void Write(const PingMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kPing, 2, w);
  w.Uint(m.seq);
  w.Str(m.target);
}
void Write(const PingReqMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kPingReq, 3, w);
  w.Uint(m.seq);
  w.Str(m.target);
  WriteAddress(m.target_address, w);
}
void Write(const AckMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kAck, 2, w);
  w.Uint(m.seq);
  if (m.payload) {
    w.Bin(*m.payload);
  } else {
    w.Nil();
  }
}
void Write(const NackMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kNack, 1, w);
  w.Uint(m.seq);
}
void Write(const SuspectMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kSuspect, 3, w);
  w.Uint(m.incarnation);
  w.Str(m.member);
  w.Str(m.from);
}
void WriteMeta(const std::map<std::string, std::string>& meta, MsgpackWriter& w) {
  w.Map(static_cast<uint32_t>(meta.size()));
  for (const auto& [key, value] : meta) {  // std::map: sorted, so canonical
    w.Str(key);
    w.Str(value);
  }
}
void Write(const AliveMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kAlive, 5, w);
  w.Uint(m.incarnation);
  w.Str(m.member);
  w.Uint(m.replica);
  WriteAddress(m.address, w);
  WriteMeta(m.meta, w);
}
void Write(const DeadMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kDead, 3, w);
  w.Uint(m.incarnation);
  w.Str(m.member);
  w.Str(m.from);
}
void Write(const LeaveMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kLeave, 2, w);
  w.Uint(m.incarnation);
  w.Str(m.member);
}
void Write(const PushPullMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kPushPull, 2, w);
  w.Bool(m.join);
  w.Array(static_cast<uint32_t>(m.members.size()));
  for (const MemberRecord& r : m.members) {
    w.Array(6);
    w.Str(r.name);
    w.Uint(r.replica);
    WriteAddress(r.address, w);
    w.Uint(r.incarnation);
    w.Uint(static_cast<uint8_t>(r.state));
    WriteMeta(r.meta, w);
  }
}
void Write(const DeltaBatchMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kDeltaBatch, m.tree ? 3 : 2, w);
  w.Uint(m.hops);
  w.Array(static_cast<uint32_t>(m.deltas.size()));
  for (const DeltaItem& item : m.deltas) {
    w.Array(2);
    if (item.write_id) {
      WriteDot(*item.write_id, w);
    } else {
      w.Nil();
    }
    WriteDelta(item.delta, w);
  }
  if (m.tree) w.Bool(true);
}
void Write(const ContextDigestMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kContextDigest, 4, w);
  WriteCausalContext(m.context, w);
  w.Uint(m.digest.high);
  w.Uint(m.digest.low);
  w.Bool(m.reply_wanted);
}
void Write(const DiffChunkMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kDiffChunk, 3, w);
  w.Uint(m.index);
  w.Bool(m.last);
  WriteDelta(m.delta, w);
}
void Write(const DurableAckMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kDurableAck, 1, w);
  w.Array(static_cast<uint32_t>(m.writes.size()));
  for (const Dot& dot : m.writes) WriteDot(dot, w);
}

void Write(const SlotRequestMessage& m, MsgpackWriter& w) {
  Begin(MessageKind::kSlotRequest, 1, w);
  w.Array(static_cast<uint32_t>(m.slots.size()));
  for (const SlotRef& ref : m.slots) {
    w.Array(3);
    w.Str(ref.key);
    w.Uint(static_cast<uint8_t>(ref.slot.type));
    w.Str(ref.slot.member);
  }
}

// ---- decoding ----------------------------------------------------------------

// Reads one message's fields. `f` holds the fields after the kind number;
// the constructor has already checked there are at least `needed` of them.
class FieldDecoder {
 public:
  FieldDecoder(std::span<const msgpack::object> fields, const Limits& limits, MsgpackReader& r)
      : f_(fields), limits_(limits), r_(r) {}

  bool Need(size_t count, const char* kind) {
    if (f_.size() < count) {
      r_.Fail(std::string(kind) + ": " + std::to_string(f_.size()) + " fields, need " +
              std::to_string(count));
    }
    return r_.ok();
  }
  uint32_t Seq(size_t i) { return static_cast<uint32_t>(r_.Uint(f_[i], UINT32_MAX, "seq")); }
  uint64_t U64(size_t i, const char* what) { return r_.Uint(f_[i], UINT64_MAX, what); }
  std::string Name(const msgpack::object& o, const char* what) {
    return r_.Bytes(o, limits_.max_name_bytes, what);
  }
  std::string Name(size_t i, const char* what) { return Name(f_[i], what); }
  Address ReadAddress(const msgpack::object& o) {
    Address address;
    auto pair = r_.Array(o, 2, SIZE_MAX, "address");
    if (!r_.ok()) return address;
    address.host = r_.Bytes(pair[0], limits_.max_host_bytes, "address host");
    address.port = static_cast<uint16_t>(r_.Uint(pair[1], UINT16_MAX, "address port"));
    return address;
  }
  std::map<std::string, std::string> ReadMeta(const msgpack::object& o) {
    std::map<std::string, std::string> meta;
    for (const msgpack::object_kv& kv : r_.Map(o, limits_.max_meta_entries, "meta")) {
      std::string key = r_.Bytes(kv.key, limits_.max_meta_bytes, "meta key");
      std::string value = r_.Bytes(kv.val, limits_.max_meta_bytes, "meta value");
      if (!r_.ok()) break;
      if (!meta.emplace(std::move(key), std::move(value)).second) r_.Fail("meta: duplicate key");
    }
    return meta;
  }
  Dot ReadDot(const msgpack::object& o, const char* what) {
    Dot dot;
    auto pair = r_.Array(o, 2, SIZE_MAX, what);
    if (!r_.ok()) return dot;
    dot.replica = r_.Uint(pair[0], UINT64_MAX, what);
    dot.counter = r_.Uint(pair[1], UINT64_MAX, what);
    if (r_.ok() && (dot.replica == 0 || dot.counter == 0)) {
      r_.Fail(std::string(what) + ": replica and counter must be non-zero");
    }
    return dot;
  }

  std::optional<Message> Decode(MessageKind kind);

 private:
  std::span<const msgpack::object> f_;
  const Limits& limits_;
  MsgpackReader& r_;
};

std::optional<Message> FieldDecoder::Decode(MessageKind kind) {
  const char* name = MessageKindName(kind);
  switch (kind) {
    case MessageKind::kPing: {
      if (!Need(2, name)) return std::nullopt;
      PingMessage m{Seq(0), Name(1, "ping target")};
      return m;
    }
    case MessageKind::kPingReq: {
      if (!Need(3, name)) return std::nullopt;
      PingReqMessage m{Seq(0), Name(1, "ping-req target"), ReadAddress(f_[2])};
      return m;
    }
    case MessageKind::kAck: {
      if (!Need(2, name)) return std::nullopt;
      AckMessage m;
      m.seq = Seq(0);
      if (!MsgpackReader::IsNil(f_[1])) {
        m.payload = r_.Bytes(f_[1], limits_.max_ack_payload_bytes, "ack payload");
      }
      return m;
    }
    case MessageKind::kNack: {
      if (!Need(1, name)) return std::nullopt;
      return NackMessage{Seq(0)};
    }
    case MessageKind::kSuspect: {
      if (!Need(3, name)) return std::nullopt;
      SuspectMessage m{U64(0, "incarnation"), Name(1, "suspect member"), Name(2, "suspect from")};
      return m;
    }
    case MessageKind::kAlive: {
      if (!Need(5, name)) return std::nullopt;
      AliveMessage m;
      m.incarnation = U64(0, "incarnation");
      m.member = Name(1, "alive member");
      m.replica = U64(2, "alive replica");
      m.address = ReadAddress(f_[3]);
      m.meta = ReadMeta(f_[4]);
      return m;
    }
    case MessageKind::kDead: {
      if (!Need(3, name)) return std::nullopt;
      DeadMessage m{U64(0, "incarnation"), Name(1, "dead member"), Name(2, "dead from")};
      return m;
    }
    case MessageKind::kLeave: {
      if (!Need(2, name)) return std::nullopt;
      LeaveMessage m{U64(0, "incarnation"), Name(1, "leave member")};
      return m;
    }
    case MessageKind::kPushPull: {
      if (!Need(2, name)) return std::nullopt;
      PushPullMessage m;
      m.join = r_.Bool(f_[0], "push-pull join");
      for (const msgpack::object& item : r_.Array(f_[1], 0, limits_.max_members, "members")) {
        auto rf = r_.Array(item, 5, SIZE_MAX, "member record");
        if (!r_.ok()) break;
        MemberRecord record;
        record.name = Name(rf[0], "member name");
        record.replica = r_.Uint(rf[1], UINT64_MAX, "member replica");
        record.address = ReadAddress(rf[2]);
        record.incarnation = r_.Uint(rf[3], UINT64_MAX, "member incarnation");
        record.state = static_cast<MemberState>(
            r_.Uint(rf[4], static_cast<uint64_t>(MemberState::kLeft), "member state"));
        if (rf.size() > 5) record.meta = ReadMeta(rf[5]);
        m.members.push_back(std::move(record));
      }
      return m;
    }
    case MessageKind::kDeltaBatch: {
      if (!Need(2, name)) return std::nullopt;
      DeltaBatchMessage m;
      m.hops = static_cast<uint8_t>(r_.Uint(f_[0], UINT8_MAX, "delta-batch hops"));
      for (const msgpack::object& item :
           r_.Array(f_[1], 0, limits_.max_deltas_per_batch, "delta-batch deltas")) {
        auto pair = r_.Array(item, 2, SIZE_MAX, "delta item");
        if (!r_.ok()) break;
        DeltaItem delta_item;
        if (!MsgpackReader::IsNil(pair[0])) delta_item.write_id = ReadDot(pair[0], "write id");
        delta_item.delta = ReadDelta(pair[1], limits_, r_);
        m.deltas.push_back(std::move(delta_item));
      }
      if (f_.size() > 2) m.tree = r_.Bool(f_[2], "delta-batch tree");
      return m;
    }
    case MessageKind::kContextDigest: {
      if (!Need(4, name)) return std::nullopt;
      ContextDigestMessage m;
      m.context = ReadCausalContext(f_[0], limits_, r_);
      m.digest.high = U64(1, "digest high");
      m.digest.low = U64(2, "digest low");
      m.reply_wanted = r_.Bool(f_[3], "reply wanted");
      return m;
    }
    case MessageKind::kDiffChunk: {
      if (!Need(3, name)) return std::nullopt;
      DiffChunkMessage m;
      m.index = static_cast<uint32_t>(r_.Uint(f_[0], UINT32_MAX, "chunk index"));
      m.last = r_.Bool(f_[1], "chunk last");
      m.delta = ReadDelta(f_[2], limits_, r_);
      return m;
    }
    case MessageKind::kDurableAck: {
      if (!Need(1, name)) return std::nullopt;
      DurableAckMessage m;
      for (const msgpack::object& item :
           r_.Array(f_[0], 0, limits_.max_durable_acks, "durable-ack writes")) {
        m.writes.push_back(ReadDot(item, "durable write id"));
        if (!r_.ok()) break;
      }
      return m;
    }
    case MessageKind::kSlotRequest: {
      if (!Need(1, name)) return std::nullopt;
      SlotRequestMessage m;
      for (const msgpack::object& item : r_.Array(f_[0], 0, limits_.max_requested_slots, "requested slots")) {
        auto fields = r_.Array(item, 3, 3, "requested slot");
        if (!r_.ok()) break;
        SlotRef ref;
        ref.key = r_.Bytes(fields[0], limits_.max_key_bytes, "requested slot key");
        uint64_t type = r_.Uint(fields[1], static_cast<uint64_t>(ValueType::kHash), "requested slot type");
        if (r_.ok() && type == static_cast<uint64_t>(ValueType::kNone)) r_.Fail("requested slot type: none");
        ref.slot.type = static_cast<ValueType>(type);
        ref.slot.member = r_.Bytes(fields[2], limits_.max_key_bytes, "requested slot member");
        if (!r_.ok()) break;
        m.slots.push_back(std::move(ref));
      }
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace

void AppendMessage(const Message& message, std::string* out) {
  MsgpackWriter writer(out);
  std::visit([&writer](const auto& m) { Write(m, writer); }, message);
}

std::string EncodeMessage(const Message& message) {
  std::string out;
  AppendMessage(message, &out);
  return out;
}

Status DecodeMessages(std::string_view body, const Limits& limits, std::vector<Message>* out,
                      size_t* skipped) {
  std::vector<Message> decoded;
  msgpack::zone zone;  // one for the packet: cleared, not reallocated, per message
  size_t unknown = 0;
  size_t offset = 0;
  size_t count = 0;
  while (offset < body.size()) {
    if (++count > limits.max_messages_per_packet) {
      return Status::Corruption("more than " + std::to_string(limits.max_messages_per_packet) +
                                " messages in one packet");
    }
    zone.clear();
    Result<msgpack::object> object = UnpackBounded(body, &offset, limits, &zone);
    if (!object.ok()) {
      return object.status().WithContext("message " + std::to_string(count));
    }
    MsgpackReader reader;
    auto fields = reader.Array(*object, 1, SIZE_MAX, "message");
    uint64_t kind = reader.Uint(fields.empty() ? msgpack::object() : fields[0], UINT64_MAX,
                                "message kind");
    if (!reader.ok()) return reader.status().WithContext("message " + std::to_string(count));
    if (!IsKnownMessageKind(kind)) {
      ++unknown;  // from a newer minor version: skip, the framing is intact
      continue;
    }
    FieldDecoder decoder(fields.subspan(1), limits, reader);
    std::optional<Message> message = decoder.Decode(static_cast<MessageKind>(kind));
    if (!reader.ok() || !message) {
      Status status = reader.ok() ? Status::Corruption("undecodable") : reader.status();
      return status.WithContext(std::string(MessageKindName(static_cast<MessageKind>(kind))) +
                                " message");
    }
    decoded.push_back(std::move(*message));
  }
  for (Message& m : decoded) out->push_back(std::move(m));
  if (skipped != nullptr) *skipped += unknown;
  return Status::Ok();
}

}  // namespace parley

// WireCodec: datagram packing, frames, sealing and drop accounting.
#include "protocol/wire_codec.h"

#include <utility>

#include <sodium.h>

#include "protocol/envelope.h"
#include "protocol/message_codec.h"
#include "protocol/packet_seal.h"

namespace parley {

Result<std::unique_ptr<WireCodec>> WireCodec::Create(WireOptions options) {
  if (options.sender.size() > 255 || options.sender.size() > options.limits.max_name_bytes) {
    return Status::InvalidArgument("sender name longer than the envelope allows");
  }
  if (!options.random) return Status::InvalidArgument("WireOptions.random is required");
  // Selects libsodium's fastest implementations; idempotent.
  if (sodium_init() < 0) return Status::Unavailable("libsodium failed to initialise");
  return std::unique_ptr<WireCodec>(new WireCodec(std::move(options)));
}

WireCodec::WireCodec(WireOptions options)
    : options_(std::move(options)), cluster_tag_(ClusterTag(options_.cluster_id)) {}

SealContext WireCodec::SealContextOf() const {
  SealContext context;
  context.cluster_id = options_.cluster_id;
  context.cluster_tag = cluster_tag_;
  context.keyring = &options_.keyring;
  context.random = &options_.random;
  context.accept_plaintext = options_.accept_plaintext;
  return context;
}

size_t WireCodec::PacketOverhead() const {
  return SealContextOf().Overhead(kEnvelopeFixedBytes + options_.sender.size());
}

std::string WireCodec::Seal(Transport transport, std::string_view body) const {
  EnvelopeHeader header;
  header.transport = transport;
  header.sender = options_.sender;
  return SealPacket(std::move(header), body, SealContextOf());
}

PackedDatagram WireCodec::PackDatagram(std::span<const Message> messages) {
  PackedDatagram result;
  size_t overhead = PacketOverhead();
  size_t capacity =
      options_.limits.max_datagram_bytes > overhead ? options_.limits.max_datagram_bytes - overhead : 0;
  std::string body;
  std::string encoded;
  for (size_t i = 0; i < messages.size(); ++i) {
    encoded.clear();
    AppendMessage(messages[i], &encoded);
    if (encoded.size() > capacity) {
      result.need_tcp.push_back(i);
      continue;
    }
    if (result.packed.size() >= options_.limits.max_messages_per_packet) continue;
    if (body.size() + encoded.size() > capacity) continue;  // a later, smaller one may fit
    body.append(encoded);
    result.packed.push_back(i);
  }
  if (!result.packed.empty()) result.datagram = Seal(Transport::kDatagram, body);
  return result;
}

DatagramBatch WireCodec::EncodeDatagrams(std::span<const Message> messages) {
  std::vector<std::string> encoded;
  encoded.reserve(messages.size());
  for (const Message& message : messages) encoded.push_back(EncodeMessage(message));
  return EncodedDatagrams(encoded);
}

DatagramBatch WireCodec::EncodedDatagrams(std::span<const std::string> encoded_messages) {
  DatagramBatch batch;
  size_t overhead = PacketOverhead();
  size_t capacity =
      options_.limits.max_datagram_bytes > overhead ? options_.limits.max_datagram_bytes - overhead : 0;
  // Messages go into the newest datagram while they fit; then a new one is
  // opened. Earlier datagrams are never reopened, so datagram 0 holds the
  // highest-priority messages, which matters when the caller sends only it.
  std::vector<std::string> bodies;
  size_t in_last = 0;
  for (size_t i = 0; i < encoded_messages.size(); ++i) {
    const std::string& encoded = encoded_messages[i];
    if (encoded.size() > capacity) {
      batch.need_tcp.push_back(i);
      continue;
    }
    if (bodies.empty() || bodies.back().size() + encoded.size() > capacity ||
        in_last >= options_.limits.max_messages_per_packet) {
      bodies.emplace_back().reserve(capacity);
      in_last = 0;
    }
    bodies.back().append(encoded);
    ++in_last;
  }
  for (const std::string& body : bodies) batch.datagrams.push_back(Seal(Transport::kDatagram, body));
  return batch;
}

Result<std::string> WireCodec::EncodeFrame(std::span<const Message> messages) {
  if (messages.size() > options_.limits.max_messages_per_packet) {
    return Status::InvalidArgument("too many messages for one frame");
  }
  std::string body;
  for (const Message& message : messages) AppendMessage(message, &body);
  return FrameOf(body);
}

Result<std::string> WireCodec::EncodedFrame(std::string_view encoded_message) { return FrameOf(encoded_message); }

Result<std::string> WireCodec::FrameOf(std::string_view body) {
  std::string packet = Seal(Transport::kFrame, body);
  if (packet.size() > options_.limits.max_frame_bytes) {
    return Status::InvalidArgument("frame of " + std::to_string(packet.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(options_.limits.max_frame_bytes));
  }
  std::string frame;
  frame.reserve(4 + packet.size());
  AppendBigEndian32(static_cast<uint32_t>(packet.size()), &frame);
  frame.append(packet);
  return frame;
}

Result<Packet> WireCodec::DecodeDatagram(std::string_view datagram) {
  return Decode(datagram, Transport::kDatagram, options_.limits.max_datagram_receive_bytes);
}

Result<Packet> WireCodec::DecodeFrame(std::string_view packet) {
  return Decode(packet, Transport::kFrame, options_.limits.max_frame_bytes);
}

Result<Packet> WireCodec::Decode(std::string_view bytes, Transport transport, size_t max_size) {
  if (bytes.size() > max_size) {
    stats_.CountDrop(DropReason::kTooLarge);
    return Status::InvalidArgument("packet of " + std::to_string(bytes.size()) +
                                   " bytes exceeds the limit of " + std::to_string(max_size));
  }
  DropReason reason = DropReason::kMalformed;
  Result<OpenedPacket> opened = OpenPacket(bytes, transport, SealContextOf(), &reason);
  if (!opened.ok()) {
    stats_.CountDrop(reason);
    return opened.status();
  }
  Packet packet;
  Status status =
      DecodeMessages(opened->body, options_.limits, &packet.messages, &packet.skipped);
  if (!status.ok()) {
    stats_.CountDrop(DropReason::kMalformed);
    return status.WithContext("from " + opened->header.sender);
  }
  packet.sender = std::move(opened->header.sender);
  packet.minor_version = opened->header.minor;
  ++stats_.packets_accepted;
  stats_.messages_accepted += packet.messages.size();
  stats_.messages_skipped += packet.skipped;
  return packet;
}

}  // namespace parley

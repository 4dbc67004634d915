// WireCodec: the one object the node core uses to talk to peers.
//
// It turns messages into sealed UDP datagrams and TCP frames and back,
// applying the envelope, the keyring (or checksum), the size limits and the
// drop counters. It does no I/O and reads no clock; the only randomness
// (AEAD nonces) comes from the RandomSource in its options, so a node core
// driven by the simulator stays deterministic.
//
// Datagrams: the caller lists messages in priority order (probe first, then
// gossip to piggyback). PackDatagram() fills one datagram of at most
// limits.max_datagram_bytes with as many as fit, first fit in that order;
// EncodeDatagrams() keeps going until every message is placed. A message
// that cannot fit even alone is reported in need_tcp: send it in a frame.
// EncodedDatagrams() does the same for messages already encoded
// (EncodeMessage), which callers that send one message many times keep.
//
// Frames: EncodeFrame() returns a 4-byte big-endian length prefix followed by
// a sealed packet; FrameReader (frame_reader.h) splits a TCP byte stream back
// into packets for DecodeFrame().
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/envelope.h"
#include "protocol/keyring.h"
#include "protocol/limits.h"
#include "protocol/message.h"
#include "protocol/random_source.h"
#include "protocol/stats.h"
#include "storage/status.h"

namespace parley {

struct SealContext;  // packet_seal.h

struct WireOptions {
  std::string sender;      // this node's member name (at most 255 bytes)
  std::string cluster_id;  // every node of a cluster uses the same id
  Keyring keyring;         // empty: plaintext with checksums
  RandomSource random;     // required; SystemRandomSource() in production
  bool accept_plaintext = false;  // see SealContext
  Limits limits;
};

// A decoded datagram or frame.
struct Packet {
  std::string sender;
  uint8_t minor_version = 0;
  std::vector<Message> messages;
  size_t skipped = 0;  // messages of kinds this version does not know
};

struct PackedDatagram {
  std::string datagram;        // empty if nothing fit
  std::vector<size_t> packed;  // indexes into the input, in datagram order
  std::vector<size_t> need_tcp;  // too big for any datagram
};

struct DatagramBatch {
  std::vector<std::string> datagrams;
  std::vector<size_t> need_tcp;
};

class WireCodec {
 public:
  // Fails if the sender name is too long or no random source is given.
  static Result<std::unique_ptr<WireCodec>> Create(WireOptions options);

  WireCodec(const WireCodec&) = delete;
  WireCodec& operator=(const WireCodec&) = delete;

  PackedDatagram PackDatagram(std::span<const Message> messages);
  DatagramBatch EncodeDatagrams(std::span<const Message> messages);
  DatagramBatch EncodedDatagrams(std::span<const std::string> encoded_messages);
  Result<Packet> DecodeDatagram(std::string_view datagram);

  // Length prefix included. Fails if the frame would exceed max_frame_bytes.
  Result<std::string> EncodeFrame(std::span<const Message> messages);
  Result<std::string> EncodeFrame(const Message& message) {
    return EncodeFrame(std::span<const Message>(&message, 1));
  }
  // One message already encoded (EncodeMessage) in a frame of its own.
  Result<std::string> EncodedFrame(std::string_view encoded_message);
  // `packet` is one frame without its length prefix (from FrameReader).
  Result<Packet> DecodeFrame(std::string_view packet);

  // Rotate keys here (Install / Use / Remove); takes effect immediately.
  Keyring& keyring() { return options_.keyring; }
  const ProtocolStats& stats() const { return stats_; }
  // Counts a drop detected outside the codec (e.g. FrameReader overflow).
  void CountDrop(DropReason reason) { stats_.CountDrop(reason); }
  const Limits& limits() const { return options_.limits; }

  // Bytes a sealed packet adds around its message bytes.
  size_t PacketOverhead() const;

 private:
  explicit WireCodec(WireOptions options);
  // Points into options_: valid while this codec lives.
  SealContext SealContextOf() const;
  std::string Seal(Transport transport, std::string_view body) const;
  Result<std::string> FrameOf(std::string_view body);
  Result<Packet> Decode(std::string_view packet, Transport transport, size_t max_size);

  WireOptions options_;
  const uint32_t cluster_tag_;  // ClusterTag(options_.cluster_id)
  ProtocolStats stats_;
};

}  // namespace parley

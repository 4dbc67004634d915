// Envelope: the fixed header in front of every datagram and frame.
//
//   offset size field
//   0      2    magic "PY" (0x50 0x59)
//   2      1    version major
//   3      1    version minor
//   4      1    transport: 1 datagram, 2 frame
//   5      1    flags: bit 0 = encrypted; other bits reserved (sent 0, ignored)
//   6      4    cluster tag (big endian): fingerprint of the cluster id
//   10     4    key id (big endian): fingerprint of the sending key, 0 if plain
//   14     1    sender name length n
//   15     n    sender name (UTF-8)
//
// The header is readable before any key is tried, so a receiver can count
// why it drops a packet (wrong cluster, unknown key, newer major version)
// without decrypting. It is authenticated as AEAD associated data, so none
// of it can be altered undetected. See PROTOCOL.md, "Envelope".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/stats.h"
#include "storage/status.h"

namespace parley {

inline constexpr uint8_t kProtocolMagic0 = 0x50;  // 'P'
inline constexpr uint8_t kProtocolMagic1 = 0x59;  // 'Y'
inline constexpr uint8_t kProtocolMajor = 1;
inline constexpr uint8_t kProtocolMinor = 0;
inline constexpr size_t kEnvelopeFixedBytes = 15;
inline constexpr uint8_t kFlagEncrypted = 0x01;

enum class Transport : uint8_t { kDatagram = 1, kFrame = 2 };

struct EnvelopeHeader {
  uint8_t major = kProtocolMajor;
  uint8_t minor = kProtocolMinor;
  Transport transport = Transport::kDatagram;
  bool encrypted = false;
  uint32_t cluster_tag = 0;
  uint32_t key_id = 0;
  std::string sender;  // at most 255 bytes

  size_t EncodedSize() const { return kEnvelopeFixedBytes + sender.size(); }
};

// Appends the header; `header.sender` must be at most 255 bytes.
void AppendEnvelopeHeader(const EnvelopeHeader& header, std::string* out);

// Parses the header at the start of `packet`. On failure sets `*reason`.
// A newer major version is refused with a message naming both versions.
struct ParsedEnvelope {
  EnvelopeHeader header;
  size_t header_size = 0;
};
Result<ParsedEnvelope> ParseEnvelopeHeader(std::string_view packet, DropReason* reason);

// 32-bit fingerprint of a cluster id (BLAKE2b), written in every header.
uint32_t ClusterTag(std::string_view cluster_id);

// Big-endian helpers shared by the packet and frame code.
void AppendBigEndian32(uint32_t value, std::string* out);
uint32_t ReadBigEndian32(const char* data);

}  // namespace parley

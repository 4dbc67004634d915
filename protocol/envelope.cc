// Envelope: header encoding and validation.
#include "protocol/envelope.h"

#include <sodium.h>

namespace parley {

void AppendBigEndian32(uint32_t value, std::string* out) {
  out->push_back(static_cast<char>(value >> 24));
  out->push_back(static_cast<char>(value >> 16));
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

uint32_t ReadBigEndian32(const char* data) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void AppendEnvelopeHeader(const EnvelopeHeader& header, std::string* out) {
  out->push_back(static_cast<char>(kProtocolMagic0));
  out->push_back(static_cast<char>(kProtocolMagic1));
  out->push_back(static_cast<char>(header.major));
  out->push_back(static_cast<char>(header.minor));
  out->push_back(static_cast<char>(header.transport));
  out->push_back(static_cast<char>(header.encrypted ? kFlagEncrypted : 0));
  AppendBigEndian32(header.cluster_tag, out);
  AppendBigEndian32(header.key_id, out);
  out->push_back(static_cast<char>(header.sender.size()));
  out->append(header.sender);
}

Result<ParsedEnvelope> ParseEnvelopeHeader(std::string_view packet, DropReason* reason) {
  if (packet.size() < 2 || static_cast<uint8_t>(packet[0]) != kProtocolMagic0 ||
      static_cast<uint8_t>(packet[1]) != kProtocolMagic1) {
    *reason = DropReason::kBadMagic;
    return Status::Corruption("not a parley packet (bad magic)");
  }
  if (packet.size() < kEnvelopeFixedBytes) {
    *reason = DropReason::kTruncated;
    return Status::Corruption("packet shorter than the envelope header");
  }
  ParsedEnvelope parsed;
  EnvelopeHeader& h = parsed.header;
  h.major = static_cast<uint8_t>(packet[2]);
  h.minor = static_cast<uint8_t>(packet[3]);
  if (h.major != kProtocolMajor) {
    *reason = DropReason::kBadVersion;
    return Status::Unsupported("peer speaks protocol " + std::to_string(h.major) + "." +
                               std::to_string(h.minor) + ", this node speaks " +
                               std::to_string(kProtocolMajor) + "." +
                               std::to_string(kProtocolMinor) +
                               (h.major > kProtocolMajor ? "; upgrade this node" : ""));
  }
  uint8_t transport = static_cast<uint8_t>(packet[4]);
  if (transport != static_cast<uint8_t>(Transport::kDatagram) &&
      transport != static_cast<uint8_t>(Transport::kFrame)) {
    *reason = DropReason::kWrongTransport;
    return Status::Corruption("unknown transport " + std::to_string(transport));
  }
  h.transport = static_cast<Transport>(transport);
  h.encrypted = (static_cast<uint8_t>(packet[5]) & kFlagEncrypted) != 0;
  h.cluster_tag = ReadBigEndian32(packet.data() + 6);
  h.key_id = ReadBigEndian32(packet.data() + 10);
  size_t sender_size = static_cast<uint8_t>(packet[14]);
  if (packet.size() < kEnvelopeFixedBytes + sender_size) {
    *reason = DropReason::kTruncated;
    return Status::Corruption("packet shorter than its sender name");
  }
  h.sender.assign(packet.data() + kEnvelopeFixedBytes, sender_size);
  parsed.header_size = kEnvelopeFixedBytes + sender_size;
  return parsed;
}

uint32_t ClusterTag(std::string_view cluster_id) {
  static constexpr char kLabel[] = "parley cluster tag v1";
  uint8_t hash[16];
  crypto_generichash(hash, sizeof(hash), reinterpret_cast<const uint8_t*>(cluster_id.data()),
                     cluster_id.size(), reinterpret_cast<const uint8_t*>(kLabel),
                     sizeof(kLabel) - 1);
  return (uint32_t{hash[0]} << 24) | (uint32_t{hash[1]} << 16) | (uint32_t{hash[2]} << 8) |
         uint32_t{hash[3]};
}

}  // namespace parley

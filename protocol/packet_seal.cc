// PacketSeal: AEAD sealing under the keyring, or checksummed plaintext.
#include "protocol/packet_seal.h"

#include <sodium.h>
#include <xxhash.h>

#include <string>
#include <vector>

namespace parley {

static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(Keyring::kKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

namespace {

uint64_t Checksum(std::string_view cluster_id, std::string_view covered) {
  uint64_t seed = XXH64(cluster_id.data(), cluster_id.size(), 0);
  return XXH64(covered.data(), covered.size(), seed);
}

void AppendBigEndian64(uint64_t value, std::string* out) {
  AppendBigEndian32(static_cast<uint32_t>(value >> 32), out);
  AppendBigEndian32(static_cast<uint32_t>(value), out);
}

std::string AssociatedData(std::string_view header, std::string_view cluster_id) {
  std::string ad(header);
  ad.append(cluster_id);
  return ad;
}

}  // namespace

std::string SealPacket(EnvelopeHeader header, std::string_view body, const SealContext& context) {
  header.cluster_tag = context.tag();
  header.encrypted = context.encrypting();
  header.key_id = header.encrypted ? context.keyring->primary_id() : 0;
  std::string packet;
  packet.reserve(context.Overhead(header.EncodedSize()) + body.size());
  AppendEnvelopeHeader(header, &packet);
  if (!header.encrypted) {
    packet.append(body);
    AppendBigEndian64(Checksum(context.cluster_id, packet), &packet);
    return packet;
  }

  std::string ad = AssociatedData(packet, context.cluster_id);
  uint8_t nonce[kNonceBytes];
  (*context.random)(nonce, sizeof(nonce));
  packet.append(reinterpret_cast<const char*>(nonce), sizeof(nonce));
  size_t cipher_offset = packet.size();
  packet.resize(cipher_offset + body.size() + kTagBytes);
  unsigned long long cipher_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<uint8_t*>(packet.data() + cipher_offset), &cipher_size,
      reinterpret_cast<const uint8_t*>(body.data()), body.size(),
      reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nullptr, nonce,
      context.keyring->primary().data());
  packet.resize(cipher_offset + cipher_size);
  return packet;
}

Result<OpenedPacket> OpenPacket(std::string_view packet, Transport expected,
                                const SealContext& context, DropReason* reason) {
  Result<ParsedEnvelope> parsed = ParseEnvelopeHeader(packet, reason);
  if (!parsed.ok()) return parsed.status();
  const EnvelopeHeader& header = parsed->header;
  size_t header_size = parsed->header_size;
  if (header.transport != expected) {
    *reason = DropReason::kWrongTransport;
    return Status::Corruption(expected == Transport::kDatagram ? "frame received as a datagram"
                                                               : "datagram received as a frame");
  }
  if (header.cluster_tag != context.tag()) {
    *reason = DropReason::kWrongCluster;
    return Status::InvalidArgument("packet from another cluster (cluster tag mismatch)");
  }

  OpenedPacket opened;
  opened.header = header;
  if (!header.encrypted) {
    if (context.encrypting() && !context.accept_plaintext) {
      *reason = DropReason::kNotEncrypted;
      return Status::InvalidArgument("plaintext packet refused: this cluster requires a key");
    }
    if (packet.size() < header_size + kChecksumBytes) {
      *reason = DropReason::kTruncated;
      return Status::Corruption("packet shorter than its checksum");
    }
    size_t covered = packet.size() - kChecksumBytes;
    uint64_t stored = (uint64_t{ReadBigEndian32(packet.data() + covered)} << 32) |
                      ReadBigEndian32(packet.data() + covered + 4);
    if (stored != Checksum(context.cluster_id, packet.substr(0, covered))) {
      *reason = DropReason::kBadChecksum;
      return Status::Corruption("packet checksum mismatch");
    }
    opened.body.assign(packet.data() + header_size, covered - header_size);
    return opened;
  }

  if (!context.encrypting()) {
    *reason = DropReason::kUnexpectedEncryption;
    return Status::InvalidArgument("encrypted packet but this node has no cluster key");
  }
  if (packet.size() < header_size + kNonceBytes + kTagBytes) {
    *reason = DropReason::kTruncated;
    return Status::Corruption("encrypted packet shorter than nonce and tag");
  }
  std::vector<const Keyring::Key*> keys = context.keyring->KeysWithId(header.key_id);
  if (keys.empty()) {
    *reason = DropReason::kUnknownKey;
    return Status::InvalidArgument("packet encrypted under a key not in the keyring");
  }
  std::string ad = AssociatedData(packet.substr(0, header_size), context.cluster_id);
  const auto* nonce = reinterpret_cast<const uint8_t*>(packet.data() + header_size);
  const auto* cipher = nonce + kNonceBytes;
  size_t cipher_size = packet.size() - header_size - kNonceBytes;
  opened.body.resize(cipher_size - kTagBytes);
  for (const Keyring::Key* key : keys) {
    unsigned long long plain_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<uint8_t*>(opened.body.data()), &plain_size, nullptr, cipher,
            cipher_size, reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nonce,
            key->data()) == 0) {
      opened.body.resize(plain_size);
      return opened;
    }
  }
  *reason = DropReason::kAuthFailed;
  return Status::InvalidArgument("packet failed authentication (tampered, or wrong key/cluster)");
}

}  // namespace parley

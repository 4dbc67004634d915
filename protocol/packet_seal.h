// PacketSeal: protects a packet body (encrypt+authenticate, or checksum).
//
// With a keyring, a packet is  header || nonce(24) || XChaCha20-Poly1305(body)
// under the primary key, with associated data = header || cluster id. The
// header is thus tamper-proof, and a packet from another cluster that
// happens to share the key fails authentication because its cluster id
// differs (the id itself never travels, only its 32-bit tag).
// Without a keyring, a packet is  header || body || XXH64(header || body)
// seeded by the cluster id: no secrecy, but corruption and cross-cluster
// traffic are still caught. See PROTOCOL.md, "Security".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/envelope.h"
#include "protocol/keyring.h"
#include "protocol/random_source.h"
#include "protocol/stats.h"
#include "storage/status.h"

namespace parley {

inline constexpr size_t kNonceBytes = 24;  // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
inline constexpr size_t kTagBytes = 16;    // crypto_aead_xchacha20poly1305_ietf_ABYTES
inline constexpr size_t kChecksumBytes = 8;

struct SealContext {
  std::string_view cluster_id;  // must outlive the context
  // ClusterTag(cluster_id), when the caller keeps it: a BLAKE2b hash per
  // packet was 4% of a 1000-node simulation.
  std::optional<uint32_t> cluster_tag;
  const Keyring* keyring = nullptr;  // null or empty: plaintext with checksum
  const RandomSource* random = nullptr;
  // During the rollout of a first key, accept plaintext packets while
  // already sending encrypted ones. Off otherwise.
  bool accept_plaintext = false;

  bool encrypting() const { return keyring != nullptr && !keyring->empty(); }
  uint32_t tag() const { return cluster_tag ? *cluster_tag : ClusterTag(cluster_id); }
  // Bytes added around the body by SealPacket for a header of `header_size`.
  size_t Overhead(size_t header_size) const {
    return header_size + (encrypting() ? kNonceBytes + kTagBytes : kChecksumBytes);
  }
};

// Builds a full packet. `header` supplies transport and sender; the crypto
// fields (encrypted, key id, cluster tag) are filled in here.
std::string SealPacket(EnvelopeHeader header, std::string_view body, const SealContext& context);

struct OpenedPacket {
  EnvelopeHeader header;
  std::string body;
};
// Checks and opens a packet. On failure sets `*reason` and returns why.
Result<OpenedPacket> OpenPacket(std::string_view packet, Transport expected,
                                const SealContext& context, DropReason* reason);

}  // namespace parley

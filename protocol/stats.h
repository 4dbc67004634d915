// ProtocolStats: counts of what the wire decoders accepted and dropped.
//
// Dropped packets are never answered (an attacker learns nothing), so these
// counters are how an operator finds out that a peer has the wrong key,
// belongs to another cluster, or runs a newer major version. The node
// exports them as metrics; tests assert on them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace parley {

enum class DropReason : uint8_t {
  kBadMagic = 0,       // not a parley packet at all
  kBadVersion,         // newer major version (refused) or version 0
  kWrongTransport,     // a frame sent as a datagram or vice versa
  kWrongCluster,       // cluster tag of another cluster
  kBadChecksum,        // plaintext packet damaged in transit
  kUnknownKey,         // encrypted under a key not in our keyring
  kAuthFailed,         // AEAD tag did not verify: tampered or forged
  kNotEncrypted,       // plaintext packet while a keyring is in force
  kUnexpectedEncryption,  // encrypted packet but this node has no key
  kTooLarge,           // over the datagram or frame limit
  kTruncated,          // shorter than its header says
  kMalformed,          // authentic, but the messages inside do not decode
  kCount,
};
const char* DropReasonName(DropReason reason);  // "bad-magic", ...

struct ProtocolStats {
  uint64_t packets_accepted = 0;
  uint64_t messages_accepted = 0;
  uint64_t messages_skipped = 0;  // unknown kinds from a newer minor version
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> dropped{};

  uint64_t Dropped(DropReason reason) const { return dropped[static_cast<size_t>(reason)]; }
  uint64_t DroppedTotal() const;
  void CountDrop(DropReason reason) { ++dropped[static_cast<size_t>(reason)]; }
};

}  // namespace parley

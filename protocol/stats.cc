// ProtocolStats: reason names and totals.
#include "protocol/stats.h"

namespace parley {

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kBadMagic: return "bad-magic";
    case DropReason::kBadVersion: return "bad-version";
    case DropReason::kWrongTransport: return "wrong-transport";
    case DropReason::kWrongCluster: return "wrong-cluster";
    case DropReason::kBadChecksum: return "bad-checksum";
    case DropReason::kUnknownKey: return "unknown-key";
    case DropReason::kAuthFailed: return "auth-failed";
    case DropReason::kNotEncrypted: return "not-encrypted";
    case DropReason::kUnexpectedEncryption: return "unexpected-encryption";
    case DropReason::kTooLarge: return "too-large";
    case DropReason::kTruncated: return "truncated";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kCount: break;
  }
  return "unknown";
}

uint64_t ProtocolStats::DroppedTotal() const {
  uint64_t total = 0;
  for (uint64_t n : dropped) total += n;
  return total;
}

}  // namespace parley

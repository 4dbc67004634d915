// FaultFilter: decides which packets a partitioned node discards.
#include "node/runtime/faults.h"

#include "node/runtime/net_address.h"
#include "protocol/envelope.h"

namespace parley {

bool FaultFilter::IsDroppedAddress(const Address& address, bool match_port, const Membership& members) const {
  for (const std::string& name : faults_.drop) {
    const Member* m = members.Find(name);
    if (m == nullptr) continue;
    if (match_port ? SameEndpoint(m->address, address) : m->address.host == address.host) return true;
  }
  return false;
}

bool FaultFilter::DropOutgoing(const Address& to, const Membership& members) const {
  if (faults_.drop.empty()) return false;
  bool drop = IsDroppedAddress(to, /*match_port=*/true, members);
  if (drop) ++dropped_outgoing_;
  return drop;
}

bool FaultFilter::DropIncoming(const Address& from, std::string_view packet, const Membership& members) const {
  if (faults_.drop.empty()) return false;
  DropReason reason;
  Result<ParsedEnvelope> envelope = ParseEnvelopeHeader(packet, &reason);
  bool drop = (envelope.ok() && faults_.drop.count(envelope->header.sender) > 0) ||
              IsDroppedAddress(from, /*match_port=*/true, members);
  if (drop) ++dropped_incoming_;
  return drop;
}

}  // namespace parley

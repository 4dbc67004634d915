// Faults: a switch that cuts this node off from named peers, for demos and
// tests of partitions without root (no iptables).
//
// Dropping is by member name: outgoing packets to a dropped member's
// advertised address are discarded, and incoming packets are discarded when
// their envelope names a dropped sender (the header is readable without the
// key, see protocol/envelope.h) or when they come from a dropped member's
// address. Matching the envelope matters on one machine, where every node
// shares 127.0.0.1 and TCP connections come from ephemeral ports. An
// optional delay holds back every outgoing packet.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "node/core/membership.h"
#include "protocol/message.h"

namespace parley {

struct FaultSet {
  std::set<std::string> drop;  // member names
  uint64_t delay_ms = 0;       // added to every outgoing packet

  bool empty() const { return drop.empty() && delay_ms == 0; }
};

class FaultFilter {
 public:
  void Set(FaultSet faults) { faults_ = std::move(faults); }
  void Clear() { faults_ = FaultSet{}; }
  const FaultSet& faults() const { return faults_; }

  // Whether a packet to `to` must be discarded.
  bool DropOutgoing(const Address& to, const Membership& members) const;
  // Whether a packet from `from` with these bytes must be discarded.
  bool DropIncoming(const Address& from, std::string_view packet, const Membership& members) const;

  uint64_t dropped_outgoing() const { return dropped_outgoing_; }
  uint64_t dropped_incoming() const { return dropped_incoming_; }

 private:
  bool IsDroppedAddress(const Address& address, bool match_port, const Membership& members) const;

  FaultSet faults_;
  mutable uint64_t dropped_outgoing_ = 0;
  mutable uint64_t dropped_incoming_ = 0;
};

}  // namespace parley

// Conversions between parley Addresses ("host", port) and socket addresses.
//
// The gossip layer names peers by the Address they advertise; libuv wants a
// sockaddr. Hosts are normally IP literals (IPv4 or IPv6); a DNS name is
// resolved once, synchronously, and cached, because a node's peer set is small
// and names rarely appear (only in seed lists or hand-written advertise flags).
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "protocol/message.h"
#include "storage/status.h"

namespace parley {

// "h:p", with IPv6 hosts bracketed: "[::1]:7946".
std::string FormatAddress(const Address& address);

// Parses "host:port" or "[v6]:port". `what` names the flag in the error, e.g.
// "--bind: 'x:y' is not host:port".
Result<Address> ParseHostPort(std::string_view text, std::string_view what);

// A socket address for `address`; resolves DNS names (cached).
Result<sockaddr_storage> ToSockaddr(const Address& address);

// The host (numeric) and port of a socket address.
Address FromSockaddr(const sockaddr* addr);

// Same host and port, comparing numerically (so "::1" equals "0:0::1").
bool SameEndpoint(const Address& a, const Address& b);

}  // namespace parley

// Address <-> sockaddr conversions, host:port parsing and a small DNS cache.
#include "node/runtime/net_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <map>
#include <mutex>

namespace parley {
namespace {

bool IsIpv6Literal(const std::string& host) { return host.find(':') != std::string::npos; }

// Parses an IP literal into `out`; false if `host` is not one.
bool ParseLiteral(const Address& address, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, address.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, address.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(address.port);
    return true;
  }
  return false;
}

}  // namespace

std::string FormatAddress(const Address& address) {
  if (IsIpv6Literal(address.host)) return "[" + address.host + "]:" + std::to_string(address.port);
  return address.host + ":" + std::to_string(address.port);
}

Result<Address> ParseHostPort(std::string_view text, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidArgument(std::string(what) + ": '" + std::string(text) + "' is not host:port");
  };
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad();  // bare IPv6 needs brackets
  }
  if (host.empty() || port.empty()) return bad();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) return bad();
  return Address{std::string(host), static_cast<uint16_t>(value)};
}

Result<sockaddr_storage> ToSockaddr(const Address& address) {
  sockaddr_storage out;
  if (ParseLiteral(address, &out)) return out;
  // A DNS name: resolve once and remember the first answer.
  static std::mutex mu;
  static std::map<std::string, std::string> cache;  // name -> numeric host
  std::string numeric;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(address.host);
    if (it != cache.end()) numeric = it->second;
  }
  if (numeric.empty()) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(address.host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) {
      return Status::InvalidArgument("cannot resolve host '" + address.host + "': " + gai_strerror(rc));
    }
    numeric = FromSockaddr(found->ai_addr).host;
    freeaddrinfo(found);
    std::lock_guard<std::mutex> lock(mu);
    cache[address.host] = numeric;
  }
  if (!ParseLiteral(Address{numeric, address.port}, &out)) {
    return Status::InvalidArgument("cannot resolve host '" + address.host + "'");
  }
  return out;
}

Address FromSockaddr(const sockaddr* addr) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    return Address{host, ntohs(v4->sin_port)};
  }
  if (addr->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    return Address{host, ntohs(v6->sin6_port)};
  }
  return Address{};
}

bool SameEndpoint(const Address& a, const Address& b) {
  if (a.port != b.port) return false;
  if (a.host == b.host) return true;
  sockaddr_storage x, y;
  if (!ParseLiteral(a, &x) || !ParseLiteral(b, &y)) return false;
  return FromSockaddr(reinterpret_cast<sockaddr*>(&x)).host == FromSockaddr(reinterpret_cast<sockaddr*>(&y)).host;
}

}  // namespace parley

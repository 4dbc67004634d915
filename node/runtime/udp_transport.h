// UdpTransport: the gossip port's datagram side (probes, acks, small deltas).
//
// Binds one UDP socket, hands every received datagram to a callback and sends
// datagrams without blocking. Each send owns its bytes until libuv reports
// it done, so the caller's buffer may go away at once. Datagrams are
// best-effort: a send refused at once is counted, none is retried (SWIM
// tolerates loss).
#pragma once

#include <uv.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "node/runtime/uv_handle.h"
#include "protocol/message.h"
#include "storage/status.h"

namespace parley {

class UdpTransport {
 public:
  using ReceiveCallback = std::function<void(const Address& from, std::string_view datagram)>;

  explicit UdpTransport(uv_loop_t* loop) : loop_(loop) {}
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  // Binds `address` (port 0 picks a free port) and starts receiving.
  Status Bind(const Address& address, ReceiveCallback on_receive);
  void Send(const Address& to, std::string bytes);
  void Close() { socket_.Close(); }

  Address bound_address() const { return bound_; }
  uint64_t send_errors() const { return send_errors_; }

 private:
  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnReceive(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                        unsigned flags);

  uv_loop_t* loop_;
  UvHandle<uv_udp_t> socket_;
  ReceiveCallback on_receive_;
  Address bound_;
  uint64_t send_errors_ = 0;
  // One receive buffer is enough: libuv delivers datagrams one at a time and
  // the callback consumes each before the next read.
  std::array<char, 65536> buffer_;
};

}  // namespace parley

// ConnectionPool: outgoing gossip TCP connections, one per destination.
//
// A frame for a peer goes on that peer's connection, opened lazily on the
// first frame; frames sent while it connects are queued. On any error the
// connection is closed and its queue dropped: the core's exchanges are
// periodic and idempotent, so the next round simply reconnects. Peers may
// also send frames back on the same connection; they reach the core like
// frames on an accepted connection.
#pragma once

#include <uv.h>

#include <map>
#include <string>

#include "node/runtime/tcp_connection.h"
#include "node/runtime/tcp_transport.h"
#include "protocol/message.h"

namespace parley {

class ConnectionPool {
 public:
  // A connection whose queue grows past this many bytes (a peer that does
  // not read) is dropped rather than buffering without bound.
  static constexpr size_t kMaxQueuedBytes = 64u << 20;

  ConnectionPool(uv_loop_t* loop, size_t max_frame_bytes, FrameCallback on_frame)
      : loop_(loop), max_frame_bytes_(max_frame_bytes), on_frame_(std::move(on_frame)) {}
  ~ConnectionPool() { Close(); }
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Sends one frame (length prefix included) to `to`.
  Status Send(const Address& to, std::string frame);
  void Close();

  size_t size() const { return connections_.size(); }

 private:
  uv_loop_t* loop_;
  size_t max_frame_bytes_;
  FrameCallback on_frame_;
  std::map<std::string, TcpConnection*> connections_;  // by "host:port"
};

}  // namespace parley

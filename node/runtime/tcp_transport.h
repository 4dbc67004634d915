// TcpTransport: the gossip port's stream side, incoming.
//
// Listens on the gossip address and splits every accepted connection's byte
// stream into frames (FrameReader) for the node core: push-pull exchanges,
// anti-entropy chunks and anything too big for a datagram. Outgoing frames
// travel on connections of their own (connection_pool.h); a peer answers on
// a connection it opens to our advertised address.
#pragma once

#include <uv.h>

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "node/runtime/tcp_connection.h"
#include "node/runtime/uv_handle.h"
#include "protocol/frame_reader.h"
#include "protocol/message.h"
#include "storage/status.h"

namespace parley {

// Frames from a connection: `from` is the connection's remote address.
using FrameCallback = std::function<void(const Address& from, std::string_view frame)>;

// Feeds `bytes` to `reader` and hands every complete frame to `on_frame`.
// An error means the stream is broken and its connection must be closed.
Status ReadFrames(FrameReader& reader, const Address& from, std::string_view bytes, const FrameCallback& on_frame);

class TcpTransport {
 public:
  TcpTransport(uv_loop_t* loop, size_t max_frame_bytes) : loop_(loop), max_frame_bytes_(max_frame_bytes) {}
  ~TcpTransport() { Close(); }
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  // Listens on `address` (port 0 picks one).
  Status Listen(const Address& address, FrameCallback on_frame);
  // Stops listening and closes every accepted connection.
  void Close();

  Address bound_address() const { return bound_; }
  size_t connection_count() const { return connections_.size(); }

 private:
  void Accept();

  uv_loop_t* loop_;
  size_t max_frame_bytes_;
  UvHandle<uv_tcp_t> listener_;
  FrameCallback on_frame_;
  Address bound_;
  std::set<TcpConnection*> connections_;
};

}  // namespace parley

// TcpConnection: one TCP stream on the loop, for gossip frames and HTTP.
//
// The object owns its uv_tcp_t and frees itself in the handle's close
// callback (the Node.js handle-wrap pattern): libuv may still call write
// callbacks while a stream closes, so the object must live exactly as long
// as the handle. Owners keep a raw pointer, learn of the end through
// on_close, and call Detach() before they themselves go away.
//
// Writes are queued while an outgoing connection is still connecting and
// sent in order once it is up. With nothing in flight a write goes straight
// to the kernel (uv_try_write); what the kernel does not take becomes a
// libuv write, and later writes are gathered into one buffer until it
// completes: pipelined RESP replies cost one write() per loop turn, not one
// each. Any error closes the connection and drops whatever was queued:
// gossip is idempotent and the next send reconnects.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/message.h"
#include "storage/status.h"

namespace parley {

class TcpConnection {
 public:
  struct Callbacks {
    std::function<void(std::string_view bytes)> on_data;
    std::function<void(const Status& why)> on_close;  // once; OK for an orderly close
    std::function<void()> on_writes_drained;          // optional: queue became empty
  };

  // Accepts a pending connection on `server`. Null on failure.
  static TcpConnection* Accept(uv_stream_t* server, Callbacks callbacks);
  // Starts connecting to `to`; frames written meanwhile are queued. Null
  // (with the error) if the connect cannot even start.
  static Result<TcpConnection*> Connect(uv_loop_t* loop, const Address& to, Callbacks callbacks);

  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  void Write(std::string bytes);
  // Queues `bytes` to go out at the next SendQueued() (or with the next
  // Write): a server that answers many clients in one loop turn sends all
  // replies at the end of the turn, as Redis does before it sleeps, so a
  // client woken by the first reply finds the others already there.
  void WriteLater(std::string_view bytes);
  void SendQueued();
  // Closes at once; queued and in-flight writes are dropped.
  void Close(const Status& why = Status::Ok());
  // Closes once every queued write has reached the kernel. on_close comes
  // later from the loop, never from inside this call.
  void CloseAfterWrites();
  // Forgets the callbacks: the owner is going away.
  void Detach() { callbacks_ = Callbacks{}; }

  void PauseReading();
  void ResumeReading();

  bool connected() const { return connected_; }
  bool closing() const { return closing_; }
  size_t queued_bytes() const { return queued_bytes_; }
  const Address& peer() const { return peer_; }

 private:
  explicit TcpConnection(Callbacks callbacks);
  ~TcpConnection() = default;  // only from the close callback

  void StartReading();
  void Queue(std::string&& bytes);
  void Flush();  // hands the gathered bytes to the kernel or to libuv as one write
  void CloseFromLoop();  // closes; on_close(OK) comes from the close callback
  static void OnConnect(uv_connect_t* req, int status);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);

  uv_tcp_t handle_{};
  Callbacks callbacks_;
  Address peer_;
  bool connected_ = false;
  bool closing_ = false;
  bool close_when_drained_ = false;
  bool reading_ = false;
  std::string pending_;       // waiting for the connect or for the write in flight
  int writes_in_flight_ = 0;
  size_t queued_bytes_ = 0;  // pending + in flight
  std::string read_buffer_;
};

}  // namespace parley

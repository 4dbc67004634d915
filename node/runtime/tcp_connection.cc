// TcpConnection: a self-freeing libuv TCP stream with a write queue.
#include "node/runtime/tcp_connection.h"

#include "node/runtime/net_address.h"

namespace parley {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

struct WriteRequest {
  uv_write_t req;
  std::string bytes;
  TcpConnection* connection;
};

}  // namespace

TcpConnection::TcpConnection(Callbacks callbacks) : callbacks_(std::move(callbacks)) {
  handle_.data = this;
}

TcpConnection* TcpConnection::Accept(uv_stream_t* server, Callbacks callbacks) {
  auto* c = new TcpConnection(std::move(callbacks));
  if (uv_tcp_init(server->loop, &c->handle_) != 0) {
    delete c;
    return nullptr;
  }
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->handle_)) != 0) {
    c->Detach();
    c->Close();
    return nullptr;
  }
  uv_tcp_nodelay(&c->handle_, 1);
  sockaddr_storage peer{};
  int len = sizeof peer;
  if (uv_tcp_getpeername(&c->handle_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    c->peer_ = FromSockaddr(reinterpret_cast<sockaddr*>(&peer));
  }
  c->connected_ = true;
  c->StartReading();
  return c;
}

Result<TcpConnection*> TcpConnection::Connect(uv_loop_t* loop, const Address& to, Callbacks callbacks) {
  Result<sockaddr_storage> addr = ToSockaddr(to);
  if (!addr.ok()) return addr.status();
  auto* c = new TcpConnection(std::move(callbacks));
  c->peer_ = to;
  if (int rc = uv_tcp_init(loop, &c->handle_); rc != 0) {
    delete c;
    return Status::IoError(std::string("tcp init: ") + uv_strerror(rc));
  }
  uv_tcp_nodelay(&c->handle_, 1);
  auto* req = new uv_connect_t{};
  req->data = c;
  if (int rc = uv_tcp_connect(req, &c->handle_, reinterpret_cast<const sockaddr*>(&*addr), OnConnect); rc != 0) {
    delete req;
    c->Detach();
    c->Close();
    return Status::IoError("connect to " + FormatAddress(to) + ": " + uv_strerror(rc));
  }
  return c;
}

void TcpConnection::OnConnect(uv_connect_t* req, int status) {
  auto* c = static_cast<TcpConnection*>(req->data);
  delete req;
  if (c->closing_) return;  // closed while connecting (status is ECANCELED)
  if (status < 0) {
    c->Close(Status::IoError("connect to " + FormatAddress(c->peer_) + ": " + uv_strerror(status)));
    return;
  }
  c->connected_ = true;
  c->StartReading();
  c->SendQueued();
}

void TcpConnection::StartReading() {
  if (reading_ || closing_) return;
  reading_ = true;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&handle_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* self = static_cast<TcpConnection*>(h->data);
        self->read_buffer_.resize(kReadChunk);
        *buf = uv_buf_init(self->read_buffer_.data(), static_cast<unsigned>(kReadChunk));
      },
      OnRead);
}

void TcpConnection::PauseReading() {
  if (!reading_ || closing_) return;
  reading_ = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
}

void TcpConnection::ResumeReading() {
  if (connected_) StartReading();
}

void TcpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<TcpConnection*>(stream->data);
  if (nread == UV_EOF) {
    self->Close();
    return;
  }
  if (nread < 0) {
    self->Close(Status::IoError(std::string("read: ") + uv_strerror(static_cast<int>(nread))));
    return;
  }
  if (nread > 0 && self->callbacks_.on_data && !self->closing_) {
    self->callbacks_.on_data(std::string_view(buf->base, static_cast<size_t>(nread)));
  }
}

void TcpConnection::Queue(std::string&& bytes) {
  queued_bytes_ += bytes.size();
  if (pending_.empty() && pending_.capacity() < bytes.size()) {
    pending_ = std::move(bytes);
  } else {
    pending_ += bytes;
  }
}

void TcpConnection::Write(std::string bytes) {
  if (closing_ || bytes.empty()) return;
  Queue(std::move(bytes));
  SendQueued();
}

void TcpConnection::WriteLater(std::string_view bytes) {
  if (closing_ || bytes.empty()) return;
  // Appended, not moved in: the caller keeps its buffer for the next reply.
  queued_bytes_ += bytes.size();
  pending_.append(bytes);
}

void TcpConnection::SendQueued() {
  if (closing_ || !connected_ || writes_in_flight_ > 0) return;
  Flush();
  if (queued_bytes_ == 0 && close_when_drained_) CloseFromLoop();
}

void TcpConnection::Flush() {
  if (pending_.empty()) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&handle_);
  if (writes_in_flight_ == 0) {
    // Nothing in flight, so the kernel may take the bytes at once. A write
    // that completes here needs no request and no completion callback, and
    // libuv's completion of a uv_write re-arms the poll watcher (one
    // epoll_ctl per write: a third of the syscalls under pipelined RESP).
    uv_buf_t buf = uv_buf_init(pending_.data(), static_cast<unsigned>(pending_.size()));
    // An error here is left to the uv_write below, which reports it from a
    // libuv callback: closing now would call on_close from inside the
    // owner's own call to Write().
    int n = uv_try_write(stream, &buf, 1);
    if (n > 0) {
      queued_bytes_ -= static_cast<size_t>(n);
      pending_.erase(0, static_cast<size_t>(n));  // keeps the buffer for the next reply
      if (pending_.empty()) return;
    }
  }
  auto* w = new WriteRequest{{}, std::move(pending_), this};
  pending_.clear();
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  if (int rc = uv_write(&w->req, stream, &buf, 1, OnWrite); rc != 0) {
    delete w;
    Close(Status::IoError(std::string("write: ") + uv_strerror(rc)));
    return;
  }
  ++writes_in_flight_;
}

void TcpConnection::OnWrite(uv_write_t* req, int status) {
  // Runs before the close callback even when the stream is closing, so the
  // connection is still alive here.
  auto* w = static_cast<WriteRequest*>(req->data);
  TcpConnection* c = w->connection;
  c->queued_bytes_ -= w->bytes.size();
  --c->writes_in_flight_;
  delete w;
  if (c->closing_) return;
  if (status < 0) {
    c->Close(Status::IoError(std::string("write: ") + uv_strerror(status)));
    return;
  }
  c->Flush();  // what was gathered meanwhile
  if (c->queued_bytes_ == 0) {
    if (c->close_when_drained_) {
      c->Close();
      return;
    }
    if (c->callbacks_.on_writes_drained) c->callbacks_.on_writes_drained();
  }
}

void TcpConnection::CloseAfterWrites() {
  if (closing_) return;
  close_when_drained_ = true;
  PauseReading();
  SendQueued();  // bytes written with WriteLater() may still wait
}

void TcpConnection::CloseFromLoop() {
  // Everything reached the kernel, maybe in the owner's own Write() a moment
  // ago (a QUIT's reply): the owner is still on the stack, so on_close comes
  // from the close callback, not from here.
  closing_ = true;
  pending_.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* h) {
    auto* c = static_cast<TcpConnection*>(h->data);
    auto on_close = std::move(c->callbacks_.on_close);
    delete c;
    if (on_close) on_close(Status::Ok());
  });
}

void TcpConnection::Close(const Status& why) {
  if (closing_) return;
  closing_ = true;
  pending_.clear();
  auto on_close = std::move(callbacks_.on_close);
  callbacks_ = Callbacks{};
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_),
           [](uv_handle_t* h) { delete static_cast<TcpConnection*>(h->data); });
  if (on_close) on_close(why);
}

}  // namespace parley

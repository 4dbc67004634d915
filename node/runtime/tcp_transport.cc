// TcpTransport: gossip listener and frame splitting of incoming streams.
#include "node/runtime/tcp_transport.h"

#include <memory>

#include "node/runtime/net_address.h"

namespace parley {

Status ReadFrames(FrameReader& reader, const Address& from, std::string_view bytes, const FrameCallback& on_frame) {
  reader.Append(bytes);
  while (true) {
    Result<std::optional<std::string>> frame = reader.Next();
    if (!frame.ok()) return frame.status();
    if (!frame->has_value()) return Status::Ok();
    on_frame(from, **frame);
  }
}

Status TcpTransport::Listen(const Address& address, FrameCallback on_frame) {
  Result<sockaddr_storage> addr = ToSockaddr(address);
  if (!addr.ok()) return addr.status();
  if (int rc = listener_.Init(uv_tcp_init, loop_); rc != 0) {
    return Status::IoError(std::string("tcp init: ") + uv_strerror(rc));
  }
  listener_.get()->data = this;
  int rc = uv_tcp_bind(listener_.get(), reinterpret_cast<const sockaddr*>(&*addr), 0);
  if (rc == 0) {
    rc = uv_listen(listener_.stream(), 128, [](uv_stream_t* server, int status) {
      auto* self = static_cast<TcpTransport*>(server->data);
      if (self != nullptr && status == 0) self->Accept();
    });
  }
  if (rc != 0) return Status::IoError("cannot listen on TCP " + FormatAddress(address) + ": " + uv_strerror(rc));
  sockaddr_storage actual{};
  int len = sizeof actual;
  uv_tcp_getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&actual), &len);
  bound_ = FromSockaddr(reinterpret_cast<sockaddr*>(&actual));
  on_frame_ = std::move(on_frame);
  return Status::Ok();
}

void TcpTransport::Accept() {
  // The reader lives in the callbacks, which die with the connection.
  auto reader = std::make_shared<FrameReader>(max_frame_bytes_);
  auto holder = std::make_shared<TcpConnection*>(nullptr);
  TcpConnection::Callbacks callbacks;
  callbacks.on_data = [this, reader, holder](std::string_view bytes) {
    TcpConnection* c = *holder;
    Status s = ReadFrames(*reader, c->peer(), bytes, on_frame_);
    if (!s.ok()) c->Close(s);
  };
  callbacks.on_close = [this, holder](const Status&) { connections_.erase(*holder); };
  TcpConnection* c = TcpConnection::Accept(listener_.stream(), std::move(callbacks));
  if (c == nullptr) return;
  *holder = c;
  connections_.insert(c);
}

void TcpTransport::Close() {
  listener_.Close();
  std::set<TcpConnection*> open = std::move(connections_);
  connections_.clear();
  for (TcpConnection* c : open) {
    c->Detach();
    c->Close();
  }
}

}  // namespace parley

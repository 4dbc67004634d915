// UdpTransport: one libuv UDP socket for gossip datagrams.
#include "node/runtime/udp_transport.h"

#include "node/runtime/net_address.h"

namespace parley {
namespace {

// A send in flight: the request and the bytes it points at.
struct SendRequest {
  uv_udp_send_t req;
  std::string bytes;
};

}  // namespace

Status UdpTransport::Bind(const Address& address, ReceiveCallback on_receive) {
  Result<sockaddr_storage> addr = ToSockaddr(address);
  if (!addr.ok()) return addr.status();
  if (int rc = socket_.Init(uv_udp_init, loop_); rc != 0) {
    return Status::IoError(std::string("udp init: ") + uv_strerror(rc));
  }
  socket_.get()->data = this;
  if (int rc = uv_udp_bind(socket_.get(), reinterpret_cast<const sockaddr*>(&*addr), 0); rc != 0) {
    return Status::IoError("cannot bind UDP " + FormatAddress(address) + ": " + uv_strerror(rc));
  }
  sockaddr_storage actual{};
  int len = sizeof actual;
  uv_udp_getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&actual), &len);
  bound_ = FromSockaddr(reinterpret_cast<sockaddr*>(&actual));
  on_receive_ = std::move(on_receive);
  if (int rc = uv_udp_recv_start(socket_.get(), OnAlloc, OnReceive); rc != 0) {
    return Status::IoError(std::string("udp receive: ") + uv_strerror(rc));
  }
  return Status::Ok();
}

void UdpTransport::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<UdpTransport*>(handle->data);
  *buf = uv_buf_init(self->buffer_.data(), static_cast<unsigned>(self->buffer_.size()));
}

void UdpTransport::OnReceive(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* addr,
                             unsigned flags) {
  auto* self = static_cast<UdpTransport*>(handle->data);
  if (self == nullptr || nread <= 0 || addr == nullptr) return;  // nothing, or an error (ignored)
  if (flags & UV_UDP_PARTIAL) return;                             // truncated: cannot be valid
  self->on_receive_(FromSockaddr(addr), std::string_view(buf->base, static_cast<size_t>(nread)));
}

void UdpTransport::Send(const Address& to, std::string bytes) {
  if (!socket_.initialized()) return;
  Result<sockaddr_storage> addr = ToSockaddr(to);
  if (!addr.ok()) {
    ++send_errors_;
    return;
  }
  auto* request = new SendRequest{{}, std::move(bytes)};
  uv_buf_t buf = uv_buf_init(request->bytes.data(), static_cast<unsigned>(request->bytes.size()));
  request->req.data = request;
  int rc = uv_udp_send(&request->req, socket_.get(), &buf, 1, reinterpret_cast<const sockaddr*>(&*addr),
                       // The callback may run after this transport is gone
                       // (closing cancels sends), so it touches only the request.
                       [](uv_udp_send_t* req, int) { delete static_cast<SendRequest*>(req->data); });
  if (rc != 0) {
    ++send_errors_;
    delete request;
  }
}

}  // namespace parley

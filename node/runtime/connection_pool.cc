// ConnectionPool: lazily connected, per-destination gossip streams.
#include "node/runtime/connection_pool.h"

#include <memory>

#include "node/runtime/net_address.h"
#include "protocol/frame_reader.h"

namespace parley {

Status ConnectionPool::Send(const Address& to, std::string frame) {
  std::string key = FormatAddress(to);
  auto it = connections_.find(key);
  if (it == connections_.end()) {
    auto reader = std::make_shared<FrameReader>(max_frame_bytes_);
    auto holder = std::make_shared<TcpConnection*>(nullptr);
    TcpConnection::Callbacks callbacks;
    callbacks.on_data = [this, reader, holder, to](std::string_view bytes) {
      Status s = ReadFrames(*reader, to, bytes, on_frame_);
      if (!s.ok()) (*holder)->Close(s);
    };
    callbacks.on_close = [this, key, holder](const Status&) {
      auto found = connections_.find(key);
      if (found != connections_.end() && found->second == *holder) connections_.erase(found);
    };
    Result<TcpConnection*> c = TcpConnection::Connect(loop_, to, std::move(callbacks));
    if (!c.ok()) return c.status();
    *holder = *c;
    it = connections_.emplace(key, *c).first;
  }
  TcpConnection* c = it->second;
  if (c->queued_bytes() + frame.size() > kMaxQueuedBytes) {
    c->Close(Status::Unavailable("peer " + key + " is not reading"));
    return Status::Unavailable("dropped frames to " + key + ": its connection was backed up");
  }
  c->Write(std::move(frame));
  return Status::Ok();
}

void ConnectionPool::Close() {
  std::map<std::string, TcpConnection*> open = std::move(connections_);
  connections_.clear();
  for (auto& [key, c] : open) {
    c->Detach();
    c->Close();
  }
}

}  // namespace parley

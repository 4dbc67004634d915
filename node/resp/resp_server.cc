// The libuv side of the RESP front door (see resp_server.h).
#include "node/resp/resp_server.h"

#include <utility>

#include "node/resp/runtime_backend.h"
#include "node/runtime/net_address.h"

namespace parley::resp {
namespace {

// Back-pressure thresholds: a client that pipelines faster than its replies
// can be sent (or its writes acknowledged) stops being read until it drains.
constexpr size_t kMaxQueuedReplyBytes = 32u << 20;
constexpr size_t kMaxPendingReplies = 16 * 1024;

}  // namespace

RespServer::RespServer(std::unique_ptr<RespBackend> backend, RespServerOptions options)
    : backend_(std::move(backend)), options_(std::move(options)) {
  state_.password = options_.password;
  state_.limits = options_.limits;
}

Result<std::unique_ptr<RespServer>> RespServer::Start(uv_loop_t* loop, std::unique_ptr<RespBackend> backend,
                                                      RespServerOptions options) {
  std::unique_ptr<RespServer> server(new RespServer(std::move(backend), std::move(options)));
  Result<sockaddr_storage> addr = ToSockaddr(server->options_.bind);
  if (!addr.ok()) return addr.status().WithContext("resp");
  if (int rc = server->listener_.Init(uv_tcp_init, loop); rc != 0) {
    return Status::IoError(std::string("resp: tcp init: ") + uv_strerror(rc));
  }
  server->listener_.get()->data = server.get();
  if (int rc = server->drain_idle_.Init(uv_idle_init, loop); rc != 0) {
    return Status::IoError(std::string("resp: idle init: ") + uv_strerror(rc));
  }
  server->drain_idle_.get()->data = server.get();
  if (int rc = server->send_check_.Init(uv_check_init, loop); rc != 0) {
    return Status::IoError(std::string("resp: check init: ") + uv_strerror(rc));
  }
  server->send_check_.get()->data = server.get();
  if (int rc = server->send_idle_.Init(uv_idle_init, loop); rc != 0) {
    return Status::IoError(std::string("resp: idle init: ") + uv_strerror(rc));
  }
  std::string where = FormatAddress(server->options_.bind);
  if (int rc = uv_tcp_bind(server->listener_.get(), reinterpret_cast<const sockaddr*>(&*addr), 0); rc != 0) {
    return Status::IoError("resp: bind " + where + ": " + uv_strerror(rc));
  }
  int rc = uv_listen(server->listener_.stream(), 511, [](uv_stream_t* listener, int status) {
    auto* self = static_cast<RespServer*>(listener->data);
    if (self != nullptr && status == 0) self->OnConnection();
  });
  if (rc != 0) return Status::IoError("resp: listen on " + where + ": " + uv_strerror(rc));
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(server->listener_.get(), reinterpret_cast<sockaddr*>(&bound), &len);
  server->address_ = FromSockaddr(reinterpret_cast<sockaddr*>(&bound));
  server->state_.listen_address = FormatAddress(server->address_);
  server->state_.port = server->address_.port;
  return server;
}

RespServer::~RespServer() { Close(); }

void RespServer::Close() {
  if (closed_) return;
  closed_ = true;
  listener_.Close();
  drain_idle_.Close();
  deferred_.clear();
  send_check_.Close();
  send_idle_.Close();
  unsent_.clear();
  // Detach first: a closing connection must not call back into a server
  // that is going away.
  std::map<uint64_t, Client> clients = std::move(clients_);
  clients_.clear();
  for (auto& [id, client] : clients) {
    client.session->Shutdown();
    client.connection->Detach();
    client.connection->Close();
  }
}

void RespServer::OnConnection() {
  uint64_t id = next_client_++;
  TcpConnection::Callbacks callbacks;
  callbacks.on_data = [this, id](std::string_view bytes) {
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    std::shared_ptr<RespSession> session = it->second.session;  // may close while feeding
    session->Feed(bytes);
    UpdateFlow(id);
  };
  callbacks.on_close = [this, id](const Status&) { OnClosed(id); };
  callbacks.on_writes_drained = [this, id] { UpdateFlow(id); };
  TcpConnection* connection = TcpConnection::Accept(listener_.stream(), std::move(callbacks));
  if (connection == nullptr) return;
  if (clients_.size() >= options_.max_clients) {
    ++state_.rejected_connections;
    connection->Detach();
    connection->Write("-ERR max number of clients reached\r\n");
    connection->CloseAfterWrites();
    return;
  }
  sockaddr_storage local{};
  int len = sizeof local;
  std::string local_address;
  if (uv_tcp_getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    local_address = FormatAddress(FromSockaddr(reinterpret_cast<sockaddr*>(&local)));
  }
  SessionIo io;
  io.send = [this, id](std::string_view bytes) { QueueReply(id, bytes); };
  io.close = [connection] { connection->CloseAfterWrites(); };
  io.defer_drain = [this, id] { DeferDrain(id); };
  Client client;
  client.connection = connection;
  client.session = RespSession::Create(backend_.get(), &state_, std::move(io), FormatAddress(connection->peer()),
                                       local_address);
  clients_.emplace(id, std::move(client));
}

void RespServer::OnClosed(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  std::shared_ptr<RespSession> session = std::move(it->second.session);
  clients_.erase(it);
  session->Shutdown();
}

void RespServer::DeferDrain(uint64_t id) {
  if (closed_) return;
  if (deferred_.empty()) {
    uv_idle_start(drain_idle_.get(), [](uv_idle_t* h) {
      uv_idle_stop(h);
      static_cast<RespServer*>(h->data)->DrainDeferred();
    });
  }
  deferred_.push_back(id);
}

void RespServer::DrainDeferred() {
  std::vector<uint64_t> ids;
  ids.swap(deferred_);
  for (uint64_t id : ids) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    std::shared_ptr<RespSession> session = it->second.session;  // may close while draining
    session->DrainDeferred();
  }
}

void RespServer::QueueReply(uint64_t id, std::string_view bytes) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = it->second;
  client.connection->WriteLater(bytes);
  if (!client.unsent) {
    client.unsent = true;
    if (unsent_.empty()) {
      uv_check_start(send_check_.get(), [](uv_check_t* h) { static_cast<RespServer*>(h->data)->SendReplies(); });
      uv_idle_start(send_idle_.get(), [](uv_idle_t*) {});
    }
    unsent_.push_back(id);
  }
  UpdateFlow(id);
}

void RespServer::SendReplies() {
  sending_.swap(unsent_);
  for (uint64_t id : sending_) {
    auto it = clients_.find(id);
    if (it == clients_.end()) continue;
    it->second.unsent = false;
    it->second.connection->SendQueued();
    UpdateFlow(id);
  }
  sending_.clear();
  if (unsent_.empty()) {
    uv_check_stop(send_check_.get());
    uv_idle_stop(send_idle_.get());
  }
}

void RespServer::UpdateFlow(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = it->second;
  if (client.connection->closing() || client.session->closing()) return;
  bool full = client.connection->queued_bytes() > kMaxQueuedReplyBytes ||
              client.session->pending_replies() > kMaxPendingReplies;
  if (full && !client.paused) {
    client.paused = true;
    client.connection->PauseReading();
  } else if (!full && client.paused) {
    client.paused = false;
    client.connection->ResumeReading();
  }
}

Result<Address> AttachRespServer(NodeRuntime* runtime, RespServerOptions options) {
  auto backend = std::make_unique<RuntimeBackend>(runtime, options.durability);
  Result<std::unique_ptr<RespServer>> server = RespServer::Start(runtime->loop(), std::move(backend), options);
  if (!server.ok()) return server.status();
  Address bound = (*server)->address();
  runtime->SetMeta("resp", FormatAddress(bound));
  runtime->SetAddress("resp", bound);
  runtime->AttachFrontDoor(std::move(*server));
  return bound;
}

}  // namespace parley::resp

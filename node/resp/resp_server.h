// RespServer: the RESP (Redis protocol) front door of a node.
//
// A libuv TCP server on the runtime's loop. Each accepted connection gets a
// RespSession (resp_session.h) that parses, runs and answers its commands;
// the server only moves bytes, applies back-pressure (stops reading from a
// client whose replies pile up) and enforces the client limit.
//
// AttachRespServer() is the one call `parley node` needs: it binds, hands
// the server to the runtime as a front door (so stopping the node closes
// it) and records the bound address for status.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/resp/resp_backend.h"
#include "node/resp/resp_session.h"
#include "node/resp/server_state.h"
#include "node/runtime/front_door.h"
#include "node/runtime/node_runtime.h"
#include "node/runtime/tcp_connection.h"
#include "node/runtime/uv_handle.h"

namespace parley::resp {

struct RespServerOptions {
  Address bind{"127.0.0.1", 6379};  // port 0 picks a free port
  std::string password;             // empty: no AUTH
  RespLimits limits;
  Durability durability = Durability::Local();  // of writes made over RESP
  size_t max_clients = 10000;                   // Redis's maxclients default
};

class RespServer : public FrontDoor {
 public:
  // Binds and starts accepting on `loop`. The server owns `backend`.
  static Result<std::unique_ptr<RespServer>> Start(uv_loop_t* loop, std::unique_ptr<RespBackend> backend,
                                                  RespServerOptions options);
  ~RespServer() override;
  RespServer(const RespServer&) = delete;
  RespServer& operator=(const RespServer&) = delete;

  void Close() override;
  const Address& address() const { return address_; }
  size_t client_count() const { return clients_.size(); }

 private:
  struct Client {
    TcpConnection* connection = nullptr;
    std::shared_ptr<RespSession> session;
    bool paused = false;
    bool unsent = false;  // has replies waiting for the end of the loop turn
  };

  RespServer(std::unique_ptr<RespBackend> backend, RespServerOptions options);
  void OnConnection();
  void OnClosed(uint64_t client);
  // Pauses reading while a client's replies pile up, resumes once drained.
  void UpdateFlow(uint64_t client);
  // Sends, once this loop turn's callbacks have run, the replies of clients
  // whose writes were acknowledged meanwhile (see SessionIo::defer_drain).
  void DeferDrain(uint64_t client);
  void DrainDeferred();
  // Replies go out once per loop turn, after every client that had input
  // was served (a check handle), not one client at a time: the benchmark
  // client, woken by the first reply, then finds the others ready instead of
  // being woken again for each (a pipelined SET spent ~17% of its CPU in
  // those wakeups).
  void QueueReply(uint64_t client, std::string_view bytes);
  void SendReplies();

  std::unique_ptr<RespBackend> backend_;  // outlives the sessions below
  RespServerOptions options_;
  ServerState state_;
  UvHandle<uv_tcp_t> listener_;
  Address address_;
  uint64_t next_client_ = 1;
  std::map<uint64_t, Client> clients_;
  UvHandle<uv_idle_t> drain_idle_;  // active while deferred_ is not empty
  std::vector<uint64_t> deferred_;  // clients to drain
  UvHandle<uv_check_t> send_check_;  // active while unsent_ is not empty
  // Also active then: an idle handle keeps the poll from blocking, so a
  // reply queued before the poll (from a timer, or an fsync's completion)
  // still goes out in this turn's check phase.
  UvHandle<uv_idle_t> send_idle_;
  std::vector<uint64_t> unsent_;     // clients with replies to send
  std::vector<uint64_t> sending_;    // unsent_ while SendReplies() walks it
  bool closed_ = false;
};

// Starts a RESP server for `runtime` on its loop, attaches it as a front
// door (closed when the runtime stops), publishes the bound address as meta
// "resp" and status address "resp", and returns it. Call before Start()
// (meta is gossiped from the start).
Result<Address> AttachRespServer(NodeRuntime* runtime, RespServerOptions options);

}  // namespace parley::resp

// HttpServer: HTTP/1.1 on the runtime's loop — keep-alive, pipelining, limits.
//
// Each connection is an HttpSession: bytes go through a RequestParser, and
// requests are answered strictly one after another in arrival order (HTTP/1.1
// pipelining requires responses in request order, and a response may wait
// for a write's acknowledgement). A session stops reading while too many
// parsed requests wait, so a pipelining client cannot make it buffer
// without bound. A request the parser refuses (413, 400) is answered after
// the ones before it, then the connection closes.
//
// Streams (server-sent events) get a comment line every heartbeat interval
// so proxies keep them open and dead clients are noticed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "node/http/http_exchange.h"
#include "node/http/http_request.h"
#include "node/http/router.h"
#include "node/runtime/front_door.h"
#include "node/runtime/logging.h"
#include "node/runtime/tcp_connection.h"
#include "node/runtime/uv_handle.h"
#include "protocol/message.h"

namespace parley {

struct HttpServerOptions {
  HttpLimits limits;
  uint64_t heartbeat_ms = 15000;
  // Open connections beyond this get a 503 and are closed, as the RESP port
  // refuses clients beyond its maxclients: each costs buffers and a file
  // descriptor, and event streams stay open.
  size_t max_connections = 10000;
};

class HttpServer;

// One client connection (internal to the server, named for HttpExchange).
class HttpSession {
 public:
  HttpSession(HttpServer* server, TcpConnection* connection);
  ~HttpSession();
  void OnData(std::string_view bytes);
  void Heartbeat();
  bool streaming() const { return current_ && current_->streaming(); }

 private:
  friend class HttpExchange;
  void Pump();
  void Finish(const HttpResponse& response);  // from HttpExchange::Respond
  bool StartStream(const std::string& content_type);
  bool Stream(std::string bytes);

  HttpServer* server_;
  TcpConnection* connection_;
  RequestParser parser_;
  ExchangePtr current_;
  bool current_keep_alive_ = true;
  bool pumping_ = false;
  bool closing_ = false;
};

class HttpServer : public FrontDoor {
 public:
  HttpServer(uv_loop_t* loop, Router router, Logger logger, HttpServerOptions options = {});
  ~HttpServer() override;

  // Binds `address` (port 0 picks a free port) and starts accepting.
  Status Listen(const Address& address);
  void Close() override;

  Address bound_address() const { return bound_; }
  size_t session_count() const { return sessions_.size(); }

 private:
  friend class HttpSession;
  void Accept();

  uv_loop_t* loop_;
  Router router_;
  Logger logger_;
  HttpServerOptions options_;
  UvHandle<uv_tcp_t> listener_;
  UvHandle<uv_timer_t> heartbeat_;
  Address bound_;
  std::map<TcpConnection*, std::unique_ptr<HttpSession>> sessions_;
};

}  // namespace parley

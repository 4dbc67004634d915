// HttpServer and HttpSession: connections, ordering, streaming, heartbeats.
#include "node/http/http_server.h"

#include "node/runtime/net_address.h"

namespace parley {

// ---- HttpExchange -------------------------------------------------------------------

void HttpExchange::Respond(HttpResponse response) {
  if (responded_ || streaming_) return;
  responded_ = true;
  if (session_ != nullptr) session_->Finish(response);
}

bool HttpExchange::BeginStream(const std::string& content_type) {
  if (responded_ || streaming_ || session_ == nullptr) return false;
  streaming_ = true;
  return session_->StartStream(content_type);
}

bool HttpExchange::SendChunk(std::string bytes) {
  if (!streaming_ || session_ == nullptr) return false;
  return session_->Stream(std::move(bytes));
}

void HttpExchange::Detach() {
  session_ = nullptr;
  auto on_close = std::move(on_close_);
  on_close_ = nullptr;
  if (on_close) on_close();
}

// ---- HttpSession ---------------------------------------------------------------------

HttpSession::HttpSession(HttpServer* server, TcpConnection* connection)
    : server_(server), connection_(connection), parser_(server->options_.limits) {}

HttpSession::~HttpSession() {
  if (current_) current_->Detach();
}

void HttpSession::OnData(std::string_view bytes) {
  if (closing_ || streaming()) return;  // a stream's client has nothing more to say
  parser_.Feed(bytes);
  if (parser_.ready().size() > server_->options_.limits.max_pipelined) connection_->PauseReading();
  Pump();
}

void HttpSession::Pump() {
  if (pumping_) return;
  pumping_ = true;
  while (!current_ && !closing_) {
    if (!parser_.ready().empty()) {
      HttpRequest request = std::move(parser_.ready().front());
      parser_.ready().pop_front();
      if (parser_.ready().size() <= server_->options_.limits.max_pipelined / 2) connection_->ResumeReading();
      current_ = std::make_shared<HttpExchange>(this);
      current_keep_alive_ = request.keep_alive;
      server_->logger_->debug("http {} {}", request.method, request.target);
      server_->router_.Dispatch(request, current_);  // may finish current_ at once
      continue;
    }
    if (parser_.failed()) {
      const HttpParseError& e = parser_.error();
      HttpResponse r = ErrorResponse(e.status, e.status == 413 ? "too_large" : "bad_request", e.message);
      connection_->Write(r.Serialize(false));
      closing_ = true;
      connection_->CloseAfterWrites();
    }
    break;
  }
  pumping_ = false;
}

void HttpSession::Finish(const HttpResponse& response) {
  // A stopping server (listener closed) lets the client go after this answer.
  bool keep_alive = current_keep_alive_ && server_->listener_.initialized();
  connection_->Write(response.Serialize(keep_alive));
  current_.reset();
  if (!keep_alive) {
    closing_ = true;
    connection_->CloseAfterWrites();
    return;
  }
  Pump();
}

bool HttpSession::StartStream(const std::string& content_type) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " + content_type +
                     "\r\nCache-Control: no-cache\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
  connection_->Write(std::move(head));
  connection_->ResumeReading();  // to notice the client hanging up
  return true;
}

bool HttpSession::Stream(std::string bytes) {
  if (closing_) return false;
  // A client that stopped reading must not make us buffer forever.
  if (connection_->queued_bytes() > (8u << 20)) {
    connection_->Close(Status::Unavailable("event stream client is not reading"));
    return false;
  }
  connection_->Write(std::move(bytes));
  return true;
}

void HttpSession::Heartbeat() {
  if (streaming()) Stream(": heartbeat\n\n");
}

// ---- HttpServer ----------------------------------------------------------------------

HttpServer::HttpServer(uv_loop_t* loop, Router router, Logger logger, HttpServerOptions options)
    : loop_(loop), router_(std::move(router)), logger_(std::move(logger)), options_(options) {}

HttpServer::~HttpServer() { Close(); }

Status HttpServer::Listen(const Address& address) {
  Result<sockaddr_storage> addr = ToSockaddr(address);
  if (!addr.ok()) return addr.status().WithContext("--http");
  if (int rc = listener_.Init(uv_tcp_init, loop_); rc != 0) return Status::IoError("tcp init failed");
  listener_.get()->data = this;
  int rc = uv_tcp_bind(listener_.get(), reinterpret_cast<const sockaddr*>(&*addr), 0);
  if (rc == 0) {
    rc = uv_listen(listener_.stream(), 128, [](uv_stream_t* server, int status) {
      auto* self = static_cast<HttpServer*>(server->data);
      if (self != nullptr && status == 0) self->Accept();
    });
  }
  if (rc != 0) return Status::IoError("cannot listen for HTTP on " + FormatAddress(address) + ": " + uv_strerror(rc));
  sockaddr_storage actual{};
  int len = sizeof actual;
  uv_tcp_getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&actual), &len);
  bound_ = FromSockaddr(reinterpret_cast<sockaddr*>(&actual));

  if (heartbeat_.Init(uv_timer_init, loop_) == 0) {
    heartbeat_.get()->data = this;
    uv_timer_start(
        heartbeat_.get(),
        [](uv_timer_t* h) {
          auto* self = static_cast<HttpServer*>(h->data);
          if (self == nullptr) return;
          for (auto& [c, session] : self->sessions_) session->Heartbeat();
        },
        options_.heartbeat_ms, options_.heartbeat_ms);
  }
  return Status::Ok();
}

void HttpServer::Accept() {
  auto holder = std::make_shared<TcpConnection*>(nullptr);
  TcpConnection::Callbacks callbacks;
  callbacks.on_data = [this, holder](std::string_view bytes) {
    auto it = sessions_.find(*holder);
    if (it != sessions_.end()) it->second->OnData(bytes);
  };
  callbacks.on_close = [this, holder](const Status&) {
    auto it = sessions_.find(*holder);
    if (it == sessions_.end()) return;
    std::unique_ptr<HttpSession> session = std::move(it->second);
    sessions_.erase(it);
    session.reset();  // detaches its exchange, which may unwatch
  };
  TcpConnection* c = TcpConnection::Accept(listener_.stream(), std::move(callbacks));
  if (c == nullptr) return;
  if (sessions_.size() >= options_.max_connections) {
    c->Detach();
    c->Write(ErrorResponse(503, "too_many_connections",
                           "this node serves at most " + std::to_string(options_.max_connections) +
                               " HTTP connections at once")
                 .Serialize(/*keep_alive=*/false));
    c->CloseAfterWrites();
    return;
  }
  *holder = c;
  sessions_[c] = std::make_unique<HttpSession>(this, c);
}

void HttpServer::Close() {
  listener_.Close();
  heartbeat_.Close();
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& [c, session] : sessions) {
    c->Detach();
    c->Close();
    session.reset();
  }
}

}  // namespace parley

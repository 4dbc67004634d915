// HttpExchange: the reply side of one request, usable after the handler returns.
//
// Writes are acknowledged asynchronously (the response waits for WriteDone),
// and the client may hang up meanwhile, so a handler holds its exchange by
// shared_ptr and the server detaches it when the connection closes; replying
// to a detached exchange does nothing. An exchange can also become a stream
// (server-sent events), which then owns the connection until it closes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "node/http/http_request.h"
#include "node/http/http_response.h"

namespace parley {

class HttpSession;

class HttpExchange {
 public:
  explicit HttpExchange(HttpSession* session) : session_(session) {}
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  // Sends the response (once; later calls are ignored).
  void Respond(HttpResponse response);

  // Turns the reply into an endless stream: sends 200 with `content_type`
  // and no length; the connection closes when the stream ends.
  bool BeginStream(const std::string& content_type);
  // Appends bytes to the stream; false if the client is gone.
  bool SendChunk(std::string bytes);
  // Called once when the connection closes (client hung up or server stopped).
  void OnClose(std::function<void()> on_close) { on_close_ = std::move(on_close); }

  bool open() const { return session_ != nullptr; }
  bool streaming() const { return streaming_; }

 private:
  friend class HttpSession;
  void Detach();

  HttpSession* session_;
  bool responded_ = false;
  bool streaming_ = false;
  std::function<void()> on_close_;
};

using ExchangePtr = std::shared_ptr<HttpExchange>;

}  // namespace parley

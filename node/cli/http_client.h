// HttpClient: the CLI's connection to one parley node's HTTP API (libcurl).
//
// One client talks to one "host:port" and reuses its connection across
// calls, so a command that makes several requests (fleet status, a test
// writing thousands of keys) does not pay a TCP handshake per request.
// Transport failures come back as Status::Unavailable naming the address;
// HTTP error statuses are returned as ordinary responses for the caller
// (NodeApi) to interpret.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley::cli {

struct HttpResponse {
  long status = 0;  // HTTP status code, e.g. 200
  std::string body;
};

class HttpClient {
 public:
  // `address` is "host:port". `timeout` bounds a whole request; streams
  // (Stream) have no overall timeout.
  explicit HttpClient(std::string address,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const std::string& address() const { return address_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  // Sends `method target` (target = path plus query) with an optional JSON
  // body and waits for the whole response.
  Result<HttpResponse> Send(std::string_view method, std::string_view target,
                            std::string_view body = {});

  // GETs `target` and hands each chunk of the response body to `on_chunk`
  // as it arrives. Returns OK when the server closes the stream, `on_chunk`
  // returns false, or `should_stop` (polled a few times a second) returns
  // true. A non-2xx status is an error carrying the body.
  Status Stream(std::string_view target, const std::function<bool(std::string_view)>& on_chunk,
                const std::function<bool()>& should_stop);

 private:
  std::string address_;
  std::chrono::milliseconds timeout_;
  void* curl_;  // CURL*, owned; kept as void* so callers need not include curl.h
};

}  // namespace parley::cli

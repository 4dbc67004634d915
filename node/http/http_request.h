// HttpRequest and RequestParser: HTTP/1.1 requests out of a byte stream.
//
// RequestParser wraps Node's http-parser (the C library): feed it whatever
// the socket delivered — half a request, or several pipelined ones — and it
// yields complete requests in order. Limits are enforced while parsing, so a
// client cannot make the server buffer more than the limits allow (I4):
// headers over max_header_bytes or a body over max_body_bytes fail with 413
// before the bytes are kept.
#pragma once

#include <http_parser.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley {

struct HttpRequest {
  std::string method;  // "GET", ...
  std::string target;  // as sent: "/v1/keys/a%20b?x=1"
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // after '?', still encoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + headers
  size_t max_body_bytes = 1 << 20;
  size_t max_pipelined = 64;  // parsed but unanswered requests per connection
};

// A request the parser refused: answer with `status` and close.
struct HttpParseError {
  int status = 400;  // 400 or 413
  std::string message;
};

class RequestParser {
 public:
  explicit RequestParser(HttpLimits limits);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses `bytes`; complete requests queue up in ready(). Returns false once
  // the stream is invalid (see error()); nothing more is parsed after that.
  bool Feed(std::string_view bytes);

  std::deque<HttpRequest>& ready() { return ready_; }
  bool failed() const { return failed_; }
  const HttpParseError& error() const { return error_; }

 private:
  static int OnMessageBegin(http_parser* p);
  static int OnUrl(http_parser* p, const char* at, size_t n);
  static int OnHeaderField(http_parser* p, const char* at, size_t n);
  static int OnHeaderValue(http_parser* p, const char* at, size_t n);
  static int OnHeadersComplete(http_parser* p);
  static int OnBody(http_parser* p, const char* at, size_t n);
  static int OnMessageComplete(http_parser* p);
  int Fail(int status, std::string message);
  bool AddHeaderBytes(size_t n);
  void StoreHeader();

  HttpLimits limits_;
  http_parser parser_;
  http_parser_settings settings_;
  HttpRequest current_;
  std::string field_, value_;
  bool in_value_ = false;
  size_t header_bytes_ = 0;
  std::deque<HttpRequest> ready_;
  bool failed_ = false;
  HttpParseError error_;
};

}  // namespace parley

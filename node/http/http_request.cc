// RequestParser: http-parser callbacks assembling HttpRequests under limits.
#include "node/http/http_request.h"

#include <algorithm>
#include <cctype>
#include <climits>

namespace parley {
namespace {

RequestParser* Self(http_parser* p) { return static_cast<RequestParser*>(p->data); }

}  // namespace

RequestParser::RequestParser(HttpLimits limits) : limits_(limits) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  http_parser_settings_init(&settings_);
  settings_.on_message_begin = OnMessageBegin;
  settings_.on_url = OnUrl;
  settings_.on_header_field = OnHeaderField;
  settings_.on_header_value = OnHeaderValue;
  settings_.on_headers_complete = OnHeadersComplete;
  settings_.on_body = OnBody;
  settings_.on_message_complete = OnMessageComplete;
}

bool RequestParser::Feed(std::string_view bytes) {
  if (failed_) return false;
  size_t parsed = http_parser_execute(&parser_, &settings_, bytes.data(), bytes.size());
  if (failed_) return false;
  if (parser_.upgrade) {
    Fail(400, "protocol upgrades are not supported");
    return false;
  }
  if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK || parsed != bytes.size()) {
    Fail(400, std::string("malformed HTTP request: ") + http_errno_description(HTTP_PARSER_ERRNO(&parser_)));
    return false;
  }
  return true;
}

int RequestParser::Fail(int status, std::string message) {
  if (!failed_) {
    failed_ = true;
    error_ = HttpParseError{status, std::move(message)};
  }
  return -1;  // stops http-parser
}

bool RequestParser::AddHeaderBytes(size_t n) {
  header_bytes_ += n;
  return header_bytes_ <= limits_.max_header_bytes;
}

int RequestParser::OnMessageBegin(http_parser* p) {
  RequestParser* self = Self(p);
  self->current_ = HttpRequest{};
  self->field_.clear();
  self->value_.clear();
  self->in_value_ = false;
  self->header_bytes_ = 0;
  return 0;
}

int RequestParser::OnUrl(http_parser* p, const char* at, size_t n) {
  RequestParser* self = Self(p);
  if (!self->AddHeaderBytes(n)) return self->Fail(413, "request line and headers exceed the limit");
  self->current_.target.append(at, n);
  return 0;
}

void RequestParser::StoreHeader() {
  if (field_.empty()) return;
  std::transform(field_.begin(), field_.end(), field_.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string& slot = current_.headers[field_];
  slot = slot.empty() ? value_ : slot + ", " + value_;
  field_.clear();
  value_.clear();
}

int RequestParser::OnHeaderField(http_parser* p, const char* at, size_t n) {
  RequestParser* self = Self(p);
  if (!self->AddHeaderBytes(n)) return self->Fail(413, "request headers exceed the limit");
  if (self->in_value_) {
    self->StoreHeader();
    self->in_value_ = false;
  }
  self->field_.append(at, n);
  return 0;
}

int RequestParser::OnHeaderValue(http_parser* p, const char* at, size_t n) {
  RequestParser* self = Self(p);
  if (!self->AddHeaderBytes(n)) return self->Fail(413, "request headers exceed the limit");
  self->in_value_ = true;
  self->value_.append(at, n);
  return 0;
}

int RequestParser::OnHeadersComplete(http_parser* p) {
  RequestParser* self = Self(p);
  self->StoreHeader();
  HttpRequest& r = self->current_;
  r.method = http_method_str(static_cast<http_method>(p->method));
  size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  r.query = q == std::string::npos ? std::string() : r.target.substr(q + 1);
  // ULLONG_MAX means "no Content-Length" (chunked or none).
  if (p->content_length != ULLONG_MAX && p->content_length > self->limits_.max_body_bytes) {
    return self->Fail(413, "request body of " + std::to_string(p->content_length) + " bytes exceeds the limit of " +
                               std::to_string(self->limits_.max_body_bytes));
  }
  return 0;
}

int RequestParser::OnBody(http_parser* p, const char* at, size_t n) {
  RequestParser* self = Self(p);
  if (self->current_.body.size() + n > self->limits_.max_body_bytes) {
    return self->Fail(413, "request body exceeds the limit of " + std::to_string(self->limits_.max_body_bytes) +
                               " bytes");
  }
  self->current_.body.append(at, n);
  return 0;
}

int RequestParser::OnMessageComplete(http_parser* p) {
  RequestParser* self = Self(p);
  self->current_.keep_alive = http_should_keep_alive(p) != 0;
  self->ready_.push_back(std::move(self->current_));
  self->current_ = HttpRequest{};
  return 0;
}

}  // namespace parley

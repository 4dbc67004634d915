// HttpResponse serialisation and the API's error responses.
#include "node/http/http_response.h"

namespace parley {

const char* StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string HttpResponse::Serialize(bool keep_alive) const {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + StatusText(status) + "\r\n";
  out += "Content-Type: " + content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body) + "\n";
  return r;
}

HttpResponse OkResponse() { return JsonResponse(200, {{"ok", true}}); }

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse ErrorResponse(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument: return ErrorResponse(400, "bad_request", status.message());
    case Status::Code::kNotFound: return ErrorResponse(404, "not_found", status.message());
    case Status::Code::kWrongType: return ErrorResponse(409, "wrong_type", status.message());
    case Status::Code::kUnavailable: return ErrorResponse(503, "unavailable", status.message());
    case Status::Code::kTimedOut: return ErrorResponse(504, "quorum_timeout", status.message());
    default: return ErrorResponse(500, "internal", status.ToString());
  }
}

}  // namespace parley

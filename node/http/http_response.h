// HttpResponse: what a handler answers, and the JSON error shape.
//
// Every error the API returns looks the same:
//   {"error": {"code": "wrong_type", "message": "..."}}
// with the HTTP status matching the code (see HTTP_API.md), so clients can
// switch on `code` and show `message` to a person.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace parley {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones

  // The bytes on the wire, with Content-Length and Connection headers.
  std::string Serialize(bool keep_alive) const;
};

// JSON text that never throws: invalid UTF-8 (keys may hold any bytes) is
// replaced by U+FFFD instead of failing the whole response.
std::string DumpJson(const nlohmann::json& value);

HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse OkResponse();  // 200 {"ok":true}
HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message);
// Maps a Status from the node to status + code: InvalidArgument 400
// bad_request, NotFound 404, WrongType 409, Unavailable 503, TimedOut 504
// quorum_timeout, anything else 500 internal.
HttpResponse ErrorResponse(const Status& status);

const char* StatusText(int status);

}  // namespace parley

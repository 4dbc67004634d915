// Server-sent event framing.
#include "node/http/sse.h"

#include "node/http/http_response.h"

namespace parley {

std::string SseEvent(std::string_view event, const nlohmann::json& data) {
  return "event: " + std::string(event) + "\ndata: " + DumpJson(data) + "\n\n";
}

std::string SseComment(std::string_view text) { return ": " + std::string(text) + "\n\n"; }

}  // namespace parley

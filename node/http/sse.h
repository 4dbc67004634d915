// Server-sent events: the text framing of GET /v1/watch.
//
// Each change is one event:
//   event: change
//   data: {"key":"k","type":"register","value":"v"}
// followed by a blank line; JSON has no raw newlines, so one data line is
// always enough. Lines starting with ':' are comments (heartbeats).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace parley {

std::string SseEvent(std::string_view event, const nlohmann::json& data);
std::string SseComment(std::string_view text);

}  // namespace parley

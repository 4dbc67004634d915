// SseParser: incremental text/event-stream parsing for `parley watch`.
#include "node/cli/sse_parser.h"

namespace parley::cli {

std::vector<SseEvent> SseParser::Feed(std::string_view chunk) {
  std::vector<SseEvent> done;
  for (char c : chunk) {
    if (c != '\n') {
      pending_line_.push_back(c);
      continue;
    }
    std::string_view line = pending_line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    HandleLine(line, &done);
    pending_line_.clear();
  }
  return done;
}

void SseParser::HandleLine(std::string_view line, std::vector<SseEvent>* done) {
  if (line.empty()) {  // a blank line ends the event
    if (has_data_) done->push_back(std::move(current_));
    current_ = SseEvent();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment / keep-alive
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    current_.type = value;
  } else if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  }
  // "id" and "retry" do not matter to a CLI that does not reconnect.
}

}  // namespace parley::cli

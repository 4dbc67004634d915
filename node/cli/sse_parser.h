// SseParser: splits a server-sent-events byte stream into events.
//
// `parley watch` receives /v1/watch as arbitrary TCP chunks; an event may be
// cut anywhere, so the parser buffers until a blank line ends the event.
// Follows the text/event-stream rules the CLI needs: "event:" and "data:"
// fields (several data lines joined with "\n"), ":" comment lines (keep-
// alives) ignored, "\n" or "\r\n" line ends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::cli {

struct SseEvent {
  std::string type = "message";  // the "event:" field; "message" if absent
  std::string data;
};

class SseParser {
 public:
  // Consumes `chunk` and returns every event it completed.
  std::vector<SseEvent> Feed(std::string_view chunk);

 private:
  void HandleLine(std::string_view line, std::vector<SseEvent>* done);

  std::string pending_line_;  // bytes after the last line end
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace parley::cli

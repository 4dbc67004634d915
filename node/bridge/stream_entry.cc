// Stream entries: building XADD commands and parsing XREAD/XRANGE replies.
#include "node/bridge/stream_entry.h"

#include <charconv>

namespace parley {
namespace {

bool ParseNumber(const std::string& text, size_t begin, size_t end, uint64_t* out) {
  if (begin >= end) return false;
  auto [ptr, ec] = std::from_chars(text.data() + begin, text.data() + end, *out);
  return ec == std::errc() && ptr == text.data() + end;
}

Status Malformed(const std::string& what) { return Status::Corruption("malformed stream reply: " + what); }

}  // namespace

Result<StreamId> ParseStreamId(const std::string& text) {
  StreamId id;
  size_t dash = text.find('-');
  size_t ms_end = dash == std::string::npos ? text.size() : dash;
  if (!ParseNumber(text, 0, ms_end, &id.ms)) return Status::InvalidArgument("bad stream id '" + text + "'");
  if (dash != std::string::npos && !ParseNumber(text, dash + 1, text.size(), &id.seq)) {
    return Status::InvalidArgument("bad stream id '" + text + "'");
  }
  return id;
}

std::vector<std::string> XaddFrame(const std::string& stream, uint64_t maxlen, const std::string& node,
                                   std::string frame) {
  return {"XADD", stream, "MAXLEN", "~", std::to_string(maxlen), "*", "node", node, "frame", std::move(frame)};
}

std::vector<std::string> XaddSyncRequest(const std::string& stream, uint64_t maxlen, const std::string& node) {
  return {"XADD", stream, "MAXLEN", "~", std::to_string(maxlen), "*", "node", node, "sync", "1"};
}

Result<std::vector<StreamEntry>> ParseEntries(const RedisReply& reply) {
  std::vector<StreamEntry> entries;
  if (reply.is_nil()) return entries;
  if (!reply.is_array()) return Malformed("entries are not an array");
  for (const RedisReply& item : reply.elements) {
    if (!item.is_array() || item.elements.size() != 2 || !item.elements[0].is_string()) {
      return Malformed("an entry is not [id, fields]");
    }
    StreamEntry entry;
    entry.id = item.elements[0].text;
    const RedisReply& fields = item.elements[1];
    if (!fields.is_array() || fields.elements.size() % 2 != 0) return Malformed("fields of " + entry.id);
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      const std::string& name = fields.elements[i].text;
      const std::string& value = fields.elements[i + 1].text;
      if (name == "node") {
        entry.node = value;
      } else if (name == "frame") {
        entry.frame = value;
      } else if (name == "sync") {
        entry.sync_request = true;
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<StreamEntry>> ParseXread(const RedisReply& reply) {
  if (reply.is_nil()) return std::vector<StreamEntry>{};
  // [[stream, [entries...]]]
  if (!reply.is_array() || reply.elements.size() != 1 || !reply.elements[0].is_array() ||
      reply.elements[0].elements.size() != 2) {
    return Malformed("XREAD reply is not [[stream, entries]]");
  }
  return ParseEntries(reply.elements[0].elements[1]);
}

}  // namespace parley

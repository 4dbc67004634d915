// KeyMapping: prefix arithmetic and glob escaping for mirrored keys.
#include "node/bridge/key_mapping.h"

namespace parley {
namespace {

std::string EscapeGlob(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::optional<std::string> KeyMapping::ToParley(std::string_view redis_key) const {
  if (redis_key == stream_key_) return std::nullopt;
  if (redis_key.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  return std::string(redis_key.substr(prefix_.size()));
}

std::string KeyMapping::ScanPattern() const { return EscapeGlob(prefix_) + "*"; }

std::string KeyMapping::KeyspacePattern() const {
  return "__keyspace@" + std::to_string(database_) + "__:" + ScanPattern();
}

std::optional<std::string> KeyMapping::KeyOfChannel(std::string_view channel) const {
  std::string head = "__keyspace@" + std::to_string(database_) + "__:";
  if (channel.substr(0, head.size()) != head) return std::nullopt;
  return std::string(channel.substr(head.size()));
}

}  // namespace parley

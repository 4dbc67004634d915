// Mapping map changes to keyspace notification channels (see keyspace_channels.h).
#include "node/resp/keyspace_channels.h"

#include "node/resp/glob.h"

namespace parley::resp {

std::optional<std::string> KeyPrefixForChannel(std::string_view channel) {
  if (channel.starts_with(kKeyspacePrefix)) return std::string(channel.substr(kKeyspacePrefix.size()));
  if (channel.starts_with(kKeyeventPrefix)) return std::string();
  return std::nullopt;
}

std::optional<std::string> KeyPrefixForPattern(std::string_view pattern) {
  std::string_view literal = GlobLiteralPrefix(pattern);
  if (literal.starts_with(kKeyspacePrefix)) return std::string(literal.substr(kKeyspacePrefix.size()));
  if (literal.starts_with(kKeyeventPrefix)) return std::string();
  // A pattern like "__key*" may match channels of both kinds.
  if (kKeyspacePrefix.starts_with(literal) || kKeyeventPrefix.starts_with(literal)) return std::string();
  return std::nullopt;
}

std::string KeyEventName(const CrdtMap& map, std::string_view key) {
  return map.TypeOf(key) == ValueType::kNone ? "del" : "changed";
}

KeyspaceMessage KeyspaceChannelMessage(std::string_view key, std::string_view event) {
  std::string channel(kKeyspacePrefix);
  channel.append(key);
  return {std::move(channel), std::string(event)};
}

KeyspaceMessage KeyeventChannelMessage(std::string_view key, std::string_view event) {
  std::string channel(kKeyeventPrefix);
  channel.append(event);
  return {std::move(channel), std::string(key)};
}

}  // namespace parley::resp

// Keyspace channels: how map changes become Redis-style pub/sub messages.
//
// parley publishes what Redis publishes with keyspace notifications on
// ("notify-keyspace-events KA" and "E"), for database 0:
//   channel "__keyspace@0__:<key>"   message "<event>"
//   channel "__keyevent@0__:<event>" message "<key>"
// A watch reports only that a key's visible value changed, locally or on
// another node, not which command did it, so the event is "del" when the
// key no longer exists and "changed" otherwise. Several changes of one key
// in quick succession may be reported once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/crdt_map.h"

namespace parley::resp {

inline constexpr std::string_view kKeyspacePrefix = "__keyspace@0__:";
inline constexpr std::string_view kKeyeventPrefix = "__keyevent@0__:";

struct KeyspaceMessage {
  std::string channel;
  std::string payload;
};

// The key prefix to watch for a channel or pattern, or nullopt if nothing
// parley publishes can match it.
std::optional<std::string> KeyPrefixForChannel(std::string_view channel);
std::optional<std::string> KeyPrefixForPattern(std::string_view pattern);

std::string KeyEventName(const CrdtMap& map, std::string_view key);
KeyspaceMessage KeyspaceChannelMessage(std::string_view key, std::string_view event);
KeyspaceMessage KeyeventChannelMessage(std::string_view key, std::string_view event);

}  // namespace parley::resp

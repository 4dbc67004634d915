// KeyValue: one key's value as Redis sees it, from either side of the bridge.
//
// The mirror turns a parley value into this (register and counter become a
// string, sets and hashes stay sets and hashes), the ingest reads Redis into
// it, and comparing the two — or their fingerprints — is how the bridge
// tells a legacy write from the echo of its own mirror write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/bridge/redis_reply.h"
#include "storage/crdt_map.h"
#include "storage/status.h"

namespace parley {

struct KeyValue {
  enum class Type : uint8_t { kAbsent, kString, kSet, kHash };
  Type type = Type::kAbsent;
  std::string string;
  std::vector<std::string> members;                         // sorted
  std::vector<std::pair<std::string, std::string>> fields;  // sorted by field

  bool operator==(const KeyValue&) const = default;
  // A 64-bit hash of the value (what the mirror remembers per key).
  uint64_t Fingerprint() const;
};

// Parley's visible value of `key`, as the mirror writes it.
KeyValue ReadParleyValue(const CrdtMap& map, std::string_view key);

// A Lua script returning {type} or {type, value} for KEYS[1], read
// atomically, so a value is never paired with another moment's type.
extern const char* const kReadKeyScript;
// Parses the reply of kReadKeyScript. Types parley cannot hold (list, zset,
// stream) are refused with Unsupported.
Result<KeyValue> ParseReadKeyReply(const RedisReply& reply);

// The commands that make `redis_key` hold `value`: SET for a string, DEL for
// absent, MULTI/DEL/SADD|HSET/EXEC for a set or hash, so no reader sees a
// half-written key.
std::vector<std::vector<std::string>> WriteCommands(const std::string& redis_key, const KeyValue& value);

}  // namespace parley

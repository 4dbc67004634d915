// KeyMapping: which Redis keys stand for which parley keys.
//
// A parley key `k` is mirrored as `prefix + k`. The relay stream lives in the
// same keyspace (with the default empty prefix, next to the app's keys), so
// it is excluded from mirroring and ingest by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley {

class KeyMapping {
 public:
  KeyMapping(std::string prefix, std::string stream_key, int database = 0)
      : prefix_(std::move(prefix)), stream_key_(std::move(stream_key)), database_(database) {}

  std::string ToRedis(std::string_view parley_key) const { return prefix_ + std::string(parley_key); }
  // The parley key a Redis key mirrors; nullopt for keys outside the mirror.
  std::optional<std::string> ToParley(std::string_view redis_key) const;

  // SCAN MATCH pattern for every mirrored key (the prefix, glob-escaped, then *).
  std::string ScanPattern() const;
  // PSUBSCRIBE pattern for keyspace notifications of every mirrored key.
  std::string KeyspacePattern() const;
  // The Redis key named by a keyspace channel ("__keyspace@0__:k" -> "k").
  std::optional<std::string> KeyOfChannel(std::string_view channel) const;

  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  std::string stream_key_;
  int database_;
};

}  // namespace parley

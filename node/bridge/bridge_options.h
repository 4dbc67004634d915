// BridgeOptions: how the optional Redis bridge is configured (all off by
// default), and the text setter that `parley node` flags and a TOML [redis]
// section share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley {

struct BridgeOptions {
  std::string host;  // empty: no bridge
  uint16_t port = 6379;
  bool relay = false;   // deltas through a Redis stream
  bool mirror = false;  // the map as ordinary Redis keys
  bool ingest = false;  // legacy writes to those keys become CRDT writes
  // Mirrored keys are prefix + parley key. The default "" keeps the names the
  // Redis-era app used (`GET treasureMap`).
  std::string prefix;
  std::string stream = "parley:relay";  // never mirrored or ingested
  uint64_t stream_maxlen = 100000;      // XADD MAXLEN ~
  int database = 0;                     // for keyspace channels (hiredis talks to db 0)
  // Relay frames waiting for Redis; past either bound the oldest are
  // dropped (anti-entropy through the relay covers them).
  size_t max_queued_frames = 10000;
  size_t max_queued_bytes = 64u << 20;
  uint64_t backoff_min_ms = 100;
  uint64_t backoff_max_ms = 5000;
  // A connection with a command unanswered this long is dropped and
  // reconnected (hiredis 0.14 has no command timeout of its own).
  uint64_t reply_timeout_ms = 15000;
  uint64_t read_block_ms = 1000;  // XREAD BLOCK

  bool enabled() const { return !host.empty() && (relay || mirror || ingest); }
};

// Option names as `parley node` flags without dashes: "redis" (host:port),
// "redis-relay", "redis-mirror", "redis-ingest" (flags: value "" or
// true/false), "redis-prefix", "redis-stream", "redis-stream-maxlen",
// "redis-queue-frames". Errors name the option.
Status SetBridgeOption(BridgeOptions* options, std::string_view option, std::string_view value);

// `--redis` given without a mode means relay + mirror; a mode without
// `--redis` is an error.
Status FinishBridgeOptions(BridgeOptions* options);

}  // namespace parley

// Shared setup of the bridge integration tests: bridge options pointing at
// the test's redis-server, with quick reconnection.
#pragma once

#include <string>

#include "node/bridge/bridge_options.h"
#include "tests/bridge/redis_server.h"

namespace parley::testing {

inline BridgeOptions TestBridgeOptions(const RedisServer& redis, bool relay, bool mirror, bool ingest) {
  BridgeOptions o;
  o.host = "127.0.0.1";
  o.port = redis.port();
  o.relay = relay;
  o.mirror = mirror;
  o.ingest = ingest;
  o.backoff_min_ms = 20;
  o.backoff_max_ms = 200;
  o.read_block_ms = 100;
  return o;
}

}  // namespace parley::testing

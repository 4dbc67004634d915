// Ingest: writes made straight to Redis by legacy apps become CRDT writes.
//
// Redis keyspace notifications (enabled with CONFIG SET on connect, or a
// clear error in the log if the server refuses) tell which mirrored key
// changed; the ingest then reads the key's type and value atomically (a Lua
// script on the command connection) and writes into parley the difference
// between that and parley's value (ingest_diff.h).
//
// No echo: the read runs behind every mirror write sent before it on the
// same connection, so when it shows exactly what the mirror last wrote
// (the ledger, mirror.h) the change was the mirror's own and is ignored.
// When it shows something else, the ledger learns that value before the
// CRDT write, so the mirror does not write it back either. One external
// write therefore makes at most one CRDT write, and a parley write none.
#pragma once

#include <memory>
#include <set>
#include <spdlog/spdlog.h>
#include <string>

#include "node/bridge/bridge_host.h"
#include "node/bridge/bridge_options.h"
#include "node/bridge/bridge_stats.h"
#include "node/bridge/key_mapping.h"
#include "node/bridge/key_value.h"
#include "node/bridge/mirror.h"
#include "node/bridge/redis_connection.h"

namespace parley {

class Ingest {
 public:
  Ingest(BridgeHost* host, RedisConnection* commands, RedisConnection* subscriber, Mirror* mirror,
         const KeyMapping& keys, BridgeStats* stats, std::shared_ptr<spdlog::logger> logger);

  // Enables notifications and subscribes; then asks the mirror to resync,
  // which ingests what legacy apps wrote while nobody was listening.
  void OnSubscriberReady();
  void OnCommandsLost() { ++generation_; checking_.clear(); recheck_.clear(); }

  // Makes parley hold `redis` for `parley_key` (with the fewest writes).
  void Absorb(const std::string& parley_key, const KeyValue& redis);

 private:
  void EnableNotifications();
  void OnNotification(const RedisReply& message);
  void Check(const std::string& parley_key);

  BridgeHost* host_;
  RedisConnection* commands_;
  RedisConnection* subscriber_;
  Mirror* mirror_;
  const KeyMapping& keys_;
  BridgeStats* stats_;
  std::shared_ptr<spdlog::logger> logger_;
  uint64_t generation_ = 0;
  // One read per key at a time; notifications meanwhile ask for one more.
  std::set<std::string> checking_;
  std::set<std::string> recheck_;
};

}  // namespace parley

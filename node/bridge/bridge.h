// Bridge: the optional Redis bridge of one node — relay, mirror and ingest
// over three hiredis connections on the node's libuv loop.
//
//   commands    XADD (relay out), mirror writes, ingest reads, resync
//   reader      XREAD BLOCK on the relay stream (blocking needs its own)
//   subscriber  keyspace notifications (subscribed connections take no
//               other commands)
//
// Each connection reconnects on its own with backoff; the node keeps
// serving meanwhile. Everything runs on the loop thread, and nothing here
// touches the core except through BridgeHost.
#pragma once

#include <uv.h>

#include <memory>
#include <spdlog/spdlog.h>
#include <string>

#include "node/bridge/bridge_host.h"
#include "node/bridge/bridge_options.h"
#include "node/bridge/bridge_stats.h"
#include "node/bridge/ingest.h"
#include "node/bridge/key_mapping.h"
#include "node/bridge/mirror.h"
#include "node/bridge/redis_connection.h"
#include "node/bridge/relay.h"

namespace parley {

class Bridge {
 public:
  // `host` must outlive the bridge. `logger` null: spdlog's default logger.
  static Result<std::unique_ptr<Bridge>> Create(uv_loop_t* loop, BridgeHost* host, BridgeOptions options,
                                                std::shared_ptr<spdlog::logger> logger);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // Connects (and keeps reconnecting) and starts watching the map.
  void Start();
  // Frees every connection; no callback runs afterwards. Idempotent.
  void Close();

  // A packet the core addressed to kRelayAddress (a frame with its length
  // prefix). Dropped unless the relay is on.
  void PublishRelayFrame(std::string frame);

  const BridgeOptions& options() const { return options_; }
  const BridgeStats& stats();
  const Relay* relay() const { return relay_.get(); }
  Mirror* mirror() { return mirror_.get(); }
  // Connections, for tests that cut them.
  RedisConnection* commands() { return commands_.get(); }
  RedisConnection* reader() { return reader_.get(); }
  RedisConnection* subscriber() { return subscriber_.get(); }

 private:
  Bridge(uv_loop_t* loop, BridgeHost* host, BridgeOptions options, std::shared_ptr<spdlog::logger> logger);
  std::unique_ptr<RedisConnection> MakeConnection(const std::string& role);

  uv_loop_t* loop_;
  BridgeHost* host_;
  BridgeOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  KeyMapping keys_;
  BridgeStats stats_;

  std::unique_ptr<RedisConnection> commands_;
  std::unique_ptr<RedisConnection> reader_;      // relay only
  std::unique_ptr<RedisConnection> subscriber_;  // ingest only
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<Mirror> mirror_;  // mirror or ingest (it keeps the ledger)
  std::unique_ptr<Ingest> ingest_;
  bool closed_ = false;
};

}  // namespace parley

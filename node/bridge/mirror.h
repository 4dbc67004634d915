// Mirror: the converged map as ordinary Redis keys, for apps that read Redis.
//
// Every key change the core reports (a watch on "") rewrites that key in
// Redis with a type-appropriate, atomic replacement (key_value.h). While
// Redis is away nothing queues: after every (re)connection a resync pass
// compares each Redis key under the prefix with parley and repairs the
// difference, which covers whatever happened meanwhile.
//
// The mirror keeps a ledger: per key, the fingerprint of the value it last
// wrote and whether Redis confirmed it. The ledger is how the bridge tells
// its own writes from a legacy app's (ingest.h): a Redis value that is not
// what the mirror wrote came from someone else. In a resync, a key whose
// Redis value differs from a confirmed ledger entry was written by a legacy
// app while the bridge was away, and is ingested (with ingest on) instead
// of overwritten; a key Redis holds that parley never had is ingested too;
// otherwise parley wins. Redis losing its data (a restart) therefore never
// deletes anything in parley.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <spdlog/spdlog.h>
#include <string>

#include "node/bridge/bridge_host.h"
#include "node/bridge/bridge_stats.h"
#include "node/bridge/key_mapping.h"
#include "node/bridge/key_value.h"
#include "node/bridge/redis_connection.h"

namespace parley {

class Ingest;

class Mirror {
 public:
  // With `write_to_redis` false (ingest only) the mirror keeps its ledger
  // and resyncs into parley, but never writes Redis.
  Mirror(BridgeHost* host, RedisConnection* commands, const KeyMapping& keys, bool write_to_redis, BridgeStats* stats,
         std::shared_ptr<spdlog::logger> logger);
  ~Mirror();

  void set_ingest(Ingest* ingest) { ingest_ = ingest; }
  void Start();  // watches the whole map
  void Stop();

  void OnReady() { Resync(); }
  void OnLost();
  // A full pass over Redis and parley; coalesced while one runs.
  void Resync();
  bool resyncing() const { return resync_running_; }

  // ---- the ledger (shared with the ingest) ----
  struct Entry {
    uint64_t fingerprint = 0;
    bool confirmed = false;  // Redis acknowledged the write
    bool uncertain = false;  // the connection dropped before it did
  };
  std::optional<Entry> Recorded(const std::string& parley_key) const;
  // What Redis holds now, read from Redis itself (the ingest's reads).
  void RecordRedisValue(const std::string& parley_key, const KeyValue& value);

  // Rewrites `parley_key` in Redis if parley's value differs from the ledger.
  void WriteKey(const std::string& parley_key);

 private:
  void CheckServer();
  void Scan(const std::string& cursor);
  void Reconcile(const std::string& parley_key);
  void FinishPass();

  BridgeHost* host_;
  RedisConnection* commands_;
  const KeyMapping& keys_;
  bool write_to_redis_;
  BridgeStats* stats_;
  std::shared_ptr<spdlog::logger> logger_;
  Ingest* ingest_ = nullptr;
  uint64_t watch_ = 0;
  bool watching_ = false;

  std::map<std::string, Entry> ledger_;  // by parley key
  std::string server_run_id_;           // a new one means Redis restarted

  bool resync_running_ = false;
  bool resync_again_ = false;
  bool scan_done_ = false;        // the last SCAN page came back
  uint64_t generation_ = 0;       // of the connection; replies from older ones are stale
  std::set<std::string> scanned_;  // parley keys found in Redis this pass
  size_t reconciles_pending_ = 0;
};

}  // namespace parley

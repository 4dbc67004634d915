// BridgeStats: counters of the Redis bridge, for /metrics and tests.
#pragma once

#include <cstdint>
#include <string>

namespace parley {

struct BridgeStats {
  // relay
  uint64_t relayed_frames = 0;    // XADDs Redis acknowledged
  uint64_t relayed_bytes = 0;
  uint64_t received_frames = 0;   // handed to the core
  uint64_t own_entries_skipped = 0;
  uint64_t dropped_frames = 0;    // queue overflow while Redis was away
  uint64_t queued_frames = 0;     // now waiting (a gauge)
  uint64_t sync_requests_sent = 0;
  uint64_t sync_requests_seen = 0;
  uint64_t fell_behind = 0;       // resumes that needed anti-entropy
  // mirror
  uint64_t mirror_writes = 0;     // keys written (or deleted) in Redis
  uint64_t mirror_resyncs = 0;    // full passes completed
  // ingest
  uint64_t ingested_writes = 0;   // CRDT writes made from Redis changes
  uint64_t echoes_ignored = 0;    // notifications of the mirror's own writes
  // connections
  uint64_t reconnects = 0;

  // Prometheus text lines, "parley_bridge_<name> <value>".
  std::string ToPrometheus() const;
};

}  // namespace parley

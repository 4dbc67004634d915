// Relay: the node's deltas through a Redis stream, so nodes with no direct
// path to each other still converge.
//
// Out: frames the core addresses to kRelayAddress wait in a bounded queue
// and go out as XADDs on the command connection. A frame leaves the queue
// only when Redis acknowledged it; frames in flight when the connection
// drops are sent again (a duplicate delta is harmless). When the queue
// overflows the oldest frames are dropped and counted, and a sync request is
// published once Redis is back, so the other nodes pull what they missed.
//
// In: a second connection loops on XREAD BLOCK from the last id it read.
// After a reconnection it resumes from that id; if entries after it may have
// been trimmed (or Redis lost the stream), the node falls back to
// anti-entropy through the relay instead of trusting the stream.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <spdlog/spdlog.h>
#include <string>

#include "node/bridge/bridge_host.h"
#include "node/bridge/bridge_options.h"
#include "node/bridge/bridge_stats.h"
#include "node/bridge/redis_connection.h"
#include "node/bridge/stream_entry.h"

namespace parley {

class Relay {
 public:
  Relay(BridgeHost* host, RedisConnection* writer, RedisConnection* reader, const BridgeOptions& options,
        BridgeStats* stats, std::shared_ptr<spdlog::logger> logger);

  // A frame from the core, with its 4-byte length prefix.
  void Publish(std::string frame);

  void OnWriterReady();
  void OnWriterLost();
  void OnReaderReady();

  const std::string& last_id() const { return last_id_; }

 private:
  void Enqueue(std::string entry_frame, bool sync_request);
  void Flush();
  void CatchUpFromTail(bool fell_behind);
  void Read();
  void Deliver(const StreamEntry& entry);

  struct Outgoing {
    std::string frame;  // without length prefix; empty for a sync request
    bool sync_request = false;
  };

  BridgeHost* host_;
  RedisConnection* writer_;
  RedisConnection* reader_;
  const BridgeOptions& options_;
  BridgeStats* stats_;
  std::shared_ptr<spdlog::logger> logger_;

  std::deque<Outgoing> queue_;     // not yet sent
  std::deque<Outgoing> inflight_;  // sent, not yet acknowledged, in order
  size_t queued_bytes_ = 0;        // of both
  bool sync_request_owed_ = false;
  std::string last_id_;            // empty: never read (start from the tail)
  uint64_t reader_generation_ = 0;  // replies of an older connection are ignored
};

}  // namespace parley

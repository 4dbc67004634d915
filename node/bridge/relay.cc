// Relay: XADD out of a bounded queue, XREAD in with resume and fallback.
#include "node/bridge/relay.h"

namespace parley {
namespace {

constexpr size_t kMaxInflight = 256;   // XADDs pipelined at once
constexpr int kReadCount = 256;        // entries per XREAD

}  // namespace

Relay::Relay(BridgeHost* host, RedisConnection* writer, RedisConnection* reader, const BridgeOptions& options,
             BridgeStats* stats, std::shared_ptr<spdlog::logger> logger)
    : host_(host), writer_(writer), reader_(reader), options_(options), stats_(stats), logger_(std::move(logger)) {}

void Relay::Publish(std::string frame) {
  if (frame.size() < 4) return;
  frame.erase(0, 4);  // the stream keeps entry boundaries itself
  Enqueue(std::move(frame), false);
  Flush();
}

void Relay::Enqueue(std::string frame, bool sync_request) {
  queued_bytes_ += frame.size();
  queue_.push_back(Outgoing{std::move(frame), sync_request});
  // Drop the oldest waiting frames, never those in flight (Redis may have them).
  while (!queue_.empty() && (queue_.size() + inflight_.size() > options_.max_queued_frames ||
                             queued_bytes_ > options_.max_queued_bytes)) {
    queued_bytes_ -= queue_.front().frame.size();
    if (!queue_.front().sync_request) ++stats_->dropped_frames;
    queue_.pop_front();
    if (!sync_request_owed_) {
      logger_->warn("redis relay: queue full ({} frames), dropping the oldest; peers will resync", queue_.size());
    }
    sync_request_owed_ = true;
  }
  stats_->queued_frames = queue_.size() + inflight_.size();
}

void Relay::Flush() {
  if (!writer_->ready()) return;
  if (sync_request_owed_) {
    // Ahead of the newer frames: the requests' answers bring back what was dropped.
    sync_request_owed_ = false;
    queue_.push_front(Outgoing{{}, true});
    ++stats_->sync_requests_sent;
  }
  while (!queue_.empty() && inflight_.size() < kMaxInflight) {
    Outgoing out = std::move(queue_.front());
    queue_.pop_front();
    std::vector<std::string> command =
        out.sync_request ? XaddSyncRequest(options_.stream, options_.stream_maxlen, host_->node_name())
                         : XaddFrame(options_.stream, options_.stream_maxlen, host_->node_name(), out.frame);
    size_t bytes = out.frame.size();
    inflight_.push_back(std::move(out));
    Status sent = writer_->Command(command, [this, bytes](const RedisReply* reply) {
      if (reply == nullptr) return;  // OnWriterLost puts it back in the queue
      if (inflight_.empty()) return;
      bool sync_request = inflight_.front().sync_request;
      queued_bytes_ -= inflight_.front().frame.size();
      inflight_.pop_front();
      if (reply->is_error()) {
        // Redis refused it (OOM, wrong key type): retrying would not help.
        logger_->error("redis relay: XADD refused: {}", reply->text);
        if (!sync_request) ++stats_->dropped_frames;
        sync_request_owed_ = true;
      } else if (!sync_request) {
        ++stats_->relayed_frames;
        stats_->relayed_bytes += bytes;
      }
      stats_->queued_frames = queue_.size() + inflight_.size();
      Flush();
    });
    if (!sent.ok()) {
      // Not connected after all: back to the queue, in order.
      queue_.push_front(std::move(inflight_.back()));
      inflight_.pop_back();
      break;
    }
  }
  stats_->queued_frames = queue_.size() + inflight_.size();
}

void Relay::OnWriterReady() { Flush(); }

void Relay::OnWriterLost() {
  while (!inflight_.empty()) {
    queue_.push_front(std::move(inflight_.back()));
    inflight_.pop_back();
  }
}

void Relay::OnReaderReady() {
  uint64_t generation = ++reader_generation_;
  if (last_id_.empty()) {
    // A node new to the stream does not replay history (old digests would
    // make it answer long-gone requests): it starts at the tail and asks
    // for what it lacks.
    CatchUpFromTail(false);
    return;
  }
  // Were entries after last_id_ trimmed? The first entry tells: if it is
  // newer than what we read last, some may have been (or Redis lost the
  // stream). Assuming the worst only costs one anti-entropy round.
  Status sent = reader_->Command({"XRANGE", options_.stream, "-", "+", "COUNT", "1"},
                                 [this, generation](const RedisReply* reply) {
                                   if (reply == nullptr || generation != reader_generation_) return;
                                   Result<std::vector<StreamEntry>> first = ParseEntries(*reply);
                                   bool behind = true;
                                   if (first.ok() && !first->empty()) {
                                     Result<StreamId> oldest = ParseStreamId(first->front().id);
                                     Result<StreamId> mine = ParseStreamId(last_id_);
                                     behind = !oldest.ok() || !mine.ok() || *oldest > *mine;
                                   }
                                   if (behind) {
                                     CatchUpFromTail(true);
                                   } else {
                                     Read();
                                   }
                                 });
  if (!sent.ok()) logger_->debug("redis relay: {}", sent.ToString());
}

void Relay::CatchUpFromTail(bool fell_behind) {
  uint64_t generation = reader_generation_;
  Status sent = reader_->Command(
      {"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"}, [this, generation, fell_behind](const RedisReply* reply) {
        if (reply == nullptr || generation != reader_generation_) return;
        Result<std::vector<StreamEntry>> tail = ParseEntries(*reply);
        if (!tail.ok()) {
          logger_->error("redis relay: {}", tail.status().ToString());
          reader_->Drop("unreadable stream " + options_.stream);
          return;
        }
        last_id_ = tail->empty() ? "0-0" : tail->front().id;
        if (fell_behind) {
          ++stats_->fell_behind;
          logger_->warn("redis relay: the stream no longer holds everything since our last read; "
                        "catching up by anti-entropy through the relay");
        }
        host_->SyncThroughRelay();
        // What we hold may be news to others too (written while the relay
        // was away and dropped from the queue, or before a restart).
        if (fell_behind || host_->map().KeyCount() > 0) {
          sync_request_owed_ = true;
          Flush();
        }
        Read();
      });
  if (!sent.ok()) logger_->debug("redis relay: {}", sent.ToString());
}

void Relay::Read() {
  uint64_t generation = reader_generation_;
  Status sent = reader_->Command(
      {"XREAD", "COUNT", std::to_string(kReadCount), "BLOCK", std::to_string(options_.read_block_ms), "STREAMS",
       options_.stream, last_id_},
      [this, generation](const RedisReply* reply) {
        if (reply == nullptr || generation != reader_generation_) return;
        Result<std::vector<StreamEntry>> entries = ParseXread(*reply);
        if (!entries.ok() || reply->is_error()) {
          logger_->error("redis relay: XREAD failed: {}",
                         reply->is_error() ? reply->text : entries.status().ToString());
          reader_->Drop("XREAD failed");
          return;
        }
        for (const StreamEntry& entry : *entries) Deliver(entry);
        Read();
      });
  if (!sent.ok()) logger_->debug("redis relay: {}", sent.ToString());
}

void Relay::Deliver(const StreamEntry& entry) {
  last_id_ = entry.id;
  if (entry.node == host_->node_name()) {
    ++stats_->own_entries_skipped;
    return;
  }
  if (entry.sync_request) {
    ++stats_->sync_requests_seen;
    host_->SyncThroughRelay();
    return;
  }
  if (entry.frame.empty()) return;
  ++stats_->received_frames;
  host_->ReceiveRelayFrame(entry.frame);
}

}  // namespace parley

// Ingest: keyspace notifications -> atomic read -> CRDT difference.
#include "node/bridge/ingest.h"

#include "node/bridge/ingest_diff.h"

namespace parley {

Ingest::Ingest(BridgeHost* host, RedisConnection* commands, RedisConnection* subscriber, Mirror* mirror,
               const KeyMapping& keys, BridgeStats* stats, std::shared_ptr<spdlog::logger> logger)
    : host_(host),
      commands_(commands),
      subscriber_(subscriber),
      mirror_(mirror),
      keys_(keys),
      stats_(stats),
      logger_(std::move(logger)) {}

void Ingest::OnSubscriberReady() { EnableNotifications(); }

void Ingest::EnableNotifications() {
  // K: keyspace channels; A: every event class (string, set, hash, generic
  // del/rename, expired, evicted). Flags already set stay set.
  Status sent = subscriber_->Command({"CONFIG", "GET", "notify-keyspace-events"}, [this](const RedisReply* reply) {
    if (reply == nullptr) return;
    std::string flags = reply->is_array() && reply->elements.size() == 2 ? reply->elements[1].text : "";
    auto subscribe = [this] {
      Status s = subscriber_->Subscribe({"PSUBSCRIBE", keys_.KeyspacePattern()}, [this](const RedisReply* message) {
        if (message != nullptr) OnNotification(*message);
      });
      if (!s.ok()) return;
      logger_->info("redis ingest: listening on {}", keys_.KeyspacePattern());
      mirror_->Resync();
    };
    bool has_all = flags.find('K') != std::string::npos && flags.find('A') != std::string::npos;
    if (has_all) {
      subscribe();
      return;
    }
    subscriber_->Command({"CONFIG", "SET", "notify-keyspace-events", flags + "KA"},
                         [this, subscribe](const RedisReply* set) {
                           if (set == nullptr) return;
                           if (set->is_error()) {
                             logger_->error(
                                 "redis ingest: cannot enable keyspace notifications ({}); set "
                                 "notify-keyspace-events to KA in the Redis configuration, or legacy writes "
                                 "will reach parley only at the next resync",
                                 set->text);
                           }
                           subscribe();
                         });
  });
  if (!sent.ok()) logger_->debug("redis ingest: {}", sent.ToString());
}

void Ingest::OnNotification(const RedisReply& message) {
  // ["pmessage", pattern, channel, event]; the confirmation is ["psubscribe", ...].
  if (!message.is_array() || message.elements.size() != 4 || message.elements[0].text != "pmessage") return;
  std::optional<std::string> redis_key = keys_.KeyOfChannel(message.elements[2].text);
  if (!redis_key) return;
  std::optional<std::string> parley_key = keys_.ToParley(*redis_key);
  if (!parley_key) return;  // the relay stream
  Check(*parley_key);
}

void Ingest::Check(const std::string& parley_key) {
  if (!commands_->ready()) return;  // the resync after reconnecting reads it
  if (checking_.count(parley_key)) {
    recheck_.insert(parley_key);
    return;
  }
  checking_.insert(parley_key);
  std::optional<Mirror::Entry> snapshot = mirror_->Recorded(parley_key);
  uint64_t generation = generation_;
  Status sent = commands_->Command(
      {"EVAL", kReadKeyScript, "1", keys_.ToRedis(parley_key)},
      [this, generation, parley_key, snapshot](const RedisReply* reply) {
        if (reply == nullptr || generation != generation_) return;
        checking_.erase(parley_key);
        Result<KeyValue> redis = ParseReadKeyReply(*reply);
        if (!redis.ok()) {
          logger_->warn("redis ingest: ignoring {}: {}", keys_.ToRedis(parley_key), redis.status().ToString());
        } else if (snapshot && !snapshot->uncertain && snapshot->fingerprint == redis->Fingerprint()) {
          ++stats_->echoes_ignored;
        } else {
          Absorb(parley_key, *redis);
        }
        if (recheck_.erase(parley_key)) Check(parley_key);
      });
  if (!sent.ok()) checking_.erase(parley_key);
}

void Ingest::Absorb(const std::string& parley_key, const KeyValue& redis) {
  // First the ledger, so the mirror sees its own value when the write's
  // watch fires (synchronously, inside Write) and writes nothing back.
  mirror_->RecordRedisValue(parley_key, redis);
  std::vector<Op> ops = IngestOps(host_->map(), parley_key, redis);
  if (ops.empty()) return;
  ++stats_->ingested_writes;
  // The acknowledgement may come after the bridge is gone: no `this`.
  host_->Write(std::move(ops), [logger = logger_, parley_key](const Status& s) {
    if (!s.ok()) logger->error("redis ingest: writing {} into parley failed: {}", parley_key, s.ToString());
  });
  // If parley's value still differs (a refused write), put parley's back.
  mirror_->WriteKey(parley_key);
}

}  // namespace parley

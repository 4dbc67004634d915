// Mirror: watch-driven key rewrites, the ledger, and the resync pass.
#include "node/bridge/mirror.h"

#include "node/bridge/ingest.h"

namespace parley {

Mirror::Mirror(BridgeHost* host, RedisConnection* commands, const KeyMapping& keys, bool write_to_redis,
               BridgeStats* stats, std::shared_ptr<spdlog::logger> logger)
    : host_(host),
      commands_(commands),
      keys_(keys),
      write_to_redis_(write_to_redis),
      stats_(stats),
      logger_(std::move(logger)) {}

Mirror::~Mirror() { Stop(); }

void Mirror::Start() {
  if (!write_to_redis_ || watching_) return;
  watch_ = host_->Watch("", [this](const std::string& key) { WriteKey(key); });
  watching_ = true;
}

void Mirror::Stop() {
  if (watching_) host_->Unwatch(watch_);
  watching_ = false;
}

std::optional<Mirror::Entry> Mirror::Recorded(const std::string& parley_key) const {
  auto it = ledger_.find(parley_key);
  if (it == ledger_.end()) return std::nullopt;
  return it->second;
}

void Mirror::RecordRedisValue(const std::string& parley_key, const KeyValue& value) {
  ledger_[parley_key] = Entry{value.Fingerprint(), true, false};
}

void Mirror::OnLost() {
  ++generation_;
  // Writes that were never confirmed may or may not have happened.
  for (auto& [key, entry] : ledger_) {
    if (!entry.confirmed) entry.uncertain = true;
  }
  resync_running_ = false;
  resync_again_ = false;
  reconciles_pending_ = 0;
  scanned_.clear();
}

void Mirror::WriteKey(const std::string& parley_key) {
  if (!write_to_redis_ || !commands_->ready()) return;  // the resync after reconnecting covers it
  KeyValue value = ReadParleyValue(host_->map(), parley_key);
  uint64_t fingerprint = value.Fingerprint();
  auto it = ledger_.find(parley_key);
  if (it != ledger_.end() && it->second.fingerprint == fingerprint && !it->second.uncertain) return;
  ledger_[parley_key] = Entry{fingerprint, false, false};
  std::vector<std::vector<std::string>> commands = WriteCommands(keys_.ToRedis(parley_key), value);
  for (size_t i = 0; i < commands.size(); ++i) {
    bool last = i + 1 == commands.size();
    Status sent = commands_->Command(commands[i], [this, last, parley_key, fingerprint](const RedisReply* reply) {
      if (reply == nullptr || !last) return;
      // EXEC answers with an array holding each command's reply.
      bool failed = reply->is_error() || reply->is_nil();
      for (const RedisReply& r : reply->elements) failed = failed || r.is_error();
      if (failed) {
        logger_->error("redis mirror: writing {} failed: {}", keys_.ToRedis(parley_key),
                       reply->is_error() ? reply->text : "transaction aborted");
        return;
      }
      ++stats_->mirror_writes;
      auto entry = ledger_.find(parley_key);
      if (entry != ledger_.end() && entry->second.fingerprint == fingerprint) entry->second.confirmed = true;
    });
    if (!sent.ok()) return;
  }
}

void Mirror::Resync() {
  if (!commands_->ready()) return;
  if (resync_running_) {
    resync_again_ = true;
    return;
  }
  resync_running_ = true;
  scan_done_ = false;
  scanned_.clear();
  CheckServer();
}

void Mirror::CheckServer() {
  uint64_t generation = generation_;
  Status sent = commands_->Command({"INFO", "server"}, [this, generation](const RedisReply* reply) {
    if (reply == nullptr || generation != generation_) return;
    std::string run_id;
    size_t at = reply->text.find("run_id:");
    if (at != std::string::npos) {
      size_t end = reply->text.find_first_of("\r\n", at);
      run_id = reply->text.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
    }
    if (!server_run_id_.empty() && run_id != server_run_id_) {
      // A restarted Redis holds nothing we wrote, or an old snapshot of it:
      // no ledger entry says anything about what is there now.
      logger_->warn("redis mirror: Redis restarted (run id {}); rewriting the mirror", run_id);
      for (auto& [key, entry] : ledger_) entry.uncertain = true;
    }
    server_run_id_ = run_id;
    Scan("0");
  });
  if (!sent.ok()) resync_running_ = false;
}

void Mirror::Scan(const std::string& cursor) {
  uint64_t generation = generation_;
  Status sent = commands_->Command(
      {"SCAN", cursor, "MATCH", keys_.ScanPattern(), "COUNT", "1000"}, [this, generation](const RedisReply* reply) {
        if (reply == nullptr || generation != generation_) return;
        if (!reply->is_array() || reply->elements.size() != 2) {
          logger_->error("redis mirror: SCAN failed: {}", reply->text);
          resync_running_ = false;
          return;
        }
        for (const RedisReply& key : reply->elements[1].elements) {
          std::optional<std::string> parley_key = keys_.ToParley(key.text);
          if (parley_key && scanned_.insert(*parley_key).second) Reconcile(*parley_key);
        }
        if (reply->elements[0].text != "0") {
          Scan(reply->elements[0].text);
          return;
        }
        scan_done_ = true;
        // Keys parley has and Redis lacks.
        if (write_to_redis_) {
          for (const std::string& key : host_->map().Keys()) {
            if (!scanned_.count(key)) WriteKey(key);
          }
        }
        if (reconciles_pending_ == 0) FinishPass();
      });
  if (!sent.ok()) resync_running_ = false;
}

void Mirror::Reconcile(const std::string& parley_key) {
  // The snapshot: what the mirror had sent before this read, which Redis
  // executes first, so the read shows it unless someone else wrote since.
  std::optional<Entry> snapshot = Recorded(parley_key);
  uint64_t generation = generation_;
  ++reconciles_pending_;
  Status sent = commands_->Command(
      {"EVAL", kReadKeyScript, "1", keys_.ToRedis(parley_key)},
      [this, generation, parley_key, snapshot](const RedisReply* reply) {
        if (reply == nullptr || generation != generation_) return;
        --reconciles_pending_;
        Result<KeyValue> redis = ParseReadKeyReply(*reply);
        if (redis.ok()) {
          KeyValue parley = ReadParleyValue(host_->map(), parley_key);
          bool ours = snapshot && !snapshot->uncertain && snapshot->fingerprint == redis->Fingerprint();
          // Without the mirror, Redis is where these keys are written.
          bool legacy = !ours && redis->type != KeyValue::Type::kAbsent &&
                        (!write_to_redis_ || (snapshot ? snapshot->confirmed && !snapshot->uncertain
                                                       : parley.type == KeyValue::Type::kAbsent));
          if (*redis == parley) {
            RecordRedisValue(parley_key, *redis);
          } else if (legacy && ingest_ != nullptr) {
            ingest_->Absorb(parley_key, *redis);
          } else {
            WriteKey(parley_key);
          }
        } else {
          logger_->warn("redis mirror: skipping {}: {}", keys_.ToRedis(parley_key), redis.status().ToString());
        }
        if (reconciles_pending_ == 0 && scan_done_ && resync_running_) FinishPass();
      });
  if (!sent.ok()) --reconciles_pending_;
}

void Mirror::FinishPass() {
  ++stats_->mirror_resyncs;
  resync_running_ = false;
  if (resync_again_) {
    resync_again_ = false;
    Resync();
  }
}

}  // namespace parley

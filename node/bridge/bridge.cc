// Bridge: wiring three connections to the relay, mirror and ingest.
#include "node/bridge/bridge.h"

namespace parley {

Result<std::unique_ptr<Bridge>> Bridge::Create(uv_loop_t* loop, BridgeHost* host, BridgeOptions options,
                                               std::shared_ptr<spdlog::logger> logger) {
  if (!options.enabled()) return Status::InvalidArgument("the Redis bridge needs --redis and a mode");
  if (!options.prefix.empty() && options.stream.substr(0, options.prefix.size()) == options.prefix) {
    return Status::InvalidArgument("--redis-stream '" + options.stream + "' lies under --redis-prefix '" +
                                   options.prefix + "'; it would look like a mirrored key");
  }
  return std::unique_ptr<Bridge>(new Bridge(loop, host, std::move(options), std::move(logger)));
}

Bridge::Bridge(uv_loop_t* loop, BridgeHost* host, BridgeOptions options, std::shared_ptr<spdlog::logger> logger)
    : loop_(loop),
      host_(host),
      options_(std::move(options)),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      keys_(options_.prefix, options_.stream, options_.database) {
  commands_ = MakeConnection("commands");
  if (options_.relay) {
    reader_ = MakeConnection("relay reader");
    relay_ = std::make_unique<Relay>(host_, commands_.get(), reader_.get(), options_, &stats_, logger_);
  }
  if (options_.mirror || options_.ingest) {
    mirror_ = std::make_unique<Mirror>(host_, commands_.get(), keys_, options_.mirror, &stats_, logger_);
  }
  if (options_.ingest) {
    subscriber_ = MakeConnection("keyspace subscriber");
    ingest_ = std::make_unique<Ingest>(host_, commands_.get(), subscriber_.get(), mirror_.get(), keys_, &stats_,
                                       logger_);
    mirror_->set_ingest(ingest_.get());
  }

  commands_->OnReady([this] {
    if (relay_) relay_->OnWriterReady();
    if (mirror_) mirror_->OnReady();
  });
  commands_->OnLost([this](const Status&) {
    if (relay_) relay_->OnWriterLost();
    if (mirror_) mirror_->OnLost();
    if (ingest_) ingest_->OnCommandsLost();
  });
  if (reader_) reader_->OnReady([this] { relay_->OnReaderReady(); });
  if (subscriber_) subscriber_->OnReady([this] { ingest_->OnSubscriberReady(); });
}

Bridge::~Bridge() { Close(); }

std::unique_ptr<RedisConnection> Bridge::MakeConnection(const std::string& role) {
  RedisConnectionOptions o;
  o.host = options_.host;
  o.port = options_.port;
  o.name = "redis " + options_.host + ":" + std::to_string(options_.port) + " (" + role + ")";
  o.backoff_min_ms = options_.backoff_min_ms;
  o.backoff_max_ms = options_.backoff_max_ms;
  // The reader's XREAD legitimately waits read_block_ms for an answer.
  o.reply_timeout_ms = options_.reply_timeout_ms == 0 ? 0 : options_.reply_timeout_ms + options_.read_block_ms;
  auto connection = std::make_unique<RedisConnection>(loop_, std::move(o));
  connection->OnLog([logger = logger_](bool error, const std::string& line) {
    logger->log(error ? spdlog::level::warn : spdlog::level::info, "{}", line);
  });
  return connection;
}

void Bridge::Start() {
  std::string modes;
  for (auto [on, name] :
       {std::pair{options_.relay, "relay"}, {options_.mirror, "mirror"}, {options_.ingest, "ingest"}}) {
    if (on) modes += (modes.empty() ? "" : "+") + std::string(name);
  }
  logger_->info("redis bridge: {} via {}:{} (prefix '{}', stream '{}')", modes, options_.host, options_.port,
                options_.prefix, options_.stream);
  if (mirror_) mirror_->Start();
  commands_->Start();
  if (reader_) reader_->Start();
  if (subscriber_) subscriber_->Start();
}

void Bridge::Close() {
  if (closed_) return;
  closed_ = true;
  if (mirror_) mirror_->Stop();
  if (subscriber_) subscriber_->Close();
  if (reader_) reader_->Close();
  commands_->Close();
}

void Bridge::PublishRelayFrame(std::string frame) {
  if (relay_ && !closed_) relay_->Publish(std::move(frame));
}

const BridgeStats& Bridge::stats() {
  stats_.reconnects = commands_->reconnects() + (reader_ ? reader_->reconnects() : 0) +
                      (subscriber_ ? subscriber_->reconnects() : 0);
  return stats_;
}

}  // namespace parley

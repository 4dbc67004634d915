// BridgeOptions: parsing of the bridge's flags and file values.
#include "node/bridge/bridge_options.h"

#include <charconv>

namespace parley {
namespace {

Result<uint64_t> ParseCount(std::string_view option, std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("--" + std::string(option) + ": '" + std::string(text) + "' is not a number");
  }
  return n;
}

Result<bool> ParseFlag(std::string_view option, std::string_view text) {
  if (text.empty() || text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return Status::InvalidArgument("--" + std::string(option) + ": '" + std::string(text) + "' is not true/false");
}

}  // namespace

Status SetBridgeOption(BridgeOptions* options, std::string_view option, std::string_view value) {
  if (option == "redis") {
    size_t colon = value.rfind(':');
    std::string_view host = colon == std::string_view::npos ? value : value.substr(0, colon);
    if (host.empty()) return Status::InvalidArgument("--redis: '" + std::string(value) + "' is not host:port");
    if (colon != std::string_view::npos) {
      Result<uint64_t> port = ParseCount(option, value.substr(colon + 1));
      if (!port.ok() || *port == 0 || *port > 65535) {
        return Status::InvalidArgument("--redis: '" + std::string(value) + "' is not host:port");
      }
      options->port = static_cast<uint16_t>(*port);
    }
    options->host = std::string(host);
    return Status::Ok();
  }
  if (option == "redis-relay" || option == "redis-mirror" || option == "redis-ingest") {
    Result<bool> on = ParseFlag(option, value);
    if (!on.ok()) return on.status();
    bool* field = option == "redis-relay"    ? &options->relay
                  : option == "redis-mirror" ? &options->mirror
                                             : &options->ingest;
    *field = *on;
    return Status::Ok();
  }
  if (option == "redis-prefix") {
    options->prefix = std::string(value);
    return Status::Ok();
  }
  if (option == "redis-stream") {
    if (value.empty()) return Status::InvalidArgument("--redis-stream: the stream key cannot be empty");
    options->stream = std::string(value);
    return Status::Ok();
  }
  if (option == "redis-stream-maxlen" || option == "redis-queue-frames") {
    Result<uint64_t> n = ParseCount(option, value);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::InvalidArgument("--" + std::string(option) + ": must be at least 1");
    if (option == "redis-stream-maxlen") {
      options->stream_maxlen = *n;
    } else {
      options->max_queued_frames = *n;
    }
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown bridge option --" + std::string(option));
}

Status FinishBridgeOptions(BridgeOptions* options) {
  bool any_mode = options->relay || options->mirror || options->ingest;
  if (options->host.empty()) {
    if (any_mode) return Status::InvalidArgument("--redis-relay/--redis-mirror/--redis-ingest need --redis host:port");
    return Status::Ok();
  }
  if (!any_mode) options->relay = options->mirror = true;
  return Status::Ok();
}

}  // namespace parley

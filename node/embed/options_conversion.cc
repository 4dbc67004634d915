// Public Options -> RuntimeOptions.
#include "node/embed/options_conversion.h"

#include <string_view>
#include <vector>

#include "node/runtime/logging.h"
#include "node/runtime/net_address.h"
#include "protocol/keyring.h"

namespace parley::embed {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 32 raw bytes, or 64 hex characters for keys kept in text configuration.
parley::Result<std::string> DecodeClusterKey(const std::string& key) {
  if (key.size() == parley::Keyring::kKeySize) return key;
  if (key.size() != 2 * parley::Keyring::kKeySize) {
    return parley::Status::InvalidArgument("Options.cluster_key must be 32 raw bytes or 64 hex characters (has " +
                                           std::to_string(key.size()) + " bytes)");
  }
  std::string raw(parley::Keyring::kKeySize, '\0');
  for (size_t i = 0; i < raw.size(); ++i) {
    int hi = HexDigit(key[2 * i]), lo = HexDigit(key[2 * i + 1]);
    if (hi < 0 || lo < 0) return parley::Status::InvalidArgument("Options.cluster_key has a non-hex character");
    raw[i] = static_cast<char>(hi * 16 + lo);
  }
  return raw;
}

parley::SyncPolicy ToInternal(SyncPolicy sync) {
  switch (sync) {
    case SyncPolicy::kAlways: return parley::SyncPolicy::kAlways;
    case SyncPolicy::kNone: return parley::SyncPolicy::kNone;
    case SyncPolicy::kBatch: break;
  }
  return parley::SyncPolicy::kBatch;
}

}  // namespace

parley::Result<parley::RuntimeOptions> ToRuntimeOptions(const Options& o) {
  using parley::Status;
  if (o.name.empty()) return Status::InvalidArgument("Options.name is required: a name unique in the cluster");
  if (o.data_dir.empty() && !o.in_memory) {
    return Status::InvalidArgument("Options.data_dir is empty: give a data directory, or set in_memory = true");
  }
  if (!o.data_dir.empty() && o.in_memory) {
    return Status::InvalidArgument("Options.data_dir and Options.in_memory are both set: choose one");
  }
  if (o.cluster_id.empty()) return Status::InvalidArgument("Options.cluster_id must not be empty");

  parley::RuntimeOptions r;
  parley::NodeConfig& c = r.config;
  c.name = o.name;
  parley::Result<parley::Address> bind = parley::ParseHostPort(o.bind, "Options.bind");
  if (!bind.ok()) return bind.status();
  r.bind = *bind;
  if (!o.advertise.empty()) {
    parley::Result<parley::Address> advertise = parley::ParseHostPort(o.advertise, "Options.advertise");
    if (!advertise.ok()) return advertise.status();
    c.advertise = *advertise;
  }
  for (const std::string& seed : o.seeds) {
    parley::Result<parley::Address> address = parley::ParseHostPort(seed, "Options.seeds");
    if (!address.ok()) return address.status();
    c.seeds.push_back(*address);
  }
  c.cluster_id = o.cluster_id;
  if (!o.cluster_key.empty()) {
    parley::Result<std::string> key = DecodeClusterKey(o.cluster_key);
    if (!key.ok()) return key.status();
    parley::Result<parley::Keyring> ring = parley::Keyring::FromKeys({std::string_view(*key)});
    if (!ring.ok()) return ring.status().WithContext("Options.cluster_key");
    c.keyring = std::move(ring).value();
  }
  c.sync_policy = ToInternal(o.sync);
  c.replicated_sync_ms = o.replicated_sync_ms;
  c.timing = o.timing == TimingProfile::kLocal ? parley::Timing::LocalFleet() : parley::Timing::Lan();
  parley::Result<spdlog::level::level_enum> level = parley::ParseLogLevel(o.log_level);
  if (!level.ok()) {
    return Status::InvalidArgument("Options.log_level: '" + o.log_level +
                                   "' is not one of trace, debug, info, warn, error, critical, off");
  }
  r.logger = parley::MakeNodeLogger(o.name, *level);
  r.data_dir = o.data_dir;
  r.preallocate_log = o.preallocate_log;
  return r;
}

parley::Result<parley::Durability> ToInternal(const Durability& d) {
  if (d.nodes < 1) {
    return parley::Status::InvalidArgument("Durability.nodes must be at least 1 (1 = this node only), not " +
                                           std::to_string(d.nodes));
  }
  if (d.nodes > 1 && d.timeout_ms == 0) {
    return parley::Status::InvalidArgument("Durability.timeout_ms must be positive for a quorum write");
  }
  return parley::Durability{d.nodes, d.timeout_ms};
}

}  // namespace parley::embed

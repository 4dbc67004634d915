// NodeOptions: parsing of option values and assembly of RuntimeOptions.
#include "node/runtime/node_options.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "node/runtime/logging.h"
#include "node/runtime/net_address.h"

namespace parley {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Result<std::vector<Address>> ParseAddressList(std::string_view text, std::string_view what) {
  std::vector<Address> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    if (!item.empty()) {
      Result<Address> a = ParseHostPort(item, what);
      if (!a.ok()) return a.status();
      out.push_back(*a);
    }
    start = comma + 1;
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status SetOption(NodeOptions* o, std::string_view option, std::string_view value) {
  std::string flag = "--" + std::string(option);
  auto address = [&](Address* out) -> Status {
    Result<Address> a = ParseHostPort(value, flag);
    if (!a.ok()) return a.status();
    *out = *a;
    return Status::Ok();
  };
  if (option == "name") {
    if (value.empty() || value.size() > 255) return Status::InvalidArgument("--name: must be 1 to 255 bytes");
    o->name = std::string(value);
  } else if (option == "data-dir") {
    o->data_dir = std::string(value);
  } else if (option == "bind") {
    return address(&o->bind);
  } else if (option == "advertise") {
    Address a;
    PARLEY_RETURN_IF_ERROR(address(&a));
    o->advertise = a;
  } else if (option == "seeds") {
    Result<std::vector<Address>> seeds = ParseAddressList(value, flag);
    if (!seeds.ok()) return seeds.status();
    o->seeds = *seeds;
  } else if (option == "http") {
    return address(&o->http);
  } else if (option == "resp") {
    Address a;
    PARLEY_RETURN_IF_ERROR(address(&a));
    o->resp = a;
  } else if (option == "cluster-id") {
    if (value.empty()) return Status::InvalidArgument("--cluster-id: must not be empty");
    o->cluster_id = std::string(value);
  } else if (option == "key-file") {
    o->key_files.emplace_back(value);
  } else if (option == "sync") {
    Result<SyncPolicy> p = ParseSyncPolicy(value);
    if (!p.ok()) return Status::InvalidArgument("--sync: '" + std::string(value) + "' is not always, batch or none");
    o->sync = *p;
  } else if (option == "replicated-sync-ms") {
    // Bounded so that a typo does not leave records unsynced for days.
    constexpr uint64_t kMaxMs = 60000;
    uint64_t ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || end != value.data() + value.size() || ms > kMaxMs) {
      return Status::InvalidArgument(flag + ": '" + std::string(value) + "' is not a number of ms from 0 to 60000");
    }
    o->replicated_sync_ms = ms;
  } else if (option == "profile") {
    if (value != "lan" && value != "local") {
      return Status::InvalidArgument("--profile: '" + std::string(value) + "' is not lan or local");
    }
    o->profile = std::string(value);
  } else if (option == "log-level") {
    PARLEY_RETURN_IF_ERROR(ParseLogLevel(value).status());
    o->log_level = std::string(value);
  } else if (option == "in-memory" || option == "preallocate") {
    bool* target = option == "in-memory" ? &o->in_memory : &o->preallocate;
    if (value == "true" || value == "1" || value.empty()) {
      *target = true;
    } else if (value == "false" || value == "0") {
      *target = false;
    } else {
      return Status::InvalidArgument(flag + ": '" + std::string(value) + "' is not true or false");
    }
  } else if (option == "port-file") {
    o->port_file = std::string(value);
  } else {
    return Status::InvalidArgument("unknown option '" + std::string(option) + "'");
  }
  return Status::Ok();
}

Status ValidateOptions(const NodeOptions& o) {
  if (o.name.empty()) return Status::InvalidArgument("--name is required (a unique name for this node)");
  if (o.resp && o.resp->port == 0) return Status::InvalidArgument("--resp: port must not be 0");
  return Status::Ok();
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("--key-file: cannot read '" + path + "'");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() == 32) return data;
  std::string hex = Trim(data);
  if (hex.size() == 64) {
    std::string key(32, '\0');
    for (size_t i = 0; i < 32; ++i) {
      int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("--key-file: '" + path + "' has a non-hex character");
      key[i] = static_cast<char>(hi * 16 + lo);
    }
    return key;
  }
  return Status::InvalidArgument("--key-file: '" + path + "' must hold 32 raw bytes or 64 hex characters (has " +
                                 std::to_string(data.size()) + " bytes)");
}

std::string DataDirOf(const NodeOptions& o) {
  if (!o.data_dir.empty()) return o.data_dir;
  return "./parley-data/" + o.name;
}

Result<RuntimeOptions> MakeRuntimeOptions(const NodeOptions& o) {
  PARLEY_RETURN_IF_ERROR(ValidateOptions(o));
  Result<spdlog::level::level_enum> level = ParseLogLevel(o.log_level);
  if (!level.ok()) return level.status();
  RuntimeOptions r;
  NodeConfig& c = r.config;
  c.name = o.name;
  c.advertise = o.advertise.value_or(o.bind);
  c.seeds = o.seeds;
  c.timing = o.profile == "local" ? Timing::LocalFleet() : Timing::Lan();
  c.sync_policy = o.sync;
  c.replicated_sync_ms = o.replicated_sync_ms;
  c.cluster_id = o.cluster_id;
  if (o.http.port != 0) c.meta["http"] = FormatAddress(o.http);
  if (o.resp) c.meta["resp"] = FormatAddress(*o.resp);
  if (!o.key_files.empty()) {
    std::vector<std::string> keys;
    for (const std::string& path : o.key_files) {
      Result<std::string> key = ReadKeyFile(path);
      if (!key.ok()) return key.status();
      keys.push_back(std::move(key).value());
    }
    std::vector<std::string_view> views(keys.begin(), keys.end());
    Result<Keyring> ring = Keyring::FromKeys(views);
    if (!ring.ok()) return ring.status().WithContext("--key-file");
    c.keyring = std::move(ring).value();
  }
  r.bind = o.bind;
  r.data_dir = o.in_memory ? std::string() : DataDirOf(o);
  r.preallocate_log = o.preallocate;
  r.logger = MakeNodeLogger(o.name, *level);
  return r;
}

}  // namespace parley

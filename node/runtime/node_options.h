// NodeOptions: how a `parley node` process is configured, from flags and an
// optional TOML file, and how that becomes the runtime's options.
//
// Every option has one setter taking text (SetOption), used both for flags
// and for file values, so the two sources cannot disagree on syntax or
// error messages. Errors name the option: "--bind: 'x:y' is not host:port".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/runtime/node_runtime.h"
#include "storage/group_commit.h"
#include "storage/status.h"

namespace parley {

struct NodeOptions {
  std::string name;
  std::string data_dir;  // empty: ./parley-data/<name>
  Address bind{"127.0.0.1", 7946};
  std::optional<Address> advertise;  // default: bind
  std::vector<Address> seeds;
  Address http{"127.0.0.1", 8080};  // port 0: no HTTP server
  std::optional<Address> resp;      // published in meta; the server comes later
  std::string cluster_id = "parley";
  std::vector<std::string> key_files;  // the first one is primary
  SyncPolicy sync = SyncPolicy::kAlways;
  uint64_t replicated_sync_ms = 1000;  // NodeConfig::replicated_sync_ms
  std::string profile = "lan";  // lan | local
  std::string log_level = "info";
  bool in_memory = false;
  bool preallocate = true;  // RuntimeOptions::preallocate_log
  std::string port_file;  // optional: JSON with the bound addresses, written when ready
};

// Option names as flags without dashes: "name", "data-dir", "bind",
// "advertise", "seeds", "http", "resp", "cluster-id", "key-file", "sync",
// "replicated-sync-ms", "profile", "log-level", "in-memory", "preallocate", "port-file".
// "key-file" appends.
Status SetOption(NodeOptions* options, std::string_view option, std::string_view value);

// Checks what single setters cannot (a name is given, ...).
Status ValidateOptions(const NodeOptions& options);

// Reads a cluster key: 32 raw bytes, or 64 hex characters (whitespace around
// them ignored).
Result<std::string> ReadKeyFile(const std::string& path);

// The runtime's options: timing profile, keyring, meta with front-door addresses.
Result<RuntimeOptions> MakeRuntimeOptions(const NodeOptions& options);

// The effective data directory.
std::string DataDirOf(const NodeOptions& options);

}  // namespace parley

// FleetManifest: fleet/fleet.json, the record of a local fleet's nodes.
//
// `parley fleet up` writes it as soon as the node processes exist, so every
// later command (status, down, kill, restart, partition, the client's
// --fleet/--on) and a test's cleanup guard can find each node's pid,
// addresses, data directory and log even after the launcher has exited.
#pragma once

#include <string>
#include <vector>

#include "storage/status.h"

namespace parley::cli {

struct FleetNode {
  std::string name;    // n1, n2, ...
  int pid = 0;         // 0 once stopped by `fleet down`
  std::string gossip;  // host:port, UDP and TCP
  std::string http;    // host:port
  std::string resp;    // host:port
  std::string data_dir;  // absolute
  std::string log_file;  // absolute
};

struct FleetManifest {
  std::string dir;     // absolute fleet directory holding fleet.json
  std::string binary;  // the parley executable that runs the nodes
  std::string profile = "local";
  std::string sync = "always";
  int base_port = 0;
  std::vector<FleetNode> nodes;

  FleetNode* Find(const std::string& name);
  const FleetNode* Find(const std::string& name) const;
};

// `dir`/fleet.json.
std::string ManifestPath(const std::string& fleet_dir);

// NotFound when there is no fleet.json in `fleet_dir`; Corruption naming
// the file when it does not parse.
Result<FleetManifest> LoadManifest(const std::string& fleet_dir);

// Writes to a temporary file and renames it, so a reader never sees half a
// manifest.
Status SaveManifest(const FleetManifest& manifest);

}  // namespace parley::cli

// LocalFleet: N `parley node` processes on loopback, managed as one unit.
//
// What `parley fleet up/down/kill/restart/partition/heal` do, as a class the
// CLI drives (fleet_command.cc). Like Redis's create-cluster, node i gets
// ports base+i (gossip, UDP+TCP), base+100+i (HTTP) and base+200+i (RESP);
// like `cockroach demo`, every node is a real process with its own data
// directory, so kills, restarts and partitions behave as in production.
// State lives in DIR/fleet.json (fleet_manifest.h), so each CLI invocation
// re-opens the fleet and the nodes outlive the launcher.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "node/cli/fleet_manifest.h"
#include "storage/status.h"

namespace parley::cli {

struct FleetUpOptions {
  std::string dir = "fleet";
  int nodes = 3;
  int base_port = 7980;  // n1: gossip 7980, HTTP 8080 (the CLI's default), RESP 8180
  std::string host = "127.0.0.1";
  std::string profile = "local";
  std::string sync = "always";
  std::string binary;  // empty: this executable
  std::chrono::milliseconds wait = std::chrono::seconds(30);
};

// Reports membership progress while waiting: how many running nodes see
// every running node alive, out of how many.
using ProgressFn = std::function<void(int converged, int total, std::chrono::milliseconds elapsed)>;

class LocalFleet {
 public:
  // Opens the fleet recorded in `dir`/fleet.json.
  static Result<LocalFleet> Open(const std::string& dir);

  // Starts options.nodes nodes (reusing the data of a stopped fleet in the
  // same directory), then waits until every node sees all of them alive.
  // Refuses if a fleet is already running there or a port is taken.
  static Result<LocalFleet> Up(const FleetUpOptions& options, const ProgressFn& progress);

  const FleetManifest& manifest() const { return manifest_; }
  bool IsRunning(const FleetNode& node) const;

  // SIGTERM every node (a graceful leave), SIGKILL what is left after `grace`.
  Status Down(std::chrono::milliseconds grace);
  // SIGKILL one node: a crash, with no leave and no final sync.
  Status Kill(const std::string& name);
  // Stops the node if running, starts it again with the same data directory
  // and ports, and waits until it and the running nodes see each other.
  Status Restart(const std::string& name, std::chrono::milliseconds wait, const ProgressFn& progress);

  // Cuts gossip between groups: every node of a group drops the nodes of
  // the other groups. One group means "this group versus the rest".
  Status Partition(std::vector<std::vector<std::string>> groups);
  // Removes every fault on every running node.
  Status Heal();

  // Waits until each running node lists every running node as alive.
  Status WaitForMembership(std::chrono::milliseconds timeout, const ProgressFn& progress);

 private:
  explicit LocalFleet(FleetManifest manifest) : manifest_(std::move(manifest)) {}

  Status StartAll(std::chrono::milliseconds wait, const ProgressFn& progress);
  Status StartNode(FleetNode& node, const std::vector<std::string>& seeds);
  Status WaitUntilServing(const FleetNode& node, std::chrono::milliseconds timeout);
  Status StopNodes(const std::vector<FleetNode*>& nodes, std::chrono::milliseconds grace);

  FleetManifest manifest_;
};

}  // namespace parley::cli

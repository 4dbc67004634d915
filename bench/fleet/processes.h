// The processes the fleet benchmark runs: a local parley fleet (through the
// CLI's LocalFleet, exactly as `parley fleet up` starts one) and a
// redis-server to compare against.
//
// Both are owned by objects whose destructors stop them, so a failed phase
// never leaves 64 nodes or a redis-server running behind the benchmark.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/cli/local_fleet.h"
#include "storage/status.h"

namespace parley::bench {

struct FleetSpec {
  int nodes = 8;
  std::string binary;          // the parley executable
  std::string profile = "local";
  std::string sync = "none";
  std::string dir;             // the fleet directory (created)
};

class BenchFleet {
 public:
  // Starts the nodes on a free base port and waits until every node sees
  // every other alive.
  static Result<std::unique_ptr<BenchFleet>> Up(const FleetSpec& spec);
  ~BenchFleet();

  int size() const { return static_cast<int>(fleet_->manifest().nodes.size()); }
  const cli::FleetNode& node(int i) const { return fleet_->manifest().nodes[i]; }
  cli::LocalFleet& fleet() { return *fleet_; }
  std::vector<std::string> RespAddresses() const;

  // The sum over all nodes of counter `metric` from their /metrics pages.
  Result<uint64_t> SumCounter(const std::string& metric) const;
  // Every node's map digest (GET /v1/status), in node order.
  Result<std::vector<std::string>> Digests() const;

 private:
  explicit BenchFleet(cli::LocalFleet fleet) : fleet_(std::move(fleet)) {}
  std::optional<cli::LocalFleet> fleet_;
};

class RedisServer {
 public:
  // Starts redis-server (found on PATH) on a free loopback port with no
  // persistence (--save '' --appendonly no), waits for PING.
  static Result<std::unique_ptr<RedisServer>> Start(const std::string& work_dir);
  ~RedisServer();  // SIGTERM, then SIGKILL if it lingers

  const std::string& address() const { return address_; }
  const std::string& version() const { return version_; }

 private:
  RedisServer() = default;
  int pid_ = 0;
  std::string address_;
  std::string version_;
};

// A loopback TCP port nothing listens on right now (bound to port 0 and
// released), for redis-server and for the "unreachable server" of the
// availability phase.
Result<int> FreeLoopbackPort();

// The value of `metric` (a line "metric value") in Prometheus text.
std::optional<uint64_t> MetricValue(const std::string& text, const std::string& metric);

}  // namespace parley::bench

// FleetHarness: one temporary local fleet per test, driven through the
// parley binary, with cleanup that cannot be skipped.
//
// Each test gets its own directory and a random free base port, so tests
// may run in parallel (ctest -j) without sharing ports or data. The
// destructor SIGKILLs every node recorded in fleet.json even when the test
// failed half-way, prints the tail of each node's log if it failed, and
// removes the directory: a red test never leaves processes behind.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "node/cli/fleet_manifest.h"
#include "node/cli/node_api.h"
#include "storage/status.h"

namespace parley::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

class FleetHarness {
 public:
  FleetHarness();
  ~FleetHarness();
  FleetHarness(const FleetHarness&) = delete;
  FleetHarness& operator=(const FleetHarness&) = delete;

  const std::string& dir() const { return dir_; }
  int base_port() const { return base_port_; }

  // Runs `parley ARGS...` and returns its exit code and output.
  CommandResult Parley(const std::vector<std::string>& args) const;
  // `parley fleet up -n N` in this harness's directory and ports.
  Status Up(int nodes);
  // `parley fleet SUBCOMMAND ARGS... --dir DIR`; an error carries the output.
  Status Fleet(const std::vector<std::string>& args) const;

  cli::FleetManifest Manifest() const;
  // A client for node `name`'s HTTP API.
  cli::NodeApi Api(const std::string& name) const;
  // Names of the nodes whose process is running.
  std::vector<std::string> RunningNodes() const;

  // Waits until every running node reports the same map digest; returns it.
  Result<std::string> WaitForSameDigest(std::chrono::milliseconds timeout) const;

 private:
  std::string dir_;
  int base_port_ = 0;
};

}  // namespace parley::testing

// Fails the test with the Status's message when `expr` is not OK.
#define PARLEY_ASSERT_OK(expr)                           \
  do {                                                   \
    ::parley::Status parley_assert_status = (expr);      \
    ASSERT_TRUE(parley_assert_status.ok()) << parley_assert_status.ToString(); \
  } while (0)

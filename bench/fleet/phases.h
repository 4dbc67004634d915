// The fleet benchmark's measurements, one function per phase. Each runs
// against a fleet that is up and converged and a redis-server, adds its
// rows to the report, and leaves the fleet converged and unpartitioned for
// the next phase (or returns an error saying what went wrong).
#pragma once

#include <chrono>
#include <string>

#include "bench/fleet/processes.h"
#include "bench/fleet/report.h"
#include "bench/fleet/resp_conn.h"
#include "storage/status.h"

namespace parley::bench {

// The one clock every timestamp of the benchmark comes from.
using Clock = std::chrono::steady_clock;

struct BenchConfig {
  int writes = 200;             // propagation samples per system
  int gap_ms = 20;              // pause between propagation writes
  int idle_ms = 2000;           // background-traffic window for the bytes phase
  int embedded_reads = 100000;  // timed libparley Get calls
  int resp_reads = 20000;       // timed RESP GETs per server
  double throughput_seconds = 3;
  int pipeline = 1;             // SETs in flight per throughput client
  double availability_seconds = 3;
  int divergent_writes = 10000;  // convergence phase, split over both sides
  int value_size = 16;
  std::chrono::milliseconds write_timeout{5000};  // a write not seen everywhere by then is "missed"
};

struct PhaseContext {
  BenchFleet* fleet;
  RedisServer* redis;
  const BenchConfig* config;
  Report* report;
};

// Propagation (and, from the same writes, bytes on the wire per update).
Status RunPropagation(const PhaseContext& ctx, bool measure_bytes);
Status RunReads(const PhaseContext& ctx);
Status RunThroughput(const PhaseContext& ctx);
Status RunAvailability(const PhaseContext& ctx);
Status RunConvergence(const PhaseContext& ctx);

// Polls every node's digest until all are equal; returns how long it took.
Result<std::chrono::milliseconds> WaitForSameDigest(const BenchFleet& fleet, std::chrono::milliseconds timeout);

// Milliseconds between two steady-clock points, as a double.
double MillisBetween(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to);

}  // namespace parley::bench

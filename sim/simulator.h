// Simulator: runs one scenario on many real node cores, deterministically.
//
// The world is a Scheduler (true virtual time), a NetworkModel, a DiskModel,
// one SimNode per machine (NodeCore + Logbook + MemEnv + skewed clock), the
// Workload and the checkers. Every node call is followed by collecting its
// outputs: packets are routed through the network model, write
// acknowledgements recorded, sync requests turned into disk completions,
// member changes judged, and the node's next timer armed.
//
// Run() plays the safety phase (workload + fault timeline), then the
// liveness phase (heal everything, restart every node, stop writing, wait
// for one state), then the checks, and returns a SimResult. Nothing here
// reads a real clock except the wall-time figure measured around the run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/checkers.h"
#include "sim/disk_model.h"
#include "sim/fault_injector.h"
#include "sim/network_model.h"
#include "sim/scenario.h"
#include "sim/scheduler.h"
#include "sim/sim_node.h"
#include "sim/sim_result.h"
#include "sim/trace_hash.h"
#include "sim/workload.h"

namespace parley::sim {

class Simulator {
 public:
  // `seed` overrides the scenario's own seed. `reproduce` is the command
  // printed for a failing run (e.g. "parley sim run x.toml --seed 7").
  static Result<std::unique_ptr<Simulator>> Create(const Scenario& scenario, uint64_t seed, std::string reproduce);

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  SimResult Run();

  // For tests and tools that inspect the world after Run().
  size_t node_count() const { return nodes_.size(); }
  const SimNode& node(size_t i) const { return *nodes_[i]; }

 private:
  Simulator(const Scenario& scenario, uint64_t seed);

  // ---- node interaction ---------------------------------------------------
  void Collect(SimNode& node);  // takes outputs, routes them, re-arms the timer
  void ArmTimer(SimNode& node);
  void OnTimer(size_t node, uint64_t token);
  void Deliver(size_t from, size_t to, Transport transport, uint64_t connection, const std::string& bytes);
  // A frame node `from` sent to the relay (RelaySpec): to every other node.
  void SendThroughRelay(size_t from, std::string bytes);
  // Hands `bytes` from `from` to `node` and routes what it answers; `route`
  // names the hop in the trace hash.
  void HandIn(SimNode& node, uint64_t route, const Address& from, Transport transport, std::string_view bytes);
  void OnSyncDone(size_t node, uint64_t life);
  void Boot(SimNode& node);
  void CrashNode(SimNode& node, bool wipe);

  // ---- workload and faults ------------------------------------------------
  void ScheduleWrite(size_t node);
  void ScheduleRead(size_t node);
  void DoWrite(size_t node);
  void Apply(const FaultEvent& fault);
  void Cut(size_t a, size_t b);
  void SampleDivergence();
  void RecordConnectivity();

  // ---- phases ---------------------------------------------------------------
  void StartLiveness();
  bool Converged();
  void Check(SimResult* result);

  uint64_t now_ms() const { return scheduler_.now_us() / 1000; }
  std::vector<const NodeCore*> LiveCores() const;
  bool Reachable(size_t a, size_t b) const;
  void Event(const std::string& label, int node = -1);

  Scenario scenario_;
  uint64_t seed_;
  std::string reproduce_;
  Scheduler scheduler_;
  NetworkModel network_;
  DiskModel disk_;
  Workload workload_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::unordered_map<std::string, size_t> by_host_;
  std::unordered_map<std::string, size_t> by_name_;
  std::unique_ptr<FaultInjector> injector_;
  MembershipMonitor membership_;
  DiskHistory disk_history_;
  TraceHash trace_;
  Durability durability_;
  bool writing_ = true;
  uint64_t next_token_ = 1;
  uint64_t write_stop_us_ = 0;

  SimResult result_;
  std::vector<uint64_t> down_since_;  // per node, UINT64_MAX when up
  std::vector<uint64_t> cut_since_;   // per node, UINT64_MAX when fully connected
};

// Runs `scenario` with `seed` and returns its result (or why it could not start).
Result<SimResult> RunScenario(const Scenario& scenario, uint64_t seed, const std::string& reproduce);

}  // namespace parley::sim

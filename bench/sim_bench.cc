// Simulator benchmarks: simulated events per second, and the wall time of
// 1000 nodes x 10 virtual minutes of light load (target: <= 60 s, one core).
//
// Wall-clock time is measured around runs only; the simulated world never
// sees it. Results go in bench/RESULTS.md, "## Simulator".
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <cstdlib>
#include <string>

#include "sim/simulator.h"

namespace parley::sim {
namespace {

Scenario LightLoad(int nodes, uint64_t virtual_ms) {
  Scenario s;
  s.name = "bench";
  s.duration_ms = virtual_ms;
  s.nodes.count = nodes;
  s.nodes.timing = "lan";  // SWIM defaults: probe every second, push-pull every 30 s
  s.nodes.seeds = {0, 1, 2};
  s.network.latency_ms = 0.5;
  s.network.jitter_ms = 0.5;
  s.workload.writes_per_s = 0.05;  // 50 writes/s over 1000 nodes
  s.workload.reads_per_s = 0;
  // Each node writes 4 registers, 4 set members and 4 hash fields over and
  // over (plus its counter and the shared churn keys), as an application
  // would, instead of a fresh key per checked write: that grew every
  // replica's map and logbook for as long as the run lasted.
  s.workload.checked_keys = 4;
  s.checks.liveness_ms = 120000;
  s.checks.sample_ms = 10000;
  return s;
}

void Run(benchmark::State& state, const Scenario& scenario) {
  uint64_t events = 0;
  double wall = 0;
  for (auto _ : state) {
    Result<SimResult> r = RunScenario(scenario, 1, "");
    if (!r.ok() || !r->ok()) {
      state.SkipWithError(r.ok() ? "a checker failed" : r.status().ToString().c_str());
      return;
    }
    events += r->events;
    wall += r->wall_seconds;
    state.counters["virtual_s"] = static_cast<double>(r->virtual_ms) / 1000.0;
    state.counters["packets"] = static_cast<double>(r->packets);
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events) / wall);
  // Peak memory of the process so far: 1000 simulated nodes each hold a map
  // and a logbook, and memory, not time, was what stopped the full run.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["max_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}

void BM_SimSmallCluster(benchmark::State& state) {
  Scenario s = LightLoad(5, 60000);
  s.nodes.timing = "local";
  s.workload.writes_per_s = 20;
  Run(state, s);
}
BENCHMARK(BM_SimSmallCluster)->Unit(benchmark::kMillisecond)->UseRealTime();

// Nodes x virtual seconds from the arguments; PARLEY_SIM_BENCH_FULL=1 adds
// 1000 x 300 s and the 1000 x 600 s target run (minutes of wall time, and
// more memory than most machines have: see RESULTS.md).
void BM_SimLightLoad(benchmark::State& state) {
  Run(state, LightLoad(static_cast<int>(state.range(0)), static_cast<uint64_t>(state.range(1)) * 1000));
}
BENCHMARK(BM_SimLightLoad)->Args({100, 600})->Args({1000, 60})->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

void RegisterFull() {
  const char* full = std::getenv("PARLEY_SIM_BENCH_FULL");
  if (full != nullptr && full[0] == '1') {
    for (int seconds : {300, 600}) {
      benchmark::RegisterBenchmark(("BM_SimLightLoad/1000/" + std::to_string(seconds)).c_str(),
                                   [seconds](benchmark::State& state) {
                                     Run(state, LightLoad(1000, static_cast<uint64_t>(seconds) * 1000));
                                   })
          ->Unit(benchmark::kSecond)
          ->UseRealTime()
          ->Iterations(1);
    }
  }
}
const int kRegistered = (RegisterFull(), 0);

}  // namespace
}  // namespace parley::sim

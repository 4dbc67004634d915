// `parley sim`: the partition-simulation harness from the command line.
//
//   parley sim run SCENARIO.toml [--seed N] [--html FILE] [--quiet]
//   parley sim swarm --runs N [--seed S] [--max-nodes K] [--max-duration-ms T] [--dump FILE]
//
// Both print the seed and trace hash of every run, and for a failing run the
// exact command that reproduces it; the exit status is 1 when an invariant
// was violated and 2 when the scenario could not be run.
#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>

#include "node/cli/command_registry.h"
#include "sim/html_report.h"
#include "sim/report.h"
#include "sim/scenario_toml.h"
#include "sim/simulator.h"
#include "sim/swarm.h"

// jemalloc's control call, when the binary links jemalloc (sanitizer builds
// do not): weak, so the command links and runs either way.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace parley::cli {
namespace {

// A simulation is a batch job whose heap grows until it ends. jemalloc hands
// pages unused for 10 s back to the kernel, and the simulator soon faults
// them in again, zeroed: clear_page was 9% of a 1000-node run (15% of its CPU
// time with the decay off, for ~15% more peak memory). So keep them.
void KeepFreedPages() {
  if (mallctl == nullptr) return;
  ssize_t never = -1;
  // 4096 is MALLCTL_ARENAS_ALL: every existing arena; "arenas." sets the
  // default for arenas created later.
  for (const char* name : {"arena.4096.dirty_decay_ms", "arena.4096.muzzy_decay_ms", "arenas.dirty_decay_ms",
                           "arenas.muzzy_decay_ms"}) {
    (void)mallctl(name, nullptr, nullptr, &never, sizeof(never));
  }
}

struct SimRunArgs {
  std::string scenario;
  uint64_t seed = 0;
  bool seed_given = false;
  std::string html;
  bool quiet = false;
};

struct SwarmArgs {
  int runs = 100;
  uint64_t seed = 1;
  std::string dump = "swarm-failure.toml";
  sim::SwarmLimits limits;
  bool quiet = false;
};

int RunScenarioCommand(const SimRunArgs& args) {
  Result<sim::Scenario> scenario = sim::LoadScenarioFile(args.scenario);
  if (!scenario.ok()) {
    std::fprintf(stderr, "parley sim: %s\n", scenario.status().message().c_str());
    return 2;
  }
  uint64_t seed = args.seed_given ? args.seed : scenario->seed;
  std::string reproduce = "parley sim run " + args.scenario + " --seed " + std::to_string(seed);
  std::printf("parley sim: %s, seed %llu\n", scenario->name.c_str(), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  Result<sim::SimResult> result = sim::RunScenario(*scenario, seed, reproduce);
  if (!result.ok()) {
    std::fprintf(stderr, "parley sim: %s\n", result.status().ToString().c_str());
    return 2;
  }
  std::fputs((args.quiet ? sim::FormatOneLine(*result) + "\n" : sim::FormatReport(*result)).c_str(), stdout);
  if (args.quiet && !result->ok()) {
    for (const std::string& v : result->violations) std::printf("  - %s\n", v.c_str());
    std::printf("reproduce with: %s\n", reproduce.c_str());
  }
  if (!args.html.empty()) {
    Status s = sim::WriteHtmlReport(*result, args.html);
    if (!s.ok()) {
      std::fprintf(stderr, "parley sim: %s\n", s.ToString().c_str());
      return 2;
    }
    std::printf("HTML report: %s\n", args.html.c_str());
  }
  return result->ok() ? 0 : 1;
}

int RunSwarmCommand(const SwarmArgs& args) {
  sim::SwarmOptions options;
  options.runs = args.runs;
  options.seed = args.seed;
  options.dump_path = args.dump;
  options.limits = args.limits;
  bool quiet = args.quiet;
  options.on_run = [quiet](int run, const sim::SimResult& r) {
    if (!quiet || !r.ok()) std::printf("%5d %s\n", run, sim::FormatOneLine(r).c_str());
    std::fflush(stdout);
  };
  std::printf("parley sim swarm: %d runs from seed %llu\n", args.runs, static_cast<unsigned long long>(args.seed));
  Result<sim::SwarmOutcome> outcome = sim::RunSwarm(options);
  if (!outcome.ok()) {
    std::fprintf(stderr, "parley sim swarm: %s\n", outcome.status().ToString().c_str());
    return 2;
  }
  if (!outcome->failure) {
    std::printf("swarm: %d runs, every invariant held\n", outcome->runs_done);
    return 0;
  }
  std::fputs(sim::FormatReport(*outcome->failure).c_str(), stdout);
  std::printf("swarm: stopped at run %d of %d\n", outcome->runs_done, args.runs);
  return 1;
}

}  // namespace

// `parley sim run|swarm`.
void AddSimCommand(CLI::App& app) {
  auto* sim = app.add_subcommand("sim", "Run nodes on a simulated network, clock and disk, and check invariants");
  sim->require_subcommand(1);

  auto run_args = std::make_shared<SimRunArgs>();
  auto* run = sim->add_subcommand("run", "Run one scenario file (safety phase with faults, then liveness)");
  run->add_option("scenario", run_args->scenario, "Scenario TOML file (see sim/scenarios/)")->required();
  run->add_option("--seed", run_args->seed, "Seed (default: the scenario's)")
      ->each([run_args](const std::string&) { run_args->seed_given = true; });
  run->add_option("--html", run_args->html, "Also write a self-contained HTML report with a timeline");
  run->add_flag("--quiet", run_args->quiet, "One summary line (plus violations)");
  run->callback([run_args] {
    KeepFreedPages();
    int rc = RunScenarioCommand(*run_args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto swarm_args = std::make_shared<SwarmArgs>();
  auto* swarm = sim->add_subcommand("swarm", "Run many random scenarios; stop at the first violation");
  swarm->add_option("--runs", swarm_args->runs, "Number of runs")->check(CLI::Range(1, 100000000));
  swarm->add_option("--seed", swarm_args->seed, "Swarm seed (run 0 uses it; a single run replays with --runs 1)");
  swarm->add_option("--dump", swarm_args->dump, "Where to write a failing run's scenario");
  swarm->add_option("--max-nodes", swarm_args->limits.max_nodes, "Largest generated cluster")
      ->check(CLI::Range(3, 1000));
  swarm->add_option("--max-duration-ms", swarm_args->limits.max_duration_ms, "Longest safety phase")
      ->check(CLI::Range(1000, 3600000));
  swarm->add_flag("--quiet", swarm_args->quiet, "Print failing runs only");
  swarm->callback([swarm_args] {
    KeepFreedPages();
    int rc = RunSwarmCommand(*swarm_args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

PARLEY_REGISTER_COMMAND(600, AddSimCommand);

}  // namespace parley::cli

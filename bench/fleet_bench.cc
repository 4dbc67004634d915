// fleet_bench: a fleet of real `parley node` processes on loopback against
// one redis-server, measured side by side (issue #10).
//
// For each fleet size it starts the nodes exactly as `parley fleet up` does
// (LocalFleet, --profile local), runs the phases below, and stops them;
// redis-server is started once by the benchmark on a free port with no
// persistence and stopped at the end.
//
//   propagation   write on one node, time until every node's keyspace
//                 notification arrives (one steady clock, no polling);
//                 redis: N subscribers of one server
//   bytes         bytes sent per update from the nodes' /metrics, idle
//                 traffic subtracted, vs (N-1) x the delta's size
//   reads         embedded libparley Get, RESP GET to a node, redis GET
//   throughput    one SET client per node vs N clients on one redis-server
//   availability  writes/reads on both sides of a partition
//   convergence   heal a partition both sides wrote through; time until
//                 all digests are equal
//
// Prints one table, writes a CSV and an SVG of propagation vs fleet size.
// Not part of ctest: a full run takes minutes and wants a quiet machine.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/fleet/phases.h"
#include "bench/fleet/processes.h"
#include "bench/fleet/report.h"

namespace parley::bench {
namespace {

namespace fs = std::filesystem;

struct Flags {
  std::vector<int> sizes = {8, 32, 64};
  std::set<std::string> phases = {"propagation", "bytes", "reads", "throughput", "availability", "convergence"};
  BenchConfig config;
  FleetSpec fleet;
  std::string csv = "fleet_bench.csv";
  std::string svg = "propagation.svg";
  std::string work_dir;
  std::string svg_from_csv;  // only redraw the plot from saved results
};

const char kUsage[] =
    "usage: fleet_bench [flags]\n"
    "  --sizes=8,32,64          fleet sizes (1..99 nodes each)\n"
    "  --phases=LIST            propagation,bytes,reads,throughput,availability,convergence\n"
    "  --quick                  sizes 4,8 and small counts: a smoke run, about 15 s per size\n"
    "  --writes=200             propagation samples per system and size\n"
    "  --gap-ms=20              pause between propagation writes\n"
    "  --embedded-reads=100000  --resp-reads=20000\n"
    "  --throughput-seconds=3   --pipeline=1\n"
    "  --availability-seconds=3 --divergent-writes=10000\n"
    "  --sync=none              the nodes' --sync (none|batch|always); redis-server runs without persistence\n"
    "  --profile=local          the nodes' timing profile\n"
    "  --parley=PATH            the parley binary (default: the one built with this benchmark)\n"
    "  --csv=fleet_bench.csv    --svg=propagation.svg\n"
    "  --work-dir=DIR           fleet directories and logs (default: a new /tmp directory, removed after)\n"
    "  --svg-from-csv=FILE      run nothing; redraw --svg from a CSV this program wrote\n";

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Status ParseFlags(int argc, char** argv, Flags* f) {
  f->fleet.binary = PARLEY_BINARY;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      f->sizes = {4, 8};
      f->config.writes = 30;
      f->config.idle_ms = 500;
      f->config.embedded_reads = 20000;
      f->config.resp_reads = 2000;
      f->config.throughput_seconds = 1;
      f->config.availability_seconds = 1;
      f->config.divergent_writes = 1000;
      continue;
    }
    if (arg == "--help" || arg == "-h") return Status::InvalidArgument(kUsage);
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      return Status::InvalidArgument("unknown argument '" + arg + "'\n" + kUsage);
    }
    std::string name = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    try {
      if (name == "sizes") {
        f->sizes.clear();
        for (const std::string& s : SplitList(value)) f->sizes.push_back(std::stoi(s));
      } else if (name == "phases") {
        std::vector<std::string> list = SplitList(value);
        for (const std::string& p : list) {
          if (!Flags().phases.count(p)) return Status::InvalidArgument("unknown phase '" + p + "'");
        }
        f->phases = {list.begin(), list.end()};
      } else if (name == "writes") f->config.writes = std::stoi(value);
      else if (name == "gap-ms") f->config.gap_ms = std::stoi(value);
      else if (name == "embedded-reads") f->config.embedded_reads = std::stoi(value);
      else if (name == "resp-reads") f->config.resp_reads = std::stoi(value);
      else if (name == "throughput-seconds") f->config.throughput_seconds = std::stod(value);
      else if (name == "pipeline") f->config.pipeline = std::max(1, std::stoi(value));
      else if (name == "availability-seconds") f->config.availability_seconds = std::stod(value);
      else if (name == "divergent-writes") f->config.divergent_writes = std::stoi(value);
      else if (name == "sync") f->fleet.sync = value;
      else if (name == "profile") f->fleet.profile = value;
      else if (name == "parley") f->fleet.binary = value;
      else if (name == "csv") f->csv = value;
      else if (name == "svg") f->svg = value;
      else if (name == "work-dir") f->work_dir = value;
      else if (name == "svg-from-csv") f->svg_from_csv = value;
      else return Status::InvalidArgument("unknown flag --" + name + "\n" + kUsage);
    } catch (const std::exception&) {
      return Status::InvalidArgument("--" + name + ": not a number: " + value);
    }
  }
  if (f->config.writes < 1) return Status::InvalidArgument("--writes must be at least 1");
  for (int n : f->sizes) {
    if (n < 2 || n > 99) return Status::InvalidArgument("fleet sizes are 2..99, not " + std::to_string(n));
  }
  return Status::Ok();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Runs one phase; a failure is printed and recorded, and the run goes on
// with the next phase rather than throwing away the sizes measured so far.
void RunPhase(const char* name, const Status& status, Report* report, int nodes) {
  if (status.ok()) return;
  std::fprintf(stderr, "fleet_bench: %s at %d nodes failed: %s\n", name, nodes, status.ToString().c_str());
  report->Add({name, nodes, "parley", "error", 0, "", status.ToString().substr(0, 160)});
}

int Main(int argc, char** argv) {
  Flags flags;
  Status parsed = ParseFlags(argc, argv, &flags);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.ToString().c_str());
    return 2;
  }
  if (!flags.svg_from_csv.empty()) {
    Report saved;
    Status status = saved.LoadCsv(flags.svg_from_csv);
    if (status.ok()) status = saved.WritePropagationSvg(flags.svg);
    std::printf("%s\n", status.ok() ? ("wrote " + flags.svg).c_str() : status.ToString().c_str());
    return status.ok() ? 0 : 1;
  }
  bool own_work_dir = flags.work_dir.empty();
  if (own_work_dir) {
    char pattern[] = "/tmp/parley-fleet-bench-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) {
      std::fprintf(stderr, "fleet_bench: cannot create a work directory in /tmp\n");
      return 1;
    }
    flags.work_dir = made;
  }
  std::printf("fleet_bench: parley %s, profile %s, sync %s; %u hardware threads; load average %s\n",
              flags.fleet.binary.c_str(), flags.fleet.profile.c_str(), flags.fleet.sync.c_str(),
              std::thread::hardware_concurrency(), LoadAverage().c_str());

  Report report;
  {
    auto redis = RedisServer::Start(flags.work_dir + "/redis");
    if (!redis.ok()) {
      std::fprintf(stderr, "fleet_bench: %s\n", redis.status().ToString().c_str());
      return 1;
    }
    std::printf("fleet_bench: redis-server %s on %s\n", (*redis)->version().c_str(), (*redis)->address().c_str());
    for (int n : flags.sizes) {
      FleetSpec spec = flags.fleet;
      spec.nodes = n;
      spec.dir = flags.work_dir + "/fleet-" + std::to_string(n);
      std::printf("fleet_bench: starting %d nodes...\n", n);
      std::fflush(stdout);
      Clock::time_point up_start = Clock::now();
      auto fleet = BenchFleet::Up(spec);
      if (!fleet.ok()) {
        RunPhase("startup", fleet.status(), &report, n);
        continue;
      }
      report.Add({"startup", n, "parley", "membership_converged", MillisBetween(up_start, Clock::now()), "ms",
                  "fleet up until every node sees all alive"});
      PhaseContext ctx{fleet->get(), redis->get(), &flags.config, &report};
      auto phase = [&](const char* name, auto run) {
        if (!flags.phases.count(name)) return;
        std::printf("fleet_bench: %d nodes: %s (load average %s)\n", n, name, LoadAverage().c_str());
        std::fflush(stdout);
        RunPhase(name, run(), &report, n);
      };
      bool bytes = flags.phases.count("bytes") > 0;
      if (flags.phases.count("propagation") || bytes) {
        std::printf("fleet_bench: %d nodes: propagation%s (load average %s)\n", n, bytes ? " + bytes" : "",
                    LoadAverage().c_str());
        std::fflush(stdout);
        RunPhase("propagation", RunPropagation(ctx, bytes), &report, n);
      }
      phase("reads", [&] { return RunReads(ctx); });
      phase("throughput", [&] { return RunThroughput(ctx); });
      phase("availability", [&] { return RunAvailability(ctx); });
      phase("convergence", [&] { return RunConvergence(ctx); });
    }  // the fleet stops here
  }  // and redis-server here

  std::printf("\nload average at the end: %s\n\n", LoadAverage().c_str());
  report.PrintTable();
  Status csv = report.WriteCsv(flags.csv);
  std::printf("\n%s %s\n", csv.ok() ? "wrote" : "could not write", flags.csv.c_str());
  if (flags.phases.count("propagation")) {
    Status svg = report.WritePropagationSvg(flags.svg);
    std::printf("%s %s\n", svg.ok() ? "wrote" : "could not write", flags.svg.c_str());
  }
  if (own_work_dir) {
    std::error_code ec;
    fs::remove_all(flags.work_dir, ec);
  }
  return csv.ok() ? 0 : 1;
}

}  // namespace
}  // namespace parley::bench

int main(int argc, char** argv) { return parley::bench::Main(argc, argv); }

// LocalFleet: launching, stopping, crashing and partitioning local nodes.
#include "node/cli/local_fleet.h"

#include <signal.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "node/cli/node_api.h"
#include "node/cli/node_process.h"
#include "node/cli/port_probe.h"

namespace parley::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPollInterval(100);

std::string HostPort(const std::string& host, int port) { return host + ":" + std::to_string(port); }

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// The last lines of a node's log, to explain why it failed to start.
std::string LogTail(const std::string& path, size_t lines = 12) {
  std::ifstream in(path);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& line : tail) out += "\n    | " + line;
  return out.empty() ? " (log is empty)" : out;
}

// Names of the members a node lists as alive.
Result<std::set<std::string>> AliveMembers(const FleetNode& node) {
  NodeApi api(node.http);
  auto members = api.GetMembers();
  if (!members.ok()) return members.status();
  std::set<std::string> alive;
  for (const auto& m : *members) {
    if (JsonText(m, "state") == "alive") alive.insert(JsonText(m, "name"));
  }
  return alive;
}

}  // namespace

Result<LocalFleet> LocalFleet::Open(const std::string& dir) {
  auto manifest = LoadManifest(dir);
  if (!manifest.ok()) return manifest.status();
  return LocalFleet(std::move(*manifest));
}

bool LocalFleet::IsRunning(const FleetNode& node) const {
  return IsNodeProcessRunning(node.pid, node.data_dir);
}

Result<LocalFleet> LocalFleet::Up(const FleetUpOptions& options, const ProgressFn& progress) {
  if (options.nodes < 1 || options.nodes > 99) {
    return Status::InvalidArgument("a local fleet has 1 to 99 nodes, not " + std::to_string(options.nodes));
  }
  if (options.base_port < 1 || options.base_port + 200 + options.nodes > 65535) {
    return Status::InvalidArgument("base port " + std::to_string(options.base_port) +
                                   " leaves no room for base+200+N (RESP ports)");
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return Status::IoError("cannot create fleet directory " + options.dir + ": " + ec.message());

  // A running fleet in the same directory must be stopped first: two
  // fleets sharing data directories would fight over the logbook locks.
  if (auto existing = LoadManifest(options.dir); existing.ok()) {
    LocalFleet old(std::move(*existing));
    for (const FleetNode& node : old.manifest_.nodes) {
      if (old.IsRunning(node)) {
        return Status::Unavailable("a fleet is already running in " + options.dir + " (" + node.name +
                                   " is pid " + std::to_string(node.pid) +
                                   "); stop it with `parley fleet down --dir " + options.dir + "`");
      }
    }
  }

  FleetManifest manifest;
  manifest.dir = fs::absolute(options.dir).lexically_normal().string();
  manifest.profile = options.profile;
  manifest.sync = options.sync;
  manifest.base_port = options.base_port;
  if (options.binary.empty()) {
    auto self = CurrentExecutable();
    if (!self.ok()) return self.status();
    manifest.binary = *self;
  } else {
    manifest.binary = options.binary;
  }
  for (int i = 0; i < options.nodes; ++i) {
    FleetNode node;
    node.name = "n" + std::to_string(i + 1);
    node.gossip = HostPort(options.host, options.base_port + i);
    node.http = HostPort(options.host, options.base_port + 100 + i);
    node.resp = HostPort(options.host, options.base_port + 200 + i);
    fs::path node_dir = fs::path(manifest.dir) / node.name;
    node.data_dir = (node_dir / "data").string();
    node.log_file = (node_dir / "node.log").string();
    fs::create_directories(node_dir, ec);
    if (ec) return Status::IoError("cannot create " + node_dir.string() + ": " + ec.message());
    const std::pair<int, const char*> ports[] = {{options.base_port + i, "gossip"},
                                                 {options.base_port + 100 + i, "HTTP"},
                                                 {options.base_port + 200 + i, "RESP"}};
    for (const auto& [port, purpose] : ports) {
      bool udp_too = std::string(purpose) == "gossip";
      if (!CanBindPort(options.host, port, false) || (udp_too && !CanBindPort(options.host, port, true))) {
        return Status::Unavailable("port " + std::to_string(port) + " (" + node.name + " " + purpose +
                                   ") is in use; choose other ports with --base-port");
      }
    }
    manifest.nodes.push_back(std::move(node));
  }

  LocalFleet fleet(std::move(manifest));
  // Record the manifest before any process exists and after each start, so
  // `fleet down` (or a test's guard) can always find what was started.
  PARLEY_RETURN_IF_ERROR(SaveManifest(fleet.manifest_));
  Status started = fleet.StartAll(options.wait, progress);
  if (!started.ok()) {
    // Half a fleet is worse than none: it would hold the ports and make the
    // next `fleet up` fail too.
    (void)fleet.Down(milliseconds(3000));
    return started.WithContext("the started nodes were stopped again");
  }
  return fleet;
}

Status LocalFleet::StartAll(milliseconds wait, const ProgressFn& progress) {
  for (FleetNode& node : manifest_.nodes) {
    std::vector<std::string> seeds;
    if (&node != &manifest_.nodes.front()) seeds.push_back(manifest_.nodes.front().gossip);
    PARLEY_RETURN_IF_ERROR(StartNode(node, seeds));
  }
  auto start = Clock::now();
  for (const FleetNode& node : manifest_.nodes) {
    milliseconds left = wait - Since(start);
    PARLEY_RETURN_IF_ERROR(WaitUntilServing(node, std::max(left, milliseconds(1000))));
  }
  return WaitForMembership(wait - Since(start), progress);
}

Status LocalFleet::StartNode(FleetNode& node, const std::vector<std::string>& seeds) {
  std::vector<std::string> args = {"node",     "--name",    node.name,          "--data-dir",
                                   node.data_dir, "--bind", node.gossip,        "--http",
                                   node.http,  "--resp",    node.resp,          "--profile",
                                   manifest_.profile, "--sync", manifest_.sync};
  if (!seeds.empty()) {
    std::string joined;
    for (const std::string& seed : seeds) joined += (joined.empty() ? "" : ",") + seed;
    args.push_back("--seeds");
    args.push_back(joined);
  }
  std::error_code ec;
  fs::create_directories(fs::path(node.log_file).parent_path(), ec);
  auto pid = SpawnDetached(manifest_.binary, args, node.log_file);
  if (!pid.ok()) return pid.status().WithContext("starting " + node.name);
  node.pid = *pid;
  return SaveManifest(manifest_);
}

Status LocalFleet::WaitUntilServing(const FleetNode& node, milliseconds timeout) {
  NodeApi api(node.http);
  auto start = Clock::now();
  while (true) {
    // We launched it, so a node that died during start-up is our child:
    // reap it and say why, instead of waiting for the timeout.
    if (ReapIfExited(node.pid)) {
      return Status::Unavailable(node.name + " (pid " + std::to_string(node.pid) +
                                 ") exited during start-up; its log " + node.log_file + " ends:" +
                                 LogTail(node.log_file));
    }
    if (api.CheckHealth().ok()) return Status::Ok();
    if (Since(start) > timeout) {
      return Status::TimedOut(node.name + " did not answer on http://" + node.http + "/healthz within " +
                              std::to_string(timeout.count()) + " ms; its log " + node.log_file +
                              " ends:" + LogTail(node.log_file));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status LocalFleet::WaitForMembership(milliseconds timeout, const ProgressFn& progress) {
  std::vector<const FleetNode*> running;
  std::set<std::string> expected;
  for (const FleetNode& node : manifest_.nodes) {
    if (IsRunning(node)) {
      running.push_back(&node);
      expected.insert(node.name);
    }
  }
  auto start = Clock::now();
  while (true) {
    int converged = 0;
    std::string lagging;
    for (const FleetNode* node : running) {
      auto alive = AliveMembers(*node);
      bool sees_all = alive.ok() && std::includes(alive->begin(), alive->end(), expected.begin(), expected.end());
      if (sees_all) ++converged;
      else lagging += (lagging.empty() ? "" : ", ") + node->name;
    }
    if (progress) progress(converged, static_cast<int>(running.size()), Since(start));
    if (converged == static_cast<int>(running.size())) return Status::Ok();
    if (Since(start) > timeout) {
      return Status::TimedOut("membership did not converge within " + std::to_string(timeout.count()) +
                              " ms: " + lagging + " do not yet see all " + std::to_string(running.size()) +
                              " nodes alive (see `parley members --fleet " + manifest_.dir + " --on " +
                              running.front()->name + "`)");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status LocalFleet::StopNodes(const std::vector<FleetNode*>& nodes, milliseconds grace) {
  // One SIGTERM each, all at once, so the nodes leave in parallel. Never a
  // second SIGTERM: the node treats that as "exit now, skip the leave".
  std::vector<FleetNode*> stopping;
  for (FleetNode* node : nodes) {
    if (IsRunning(*node)) {
      (void)SignalProcess(node->pid, SIGTERM);
      stopping.push_back(node);
    } else {
      node->pid = 0;
    }
  }
  auto any_running = [&] {
    bool any = false;
    for (FleetNode* node : stopping) {
      ReapIfExited(node->pid);
      any = any || IsRunning(*node);
    }
    return any;
  };
  auto start = Clock::now();
  while (any_running() && Since(start) < grace) std::this_thread::sleep_for(milliseconds(50));
  Status result;
  for (FleetNode* node : stopping) {
    if (IsRunning(*node)) (void)SignalProcess(node->pid, SIGKILL);  // a straggler
  }
  while (any_running() && Since(start) < grace + milliseconds(5000)) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (FleetNode* node : stopping) {
    if (IsRunning(*node) && result.ok()) {
      result = Status::IoError(node->name + " (pid " + std::to_string(node->pid) + ") survived SIGKILL");
    } else {
      node->pid = 0;
    }
  }
  return result;
}

Status LocalFleet::Down(milliseconds grace) {
  std::vector<FleetNode*> all;
  for (FleetNode& node : manifest_.nodes) all.push_back(&node);
  Status result = StopNodes(all, grace);
  Status saved = SaveManifest(manifest_);
  return result.ok() ? saved : result;
}

Status LocalFleet::Kill(const std::string& name) {
  FleetNode* node = manifest_.Find(name);
  if (node == nullptr) return Status::NotFound("fleet " + manifest_.dir + " has no node '" + name + "'");
  if (!IsRunning(*node)) return Status::Unavailable(name + " is not running");
  PARLEY_RETURN_IF_ERROR(SignalProcess(node->pid, SIGKILL));
  auto start = Clock::now();
  while (IsRunning(*node) && Since(start) < milliseconds(5000)) {
    ReapIfExited(node->pid);
    std::this_thread::sleep_for(milliseconds(10));
  }
  // Keep the pid: fleet.json then shows which process was killed, and
  // IsRunning() already tells that it is gone.
  return Status::Ok();
}

Status LocalFleet::Restart(const std::string& name, milliseconds wait, const ProgressFn& progress) {
  FleetNode* node = manifest_.Find(name);
  if (node == nullptr) return Status::NotFound("fleet " + manifest_.dir + " has no node '" + name + "'");
  PARLEY_RETURN_IF_ERROR(StopNodes({node}, milliseconds(10000)));
  // Seed with every other node: the original seed (n1) may be the one
  // restarting, or down.
  std::vector<std::string> seeds;
  for (const FleetNode& other : manifest_.nodes) {
    if (other.name != name) seeds.push_back(other.gossip);
  }
  auto start = Clock::now();
  PARLEY_RETURN_IF_ERROR(StartNode(*node, seeds));
  PARLEY_RETURN_IF_ERROR(WaitUntilServing(*node, wait));
  return WaitForMembership(std::max(wait - Since(start), milliseconds(1000)), progress);
}

Status LocalFleet::Partition(std::vector<std::vector<std::string>> groups) {
  std::set<std::string> listed;
  for (const auto& group : groups) {
    for (const std::string& name : group) {
      if (manifest_.Find(name) == nullptr) {
        return Status::NotFound("fleet " + manifest_.dir + " has no node '" + name + "'");
      }
      if (!listed.insert(name).second) return Status::InvalidArgument(name + " is in two groups");
    }
  }
  if (groups.size() == 1) {  // "A,B" alone: A,B versus everyone else
    std::vector<std::string> rest;
    for (const FleetNode& node : manifest_.nodes) {
      if (!listed.count(node.name)) rest.push_back(node.name);
    }
    if (rest.empty()) return Status::InvalidArgument("the group holds every node; nothing to cut off");
    groups.push_back(rest);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string> drop;
    for (size_t other = 0; other < groups.size(); ++other) {
      if (other != g) drop.insert(drop.end(), groups[other].begin(), groups[other].end());
    }
    for (const std::string& name : groups[g]) {
      const FleetNode* node = manifest_.Find(name);
      if (!IsRunning(*node)) continue;  // nothing to configure; it drops everything anyway
      NodeApi api(node->http);
      PARLEY_RETURN_IF_ERROR(api.SetFaults(drop).WithContext("partitioning " + name));
    }
  }
  return Status::Ok();
}

Status LocalFleet::Heal() {
  for (const FleetNode& node : manifest_.nodes) {
    if (!IsRunning(node)) continue;
    NodeApi api(node.http);
    PARLEY_RETURN_IF_ERROR(api.ClearFaults().WithContext("healing " + node.name));
  }
  return Status::Ok();
}

}  // namespace parley::cli

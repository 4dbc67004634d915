// `parley fleet`: a local fleet of real node processes for demos and tests.
//
//   parley fleet up -n 5        start n1..n5 on loopback, wait until they
//                               see each other, print a table and a banner
//   parley fleet status         table of nodes with keys and map digests
//   parley fleet down           graceful stop (SIGTERM, then SIGKILL)
//   parley fleet kill n2        crash one node (SIGKILL)
//   parley fleet restart n2     start it again on its data and ports
//   parley fleet partition n1,n2 / n3   cut gossip between groups
//   parley fleet heal           remove every cut
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "node/cli/command_registry.h"
#include "node/cli/local_fleet.h"
#include "node/cli/node_api.h"
#include "node/cli/node_process.h"
#include "node/cli/text_table.h"

namespace parley::cli {
namespace {

using std::chrono::milliseconds;

struct FleetCommandOptions {
  std::string dir = "fleet";
  FleetUpOptions up;
  int wait_seconds = 30;
  int grace_seconds = 10;
  std::string node_name;
  std::vector<std::string> partition_args;
};

void Fail(const Status& status) {
  std::fflush(stdout);
  std::fprintf(stderr, "\n(error) %s\n", status.ToString().c_str());
  throw CLI::RuntimeError(1);
}

// How to invoke this binary from the current directory, for the banner.
std::string SelfForDisplay() {
  auto self = CurrentExecutable();
  if (!self.ok()) return "parley";
  std::error_code ec;
  auto relative = std::filesystem::relative(*self, std::filesystem::current_path(), ec);
  if (ec || relative.empty() || relative.string().rfind("..", 0) == 0) return *self;
  return relative.string();
}

// A live progress line on a terminal; one line per change otherwise, so logs
// of scripts and CI stay short.
ProgressFn MembershipProgress() {
  bool tty = ::isatty(STDERR_FILENO) != 0;
  auto last = std::make_shared<int>(-1);
  return [tty, last](int converged, int total, milliseconds elapsed) {
    if (!tty && converged == *last) return;
    *last = converged;
    std::fprintf(stderr, "%swaiting for membership: %d/%d nodes see all %d alive (%.1fs)%s", tty ? "\r" : "",
                 converged, total, total, static_cast<double>(elapsed.count()) / 1000.0, tty ? "" : "\n");
    if (tty && converged == total) std::fprintf(stderr, "\n");
  };
}

std::string MemberState(const FleetNode& node) {
  NodeApi api(node.http);
  auto members = api.GetMembers();
  if (!members.ok()) return "unreachable";
  for (const auto& m : *members) {
    if (JsonText(m, "name") == node.name) return JsonText(m, "state");
  }
  return "?";
}

void PrintUpBanner(const LocalFleet& fleet) {
  const FleetManifest& m = fleet.manifest();
  TextTable table({"NAME", "PID", "GOSSIP", "HTTP", "RESP", "STATE"});
  for (const FleetNode& node : m.nodes) {
    table.AddRow({node.name, std::to_string(node.pid), node.gossip, node.http, node.resp, MemberState(node)});
  }
  std::string self = SelfForDisplay();
  std::string dir_flag = m.dir;
  std::error_code ec;
  auto rel = std::filesystem::relative(m.dir, std::filesystem::current_path(), ec);
  if (!ec && !rel.empty() && rel.string().rfind("..", 0) != 0) dir_flag = rel.string();
  const FleetNode& first = m.nodes.front();
  const FleetNode& second = m.nodes.size() > 1 ? m.nodes[1] : first;
  std::printf("==> parley fleet of %zu node%s is up (profile %s, sync %s)\n\n", m.nodes.size(),
              m.nodes.size() == 1 ? "" : "s", m.profile.c_str(), m.sync.c_str());
  std::printf("%s\n", table.Render("    ").c_str());
  std::printf("    fleet directory: %s (fleet.json; <name>/data, <name>/node.log)\n\n", dir_flag.c_str());
  std::printf("==> Try it:\n");
  std::printf("    %s set greeting hello --node %s\n", self.c_str(), first.http.c_str());
  std::printf("    %s get greeting --fleet %s --on %s\n", self.c_str(), dir_flag.c_str(), second.name.c_str());
  std::printf("    %s members --node %s\n", self.c_str(), first.http.c_str());
  std::printf("    curl http://%s/v1/status\n", first.http.c_str());
  std::printf("    redis-cli -p %s ping\n",
              first.resp.substr(first.resp.rfind(':') + 1).c_str());
  if (m.nodes.size() > 1) {
    std::printf("    %s fleet partition %s / %s --dir %s;  then: fleet heal\n", self.c_str(),
                first.name.c_str(), second.name.c_str(), dir_flag.c_str());
  }
  std::printf("\n==> Stop it: %s fleet down --dir %s\n", self.c_str(), dir_flag.c_str());
}

void RunUp(FleetCommandOptions& o) {
  o.up.dir = o.dir;
  o.up.wait = std::chrono::seconds(o.wait_seconds);
  std::fprintf(stderr, "starting %d node%s in %s ...\n", o.up.nodes, o.up.nodes == 1 ? "" : "s", o.dir.c_str());
  auto fleet = LocalFleet::Up(o.up, MembershipProgress());
  if (!fleet.ok()) {
    Fail(fleet.status().WithContext("fleet up"));
  }
  PrintUpBanner(*fleet);
}

Result<LocalFleet> OpenFleet(const std::string& dir) {
  auto fleet = LocalFleet::Open(dir);
  if (!fleet.ok()) Fail(fleet.status());
  return fleet;
}

void RunStatus(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  TextTable table({"NAME", "PID", "STATE", "MEMBERS", "KEYS", "DIGEST", "HTTP", "GOSSIP"});
  int running = 0;
  for (const FleetNode& node : fleet->manifest().nodes) {
    std::vector<std::string> row = {node.name, node.pid > 0 ? std::to_string(node.pid) : "-"};
    if (!fleet->IsRunning(node)) {
      row.insert(row.end(), {node.pid > 0 ? "dead" : "stopped", "-", "-", "-", node.http, node.gossip});
      table.AddRow(row);
      continue;
    }
    ++running;
    NodeApi api(node.http);
    auto status = api.GetStatus();
    if (!status.ok()) {
      row.insert(row.end(), {"unreachable", "-", "-", "-", node.http, node.gossip});
      table.AddRow(row);
      continue;
    }
    const nlohmann::json& members = status->contains("members") ? (*status)["members"] : nlohmann::json();
    std::string membership = std::to_string(JsonInteger(members, "alive")) + " alive";
    for (const char* state : {"suspect", "dead"}) {
      if (int64_t n = JsonInteger(members, state); n > 0) membership += ", " + std::to_string(n) + " " + state;
    }
    row.insert(row.end(), {"running", membership, std::to_string(JsonInteger(*status, "keys")),
                           JsonText(*status, "digest").substr(0, 12), node.http, node.gossip});
    table.AddRow(row);
  }
  std::printf("%s", table.Render().c_str());
  std::printf("%d of %zu nodes running\n", running, fleet->manifest().nodes.size());
}

void RunDown(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  int running = 0;
  for (const FleetNode& node : fleet->manifest().nodes) running += fleet->IsRunning(node) ? 1 : 0;
  std::fprintf(stderr, "stopping %d running node%s in %s (graceful leave, SIGKILL after %ds) ...\n", running,
               running == 1 ? "" : "s", o.dir.c_str(), o.grace_seconds);
  Status stopped = fleet->Down(std::chrono::seconds(o.grace_seconds));
  if (!stopped.ok()) Fail(stopped);
  std::printf("the fleet in %s is down (its data is kept; `fleet up` reuses it)\n", o.dir.c_str());
}

void RunKill(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  Status killed = fleet->Kill(o.node_name);
  if (!killed.ok()) Fail(killed);
  std::printf("killed %s (SIGKILL); restart it with: fleet restart %s\n", o.node_name.c_str(), o.node_name.c_str());
}

void RunRestart(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  Status restarted = fleet->Restart(o.node_name, std::chrono::seconds(o.wait_seconds), MembershipProgress());
  if (!restarted.ok()) Fail(restarted);
  const FleetNode* node = fleet->manifest().Find(o.node_name);
  std::printf("%s is running again (pid %d, http %s)\n", o.node_name.c_str(), node->pid, node->http.c_str());
}

// "n1,n2 / n3" arrives as one or several arguments; join and split on '/'.
std::vector<std::vector<std::string>> ParseGroups(const std::vector<std::string>& args) {
  std::string text;
  for (const std::string& arg : args) text += arg + " ";
  std::vector<std::vector<std::string>> groups(1);
  std::string name;
  auto flush_name = [&] {
    if (!name.empty()) groups.back().push_back(name);
    name.clear();
  };
  for (char c : text) {
    if (c == '/') {
      flush_name();
      groups.emplace_back();
    } else if (c == ',' || c == ' ') {
      flush_name();
    } else {
      name.push_back(c);
    }
  }
  flush_name();
  std::erase_if(groups, [](const auto& g) { return g.empty(); });
  return groups;
}

void RunPartition(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  auto groups = ParseGroups(o.partition_args);
  if (groups.empty()) Fail(Status::InvalidArgument("name the groups, e.g. `fleet partition n1,n2 / n3`"));
  Status cut = fleet->Partition(groups);
  if (!cut.ok()) Fail(cut);
  std::string shown;
  for (const auto& group : groups) {
    std::string g;
    for (const std::string& name : group) g += (g.empty() ? "" : ",") + name;
    shown += (shown.empty() ? "" : " | ") + g;
  }
  std::printf("partitioned: %s%s (undo with: fleet heal)\n", shown.c_str(),
              groups.size() == 1 ? " | the rest" : "");
}

void RunHeal(const FleetCommandOptions& o) {
  auto fleet = OpenFleet(o.dir);
  Status healed = fleet->Heal();
  if (!healed.ok()) Fail(healed);
  std::printf("healed: every node talks to every node again\n");
}

void AddFleetCommand(CLI::App& app) {
  auto o = std::make_shared<FleetCommandOptions>();
  auto* fleet = app.add_subcommand("fleet", "Run a local fleet of node processes (up, status, down, ...)");
  fleet->require_subcommand(1);
  fleet->add_option("--dir", o->dir, "Fleet directory (fleet.json, per-node data and logs)")->capture_default_str();

  auto* up = fleet->add_subcommand("up", "Start N nodes on loopback and wait until they see each other");
  up->add_option("-n,--nodes", o->up.nodes, "Number of nodes")->capture_default_str();
  up->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  up->add_option("--base-port", o->up.base_port,
                 "Node i gets gossip base+i, HTTP base+100+i, RESP base+200+i")->capture_default_str();
  up->add_option("--profile", o->up.profile, "Timing profile: local or lan")->capture_default_str()
      ->check(CLI::IsMember({"local", "lan"}));
  up->add_option("--sync", o->up.sync, "Logbook sync policy: always, batch or none")->capture_default_str()
      ->check(CLI::IsMember({"always", "batch", "none"}));
  up->add_option("--wait", o->wait_seconds, "Seconds to wait for membership to converge")->capture_default_str();
  up->callback([o] { RunUp(*o); });

  auto* status = fleet->add_subcommand("status", "Show each node: process, membership, keys, digest");
  status->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  status->callback([o] { RunStatus(*o); });

  auto* down = fleet->add_subcommand("down", "Stop every node gracefully (SIGTERM, then SIGKILL)");
  down->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  down->add_option("--grace", o->grace_seconds, "Seconds to wait before SIGKILL")->capture_default_str();
  down->callback([o] { RunDown(*o); });

  auto* kill = fleet->add_subcommand("kill", "Crash one node with SIGKILL");
  kill->add_option("NAME", o->node_name, "Node name, e.g. n2")->required();
  kill->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  kill->callback([o] { RunKill(*o); });

  auto* restart = fleet->add_subcommand("restart", "Start one node again on its data directory and ports");
  restart->add_option("NAME", o->node_name, "Node name, e.g. n2")->required();
  restart->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  restart->add_option("--wait", o->wait_seconds, "Seconds to wait for it to rejoin")->capture_default_str();
  restart->callback([o] { RunRestart(*o); });

  auto* partition = fleet->add_subcommand("partition", "Cut gossip between groups: A,B / C,D");
  partition->add_option("GROUPS", o->partition_args, "Groups of node names separated by /")->required();
  partition->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  partition->callback([o] { RunPartition(*o); });

  auto* heal = fleet->add_subcommand("heal", "Remove every partition and fault");
  heal->add_option("--dir", o->dir, "Fleet directory")->capture_default_str();
  heal->callback([o] { RunHeal(*o); });
}

}  // namespace

PARLEY_REGISTER_COMMAND(300, AddFleetCommand);

}  // namespace parley::cli

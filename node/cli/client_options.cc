// Client options: the global --node/--fleet/--on/--durability/--raw flags and
// the runner that turns a command's Status into output and an exit code.
#include "node/cli/client_options.h"

#include <cstdio>
#include <cstdlib>

#include "node/cli/command_registry.h"
#include "node/cli/fleet_manifest.h"
#include "node/cli/node_process.h"

namespace parley::cli {
namespace {

constexpr const char* kDefaultNode = "127.0.0.1:8080";

// "local" or "quorum:K" with K >= 1; an empty string is valid for CLI11.
std::string CheckDurability(const std::string& text) {
  if (text == "local") return "";
  if (text.rfind("quorum:", 0) == 0) {
    std::string k = text.substr(7);
    if (!k.empty() && k.find_first_not_of("0123456789") == std::string::npos && std::stoi(k) >= 1) {
      return "";
    }
  }
  return "durability must be local or quorum:K (K >= 1), got '" + text + "'";
}

void AddGlobalClientOptions(CLI::App& app) {
  ClientOptions& o = GlobalClientOptions();
  auto* group = "Client options (get, set, members, watch, ...)";
  app.add_option("--node", o.node, "HTTP address of the node to talk to (default $PARLEY_NODE or " +
                                       std::string(kDefaultNode) + ")")
      ->group(group);
  app.add_option("--fleet", o.fleet_dir, "Talk to a node of the local fleet in this directory")
      ->group(group);
  app.add_option("--on", o.on, "Name of the fleet node to talk to (n1, n2, ...; with --fleet, "
                               "default ./fleet)")
      ->group(group);
  app.add_option("--durability", o.durability, "How writes wait: local or quorum:K")
      ->check(CheckDurability)
      ->group(group);
  app.add_option("--timeout-ms", o.timeout_ms, "How long a quorum write may wait")->group(group);
  app.add_flag("--raw", o.raw, "Print bare values (for scripts)")->group(group);
}

}  // namespace

ClientOptions& GlobalClientOptions() {
  static ClientOptions options;
  return options;
}

Result<std::string> ResolveNodeAddress(const ClientOptions& options) {
  if (!options.fleet_dir.empty() || !options.on.empty()) {
    std::string dir = options.fleet_dir.empty() ? "fleet" : options.fleet_dir;
    Result<FleetManifest> manifest = LoadManifest(dir);
    if (!manifest.ok()) return manifest.status();
    if (!options.on.empty()) {
      const FleetNode* node = manifest->Find(options.on);
      if (node == nullptr) {
        std::string names;
        for (const FleetNode& n : manifest->nodes) names += (names.empty() ? "" : ", ") + n.name;
        return Status::NotFound("fleet " + dir + " has no node '" + options.on + "' (it has " + names + ")");
      }
      return node->http;
    }
    // No --on: the first node that is running.
    for (const FleetNode& node : manifest->nodes) {
      if (IsNodeProcessRunning(node.pid, node.data_dir)) return node.http;
    }
    return Status::Unavailable("no node of fleet " + dir + " is running (start it: parley fleet up)");
  }
  if (!options.node.empty()) return options.node;
  if (const char* env = std::getenv("PARLEY_NODE"); env != nullptr && env[0] != '\0') {
    return std::string(env);
  }
  return std::string(kDefaultNode);
}

WriteOptions ClientWriteOptions() {
  const ClientOptions& o = GlobalClientOptions();
  return WriteOptions{o.durability, o.timeout_ms};
}

CLI::App* AddClientCommand(CLI::App& app, const std::string& name, const std::string& description,
                           std::function<Status(NodeApi&, const ReplyPrinter&)> run) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->fallthrough();  // unknown options (--node, --raw, ...) belong to the parent
  cmd->callback([run = std::move(run)] {
    const ClientOptions& options = GlobalClientOptions();
    Result<std::string> address = ResolveNodeAddress(options);
    Status status = address.status();
    if (status.ok()) {
      NodeApi api(*address);
      ReplyPrinter printer(options.raw);
      // Replies come from another process: a reply of an unexpected shape
      // must end as an error message, never as an uncaught exception.
      try {
        status = run(api, printer);
      } catch (const nlohmann::json::exception& e) {
        status = Status::Corruption(std::string("unexpected reply from ") + *address + ": " + e.what());
      }
    }
    if (!status.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "(error) %s\n", status.ToString().c_str());
      if (status.code() == Status::Code::kUnavailable && options.node.empty() &&
          options.fleet_dir.empty() && options.on.empty()) {
        std::fprintf(stderr, "(hint) start a local fleet with `parley fleet up`, or point --node or "
                             "PARLEY_NODE at a running node's HTTP address\n");
      }
      throw CLI::RuntimeError(1);
    }
  });
  return cmd;
}

PARLEY_REGISTER_COMMAND(200, AddGlobalClientOptions);

}  // namespace parley::cli

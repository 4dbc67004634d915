// `parley node`: runs one node process — gossip, logbook, HTTP API — until
// SIGINT/SIGTERM (first: leave gracefully; second: stop at once).
//
// Options come from flags and an optional TOML file (--config); a flag given
// on the command line overrides the file. Bad configuration exits with code
// 2 and a message naming the option. Once every port is bound the process
// prints one line to stdout, which launchers wait for:
//
//   parley node <name> ready: gossip=H:P http=H:P resp=H:P data=DIR
//
// (http=off when disabled, resp=off when not configured, data=memory with
// --in-memory). With --port-file the same facts are also written as JSON.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "node/bridge/runtime_host.h"
#include "node/cli/command_registry.h"
#include "node/http/http_api.h"
#include "node/resp/resp_server.h"
#include "node/runtime/net_address.h"
#include "node/runtime/node_options.h"
#include "node/runtime/node_runtime.h"
#include "node/runtime/options_file.h"

namespace parley::cli {
namespace {

constexpr int kConfigError = 2;
constexpr int kRuntimeError = 1;

// Flag values as given; only the ones present override the config file.
struct NodeFlags {
  std::string config;
  std::map<std::string, std::string> values;  // option -> text
  std::vector<std::string> key_files;
  bool in_memory = false;
  std::map<std::string, std::string> redis_values;  // --redis* options with values
  bool redis_relay = false, redis_mirror = false, redis_ingest = false;
  std::string resp_password;
};

[[noreturn]] void Fail(int code, const std::string& message) {
  std::fprintf(stderr, "parley node: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

Status WritePortFile(const std::string& path, const nlohmann::json& facts) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IoError("--port-file: cannot write " + tmp);
    out << facts.dump() << "\n";
    if (!out.flush()) return Status::IoError("--port-file: cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IoError("--port-file: cannot rename to " + path);
  return Status::Ok();
}

int RunNode(const NodeFlags& flags, CLI::App* cmd) {
  NodeOptions options;
  if (!flags.config.empty()) {
    Status s = LoadOptionsFile(flags.config, &options);
    if (!s.ok()) Fail(kConfigError, s.message());
  }
  for (const auto& [option, value] : flags.values) {
    if (cmd->count("--" + option) == 0) continue;
    Status s = SetOption(&options, option, value);
    if (!s.ok()) Fail(kConfigError, s.message());
  }
  if (!flags.key_files.empty()) {
    options.key_files.clear();  // flags replace the file's list
    for (const std::string& path : flags.key_files) (void)SetOption(&options, "key-file", path);
  }
  if (flags.in_memory) options.in_memory = true;

  Result<RuntimeOptions> runtime_options = MakeRuntimeOptions(options);
  if (!runtime_options.ok()) Fail(kConfigError, runtime_options.status().message());

  // The optional Redis bridge (node/bridge): off unless --redis is given.
  BridgeOptions bridge;
  for (const auto& [option, value] : flags.redis_values) {
    if (cmd->count("--" + option) == 0) continue;
    if (Status s = SetBridgeOption(&bridge, option, value); !s.ok()) Fail(kConfigError, s.message());
  }
  bridge.relay = flags.redis_relay;
  bridge.mirror = flags.redis_mirror;
  bridge.ingest = flags.redis_ingest;
  if (Status s = FinishBridgeOptions(&bridge); !s.ok()) Fail(kConfigError, s.message());
  runtime_options->config.relay = bridge.enabled() && bridge.relay;  // the core publishes to the relay

  Result<std::unique_ptr<NodeRuntime>> created = NodeRuntime::Create(std::move(runtime_options).value());
  if (!created.ok()) {
    Status s = created.status();
    Fail(s.code() == Status::Code::kInvalidArgument ? kConfigError : kRuntimeError, s.message());
  }
  std::unique_ptr<NodeRuntime> runtime = std::move(created).value();

  std::string http = "off";
  if (options.http.port != 0) {
    Result<Address> bound = StartHttpApi(*runtime, options.http);
    if (!bound.ok()) Fail(kRuntimeError, bound.status().message());
    http = FormatAddress(*bound);
  }
  std::string resp = "off";
  if (options.resp) {
    resp::RespServerOptions resp_options;
    resp_options.bind = *options.resp;
    // --resp-password, or PARLEY_RESP_PASSWORD (kept out of `ps` output).
    const char* password_env = std::getenv("PARLEY_RESP_PASSWORD");
    resp_options.password = !flags.resp_password.empty() ? flags.resp_password : password_env ? password_env : "";
    Result<Address> bound = resp::AttachRespServer(runtime.get(), resp_options);
    if (!bound.ok()) Fail(kRuntimeError, bound.status().message());
    resp = FormatAddress(*bound);
  }
  if (Status s = runtime->InstallSignalHandlers(); !s.ok()) Fail(kRuntimeError, s.message());
  if (Status s = runtime->Start(); !s.ok()) Fail(kRuntimeError, s.message());
  if (bridge.enabled()) {
    Result<Bridge*> attached = AttachBridge(runtime.get(), bridge);
    if (!attached.ok()) Fail(kConfigError, attached.status().message());
    runtime->AddMetricsSource([b = *attached] { return b->stats().ToPrometheus(); });
  }

  std::string gossip = FormatAddress(runtime->gossip_address());
  std::string data = options.in_memory ? "memory" : runtime->data_dir();
  if (!options.port_file.empty()) {
    nlohmann::json facts = {{"name", options.name}, {"pid", static_cast<int64_t>(getpid())},
                            {"gossip", gossip},     {"http", http},
                            {"resp", resp},         {"data", data}};
    if (Status s = WritePortFile(options.port_file, facts); !s.ok()) Fail(kRuntimeError, s.message());
  }
  std::printf("parley node %s ready: gossip=%s http=%s resp=%s data=%s\n", options.name.c_str(), gossip.c_str(),
              http.c_str(), resp.c_str(), data.c_str());
  std::fflush(stdout);

  runtime->Run();
  runtime.reset();
  return 0;
}

}  // namespace

// `parley node --name N [...]`: a long-running node process.
void AddNodeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("node", "Run a parley node (gossip + logbook + HTTP API) until SIGINT/SIGTERM");
  auto flags = std::make_shared<NodeFlags>();
  cmd->add_option("--config", flags->config, "TOML file with any of these options (flags override it)");
  struct Spec {
    const char* option;
    const char* help;
  };
  static const Spec kSpecs[] = {
      {"name", "unique member name (required)"},
      {"data-dir", "data directory (default ./parley-data/<name>)"},
      {"bind", "gossip address, UDP and TCP (default 127.0.0.1:7946)"},
      {"advertise", "address peers use to reach this node (default: --bind)"},
      {"seeds", "comma-separated host:port of nodes to join through"},
      {"http", "HTTP API address (default 127.0.0.1:8080; port 0 disables it)"},
      {"resp", "RESP (Redis protocol) server address, published in gossip meta"},
      {"cluster-id", "nodes only talk within one cluster id (default parley)"},
      {"sync", "logbook sync policy: always (default), batch or none"},
      {"replicated-sync-ms", "fsync other nodes' writes within this many ms (default 1000; 0: at once)"},
      {"preallocate", "write the log's zeros ~1 MB ahead, for cheaper fsyncs: true (default) or false (flash media)"},
      {"profile", "timing profile: lan (default) or local (nodes on one machine)"},
      {"log-level", "trace, debug, info (default), warn, error, critical, off"},
      {"port-file", "write {\"gossip\",\"http\",\"resp\",\"data\",\"pid\"} JSON here when ready"},
  };
  for (const Spec& s : kSpecs) {
    cmd->add_option(std::string("--") + s.option, flags->values[s.option], s.help);
  }
  cmd->add_option("--key-file", flags->key_files,
                  "cluster key file (32 raw bytes or 64 hex chars); repeat to accept several, first is primary");
  cmd->add_option("--resp-password", flags->resp_password,
                  "require AUTH with this password on the RESP port (or set PARLEY_RESP_PASSWORD)");
  static const Spec kRedisSpecs[] = {
      {"redis", "Redis host:port for the bridge (off by default; alone it means relay + mirror)"},
      {"redis-prefix", "prefix of mirrored Redis keys (default none: `GET treasureMap` works)"},
      {"redis-stream", "Redis stream key of the relay (default parley:relay)"},
      {"redis-stream-maxlen", "approximate length the relay stream is trimmed to (default 100000)"},
  };
  for (const Spec& s : kRedisSpecs) {
    cmd->add_option(std::string("--") + s.option, flags->redis_values[s.option], s.help);
  }
  cmd->add_flag("--redis-relay", flags->redis_relay, "publish and read deltas through a Redis stream");
  cmd->add_flag("--redis-mirror", flags->redis_mirror, "write the map into ordinary Redis keys");
  cmd->add_flag("--redis-ingest", flags->redis_ingest, "turn writes made directly to those keys into CRDT writes");
  cmd->add_flag("--in-memory", flags->in_memory, "keep no logbook (state is lost when the process ends)");
  cmd->callback([flags, cmd] {
    int rc = RunNode(*flags, cmd);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

PARLEY_REGISTER_COMMAND(100, AddNodeCommand);

}  // namespace parley::cli

// Processes: a LocalFleet on a free base port, and a throwaway redis-server.
#include "bench/fleet/processes.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "bench/fleet/resp_conn.h"
#include "node/cli/node_api.h"
#include "node/cli/node_process.h"
#include "node/cli/port_probe.h"

namespace parley::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A base port whose gossip (TCP+UDP), HTTP and RESP ranges are all free,
// random so that a benchmark and the fleet tests rarely even try the same.
Result<int> PickBasePort(int nodes) {
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> pick(200, 540);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int base = pick(rng) * 100;
    bool free = true;
    for (int i = 0; i < nodes && free; ++i) {
      free = cli::CanBindPort("127.0.0.1", base + i, false) && cli::CanBindPort("127.0.0.1", base + i, true) &&
             cli::CanBindPort("127.0.0.1", base + 100 + i, false) &&
             cli::CanBindPort("127.0.0.1", base + 200 + i, false);
    }
    if (free) return base;
  }
  return Status::Unavailable("no free range of loopback ports for " + std::to_string(nodes) + " nodes");
}

Result<std::string> FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return Status::NotFound(program + " is not on PATH (Debian: apt-get install redis-server)");
}

}  // namespace

Result<std::unique_ptr<BenchFleet>> BenchFleet::Up(const FleetSpec& spec) {
  auto base = PickBasePort(spec.nodes);
  if (!base.ok()) return base.status();
  cli::FleetUpOptions o;
  o.dir = spec.dir;
  o.nodes = spec.nodes;
  o.base_port = *base;
  o.profile = spec.profile;
  o.sync = spec.sync;
  o.binary = spec.binary;
  // 64 processes starting on two shared cores take a while to agree on
  // membership; the default 30 s is for interactive use.
  o.wait = std::chrono::seconds(180);
  auto fleet = cli::LocalFleet::Up(o, nullptr);
  if (!fleet.ok()) return fleet.status();
  return std::unique_ptr<BenchFleet>(new BenchFleet(std::move(*fleet)));
}

BenchFleet::~BenchFleet() {
  Status down = fleet_->Down(std::chrono::seconds(10));
  if (!down.ok()) std::fprintf(stderr, "fleet_bench: stopping the fleet: %s\n", down.ToString().c_str());
}

std::vector<std::string> BenchFleet::RespAddresses() const {
  std::vector<std::string> out;
  for (const cli::FleetNode& n : fleet_->manifest().nodes) out.push_back(n.resp);
  return out;
}

std::optional<uint64_t> MetricValue(const std::string& text, const std::string& metric) {
  std::string prefix = metric + " ";
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) {
      return std::strtoull(text.c_str() + at + prefix.size(), nullptr, 10);
    }
    at = end + 1;
  }
  return std::nullopt;
}

Result<uint64_t> BenchFleet::SumCounter(const std::string& metric) const {
  uint64_t sum = 0;
  for (const cli::FleetNode& n : fleet_->manifest().nodes) {
    cli::NodeApi api(n.http);
    auto page = api.Raw("GET", "/metrics");
    if (!page.ok()) return page.status();
    auto value = MetricValue(page->body, metric);
    if (!value) return Status::NotFound(n.name + "'s /metrics has no " + metric);
    sum += *value;
  }
  return sum;
}

Result<std::vector<std::string>> BenchFleet::Digests() const {
  std::vector<std::string> out;
  for (const cli::FleetNode& n : fleet_->manifest().nodes) {
    cli::NodeApi api(n.http);
    auto status = api.GetStatus();
    if (!status.ok()) return status.status();
    out.push_back(cli::JsonText(*status, "digest"));
  }
  return out;
}

Result<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError("socket()");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return Status::IoError("cannot bind a loopback port");
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::unique_ptr<RedisServer>> RedisServer::Start(const std::string& work_dir) {
  auto binary = FindOnPath("redis-server");
  if (!binary.ok()) return binary.status();
  auto port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->address_ = "127.0.0.1:" + std::to_string(*port);
  std::error_code ec;
  fs::create_directories(work_dir, ec);
  // No persistence, like parley's sync=none comparison point; its own
  // directory so a stray dump never lands in the source tree.
  auto pid = cli::SpawnDetached(*binary,
                                {"--bind", "127.0.0.1", "--port", std::to_string(*port), "--save", "",
                                 "--appendonly", "no", "--dir", work_dir, "--protected-mode", "no"},
                                work_dir + "/redis.log");
  if (!pid.ok()) return pid.status();
  server->pid_ = *pid;
  auto start = Clock::now();
  while (Clock::now() - start < std::chrono::seconds(10)) {
    auto conn = RespConn::Connect(server->address_, std::chrono::milliseconds(500));
    if (conn.ok()) {
      auto info = (*conn)->Command({"INFO", "server"});
      if (info.ok() && info->kind == RespReply::Kind::kString) {
        size_t at = info->text.find("redis_version:");
        if (at != std::string::npos) {
          size_t end = info->text.find_first_of("\r\n", at);
          server->version_ = info->text.substr(at + 14, end - at - 14);
        }
        return server;
      }
    }
    if (cli::ReapIfExited(server->pid_)) {
      server->pid_ = 0;
      return Status::Unavailable("redis-server exited at start-up; see " + work_dir + "/redis.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::TimedOut("redis-server on " + server->address_ + " did not answer within 10 s");
}

RedisServer::~RedisServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto start = Clock::now();
  bool gone = false;
  while (!(gone = cli::ReapIfExited(pid_)) && Clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!gone) {
    ::kill(pid_, SIGKILL);
    while (!cli::ReapIfExited(pid_) && Clock::now() - start < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace parley::bench

// FleetHarness: temp directories, free ports, running the binary, cleanup.
#include "tests/fleet/fleet_harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "node/cli/node_process.h"
#include "node/cli/port_probe.h"

namespace parley::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

// A base port whose gossip (TCP+UDP), HTTP and RESP ranges are all free,
// for up to 10 nodes. Random so parallel tests rarely even try the same.
int PickBasePort() {
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> pick(200, 540);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int base = pick(rng) * 100;  // 20000..54000, leaves room for +200+i
    bool free = true;
    for (int i = 0; i < 10 && free; ++i) {
      free = cli::CanBindPort("127.0.0.1", base + i, false) && cli::CanBindPort("127.0.0.1", base + i, true) &&
             cli::CanBindPort("127.0.0.1", base + 100 + i, false) &&
             cli::CanBindPort("127.0.0.1", base + 200 + i, false);
    }
    if (free) return base;
  }
  return 0;
}

void PrintLogTail(const std::string& name, const std::string& path) {
  std::ifstream in(path);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > 25) tail.pop_front();
  }
  std::fprintf(stderr, "---- %s log (%s), last lines:\n", name.c_str(), path.c_str());
  for (const std::string& line : tail) std::fprintf(stderr, "  %s\n", line.c_str());
}

}  // namespace

FleetHarness::FleetHarness() {
  char pattern[] = "/tmp/parley-fleet-test-XXXXXX";
  const char* made = ::mkdtemp(pattern);
  dir_ = made != nullptr ? std::string(made) + "/fleet" : "/tmp/parley-fleet-test-failed";
  base_port_ = PickBasePort();
}

FleetHarness::~FleetHarness() {
  auto manifest = cli::LoadManifest(dir_);
  if (manifest.ok()) {
    for (const cli::FleetNode& node : manifest->nodes) {
      if (cli::IsNodeProcessRunning(node.pid, node.data_dir)) ::kill(node.pid, SIGKILL);
    }
    if (::testing::Test::HasFailure()) {
      for (const cli::FleetNode& node : manifest->nodes) PrintLogTail(node.name, node.log_file);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(dir_).parent_path(), ec);
}

CommandResult FleetHarness::Parley(const std::vector<std::string>& args) const {
  std::string command = ShellQuote(PARLEY_BINARY);
  for (const std::string& arg : args) command += " " + ShellQuote(arg);
  command += " 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Status FleetHarness::Up(int nodes) {
  if (base_port_ == 0) return Status::Unavailable("found no free base port");
  return Fleet({"up", "-n", std::to_string(nodes), "--base-port", std::to_string(base_port_),
                "--profile", "local", "--wait", "30"});
}

Status FleetHarness::Fleet(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"fleet"};
  full.insert(full.end(), args.begin(), args.end());
  full.push_back("--dir");
  full.push_back(dir_);
  CommandResult result = Parley(full);
  if (result.exit_code != 0) {
    std::string shown;
    for (const std::string& arg : full) shown += " " + arg;
    return Status::IoError("parley" + shown + " exited with " + std::to_string(result.exit_code) + ":\n" +
                           result.output);
  }
  return Status::Ok();
}

cli::FleetManifest FleetHarness::Manifest() const {
  auto manifest = cli::LoadManifest(dir_);
  return manifest.ok() ? *manifest : cli::FleetManifest();
}

cli::NodeApi FleetHarness::Api(const std::string& name) const {
  cli::FleetManifest manifest = Manifest();
  const cli::FleetNode* node = manifest.Find(name);
  return cli::NodeApi(node != nullptr ? node->http : "127.0.0.1:1");
}

std::vector<std::string> FleetHarness::RunningNodes() const {
  std::vector<std::string> names;
  for (const cli::FleetNode& node : Manifest().nodes) {
    if (cli::IsNodeProcessRunning(node.pid, node.data_dir)) names.push_back(node.name);
  }
  return names;
}

Result<std::string> FleetHarness::WaitForSameDigest(std::chrono::milliseconds timeout) const {
  auto start = Clock::now();
  std::string last_seen;
  while (true) {
    std::vector<std::string> digests;
    last_seen.clear();
    for (const std::string& name : RunningNodes()) {
      auto status = Api(name).GetStatus();
      std::string digest = status.ok() ? status->value("digest", "") : "(" + status.status().ToString() + ")";
      digests.push_back(digest);
      last_seen += " " + name + "=" + digest;
    }
    bool same = !digests.empty() && !digests[0].empty();
    for (const std::string& d : digests) same = same && d == digests[0];
    if (same) return digests[0];
    if (Clock::now() - start > timeout) return Status::TimedOut("digests still differ:" + last_seen);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace parley::testing

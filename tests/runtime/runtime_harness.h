// RunningNode: an in-process NodeRuntime on its own loop thread, for tests.
//
// Every node binds 127.0.0.1 with port 0 (ephemeral) for gossip and, if
// asked, HTTP; tests learn the bound ports and pass them as seeds. Test code
// never touches the runtime directly from the test thread: Call() runs a
// function on the loop thread and waits for its result.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "node/http/http_api.h"
#include "node/runtime/node_runtime.h"

namespace parley::testing {

struct TestNodeOptions {
  std::string name;
  std::vector<Address> seeds;
  std::string data_dir;  // empty: in memory
  bool http = false;
  uint64_t sse_heartbeat_ms = 15000;
  size_t http_max_connections = 10000;
  SyncPolicy sync = SyncPolicy::kBatch;
  bool preallocate_log = true;
  std::string cluster_id = "parley";
  Keyring keyring;
  spdlog::level::level_enum log_level = spdlog::level::warn;
};

class RunningNode {
 public:
  // Creates, starts and runs a node; fails the test (and returns null) on error.
  static std::unique_ptr<RunningNode> Launch(const TestNodeOptions& o) {
    auto created = Create(o);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return nullptr;
    return std::move(created).value();
  }

  static Result<std::unique_ptr<RunningNode>> Create(const TestNodeOptions& o) {
    RuntimeOptions r;
    r.config.name = o.name;
    r.config.seeds = o.seeds;
    r.config.timing = Timing::LocalFleet();
    r.config.sync_policy = o.sync;
    r.config.cluster_id = o.cluster_id;
    r.config.keyring = o.keyring;
    r.config.advertise = Address{};  // the bound address
    r.bind = Address{"127.0.0.1", 0};
    r.data_dir = o.data_dir;
    r.preallocate_log = o.preallocate_log;
    r.logger = MakeNodeLogger(o.name, o.log_level);
    Result<std::unique_ptr<NodeRuntime>> runtime = NodeRuntime::Create(std::move(r));
    if (!runtime.ok()) return runtime.status();
    std::unique_ptr<RunningNode> node(new RunningNode(std::move(runtime).value()));
    if (o.http) {
      HttpServerOptions http;
      http.heartbeat_ms = o.sse_heartbeat_ms;
      http.max_connections = o.http_max_connections;
      Result<Address> bound = StartHttpApi(*node->runtime_, Address{"127.0.0.1", 0}, http);
      if (!bound.ok()) return bound.status();
      node->http_ = *bound;
    }
    PARLEY_RETURN_IF_ERROR(node->runtime_->Start());
    node->gossip_ = node->runtime_->gossip_address();
    node->thread_ = std::thread([rt = node->runtime_.get(), stopped = node->stopped_] {
      rt->Run();
      *stopped = true;
    });
    return node;
  }

  ~RunningNode() { Shutdown(); }

  // Runs `fn(runtime)` on the loop thread and returns its result.
  template <typename Fn>
  auto Call(Fn fn) -> std::invoke_result_t<Fn, NodeRuntime&> {
    using R = std::invoke_result_t<Fn, NodeRuntime&>;
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> future = promise->get_future();
    bool posted = runtime_->Post([this, promise, fn]() mutable {
      if constexpr (std::is_void_v<R>) {
        fn(*runtime_);
        promise->set_value();
      } else {
        promise->set_value(fn(*runtime_));
      }
    });
    if (!posted) throw std::runtime_error("runtime is stopped");
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      throw std::runtime_error("loop thread did not answer in 20 s");
    }
    return future.get();
  }

  // Writes and waits for the acknowledgement.
  Status Write(std::vector<Op> ops, Durability durability = Durability::Local()) {
    auto promise = std::make_shared<std::promise<Status>>();
    auto future = promise->get_future();
    Call([&](NodeRuntime& rt) {
      rt.Write(ops, durability, [promise](const Status& s) { promise->set_value(s); });
    });
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      return Status::TimedOut("no acknowledgement in 20 s");
    }
    return future.get();
  }

  // Polls `predicate` on the loop thread until true or `timeout` passes.
  bool WaitFor(std::function<bool(NodeRuntime&)> predicate,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (Call(predicate)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string Digest() {
    return Call([](NodeRuntime& rt) { return rt.core().StateDigest().ToHex(); });
  }
  std::optional<std::string> Get(const std::string& key) {
    return Call([key](NodeRuntime& rt) { return rt.core().map().GetRegister(key); });
  }
  // How this node sees member `name` (nullopt if unknown).
  std::optional<MemberState> StateOf(const std::string& name) {
    return Call([name](NodeRuntime& rt) -> std::optional<MemberState> {
      const Member* m = rt.core().membership().Find(name);
      if (m == nullptr) return std::nullopt;
      return m->state;
    });
  }

  // Asks the loop to stop (as LeaveAndStop or Stop) and waits for Run() to return.
  void Shutdown(bool leave = false) {
    if (!runtime_) return;
    if (thread_.joinable()) {
      runtime_->Post([rt = runtime_.get(), leave] { leave ? rt->LeaveAndStop() : rt->Stop(); });
      thread_.join();
    }
    runtime_.reset();
  }
  bool running() const { return runtime_ != nullptr; }
  // Waits for the loop to stop by itself (e.g. after POST /v1/admin/leave).
  bool WaitStopped(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (!*stopped_ && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return *stopped_;
  }

  const Address& gossip() const { return gossip_; }
  const Address& http() const { return http_; }
  NodeRuntime& runtime_unsafe() { return *runtime_; }  // only after the thread ended

 private:
  explicit RunningNode(std::unique_ptr<NodeRuntime> runtime) : runtime_(std::move(runtime)) {}

  std::unique_ptr<NodeRuntime> runtime_;
  std::thread thread_;
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);  // Run() returned
  Address gossip_, http_;
};

// A fresh directory under the test temp dir, removed when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = ::testing::TempDir() + "parley-" + name + "-" + std::to_string(::getpid());
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace parley::testing

// TestNode: one in-process parley node (in memory unless given a data
// directory; local-fleet timing) with a RESP server on a free port, its loop
// running on a thread of its own.
// Everything the test does against it goes through sockets, like a client.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "node/resp/resp_server.h"
#include "node/runtime/node_runtime.h"

namespace parley::resp {

class TestNode {
 public:
  explicit TestNode(std::string name, std::vector<Address> seeds = {}, std::string password = {},
                    std::string data_dir = {}) {
    RuntimeOptions options;
    options.data_dir = std::move(data_dir);
    options.config.name = name;
    options.config.timing = Timing::LocalFleet();
    options.config.seeds = std::move(seeds);
    options.bind = Address{"127.0.0.1", 0};
    Result<std::unique_ptr<NodeRuntime>> runtime = NodeRuntime::Create(std::move(options));
    if (!runtime.ok()) {
      ADD_FAILURE() << runtime.status().ToString();
      return;
    }
    runtime_ = std::move(runtime).value();
    RespServerOptions resp;
    resp.bind = Address{"127.0.0.1", 0};
    resp.password = std::move(password);
    Result<Address> bound = AttachRespServer(runtime_.get(), resp);
    if (!bound.ok()) {
      ADD_FAILURE() << bound.status().ToString();
      return;
    }
    resp_port_ = bound->port;
    gossip_ = runtime_->bound_address();
    Status started = runtime_->Start();
    if (!started.ok()) {
      ADD_FAILURE() << started.ToString();
      return;
    }
    thread_ = std::thread([this] { runtime_->Run(); });
  }

  ~TestNode() {
    if (!runtime_) return;
    runtime_->Post([this] { runtime_->Stop(); });
    if (thread_.joinable()) thread_.join();
    runtime_.reset();
  }

  uint16_t resp_port() const { return resp_port_; }
  const Address& gossip() const { return gossip_; }

 private:
  std::unique_ptr<NodeRuntime> runtime_;
  std::thread thread_;
  uint16_t resp_port_ = 0;
  Address gossip_;
};

}  // namespace parley::resp

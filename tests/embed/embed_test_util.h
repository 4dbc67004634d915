// Helpers for the libparley tests: in-memory nodes on free local ports,
// and waiting for a condition with a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "parley/parley.h"

namespace parley::embed::testing {

inline Options LocalOptions(const std::string& name) {
  Options options;
  options.name = name;
  options.in_memory = true;
  options.bind = "127.0.0.1:0";
  options.timing = TimingProfile::kLocal;
  options.log_level = "error";
  return options;
}

inline std::unique_ptr<Node> OpenOrDie(const Options& options) {
  Result<std::unique_ptr<Node>> node = Node::Open(options);
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? std::move(node).value() : nullptr;
}

// Polls `done` every few milliseconds until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace parley::embed::testing

// HttpApiTest: one in-memory node serving HTTP on an ephemeral port, and
// helpers to call it. Shared by the HTTP test files.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/http/http_test_client.h"
#include "tests/runtime/runtime_harness.h"

namespace parley::testing {

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestNodeOptions o;
    o.name = "h1";
    o.http = true;
    o.sse_heartbeat_ms = 200;  // so the heartbeat test is quick
    node_ = RunningNode::Launch(o);
    ASSERT_TRUE(node_);
  }

  TestResponse Call(const std::string& method, const std::string& target, const std::string& body = "") {
    TestHttpClient client(node_->http());
    EXPECT_TRUE(client.connected());
    std::optional<TestResponse> r = client.Call(method, target, body);
    EXPECT_TRUE(r.has_value()) << method << " " << target;
    return r.value_or(TestResponse{});
  }

  std::string Digest() { return node_->Digest(); }

  std::unique_ptr<RunningNode> node_;
};

}  // namespace parley::testing

// libparley: reads and writes of every type, blocking and asynchronous
// writes, batches, watches, and misuse that must fail with clear errors.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "tests/embed/embed_test_util.h"

namespace parley::embed {
namespace {

using testing::LocalOptions;
using testing::OpenOrDie;
using testing::WaitFor;

class EmbedNode : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = OpenOrDie(LocalOptions("solo"));
    ASSERT_NE(node_, nullptr);
  }
  std::unique_ptr<Node> node_;
};

TEST_F(EmbedNode, ReadsEveryType) {
  ASSERT_TRUE(node_->Set("reg", "v1").ok());
  ASSERT_TRUE(node_->Incr("cnt", 5).ok());
  ASSERT_TRUE(node_->Incr("cnt", -2).ok());
  ASSERT_TRUE(node_->SAdd("set", "a").ok());
  ASSERT_TRUE(node_->SAdd("set", "b").ok());
  ASSERT_TRUE(node_->SRem("set", "a").ok());
  ASSERT_TRUE(node_->HSet("hash", "f1", "x").ok());
  ASSERT_TRUE(node_->HSet("hash", "f2", "y").ok());
  ASSERT_TRUE(node_->HDel("hash", "f1").ok());

  EXPECT_EQ(node_->Get("reg").value(), "v1");
  EXPECT_EQ(node_->GetCounter("cnt").value(), 3);
  EXPECT_EQ(node_->SetMembers("set").value(), std::vector<std::string>{"b"});
  EXPECT_TRUE(node_->SetContains("set", "b").value());
  EXPECT_FALSE(node_->SetContains("set", "a").value());
  EXPECT_FALSE(node_->SetContains("absent", "a").value());
  EXPECT_EQ(node_->HashGet("hash", "f2").value(), "y");
  EXPECT_TRUE(node_->HashGet("hash", "f1").status().IsNotFound());
  using Fields = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(node_->HashGetAll("hash").value(), (Fields{{"f2", "y"}}));
  EXPECT_EQ(node_->Keys().value(), (std::vector<std::string>{"cnt", "hash", "reg", "set"}));
  EXPECT_EQ(node_->Keys("h").value(), std::vector<std::string>{"hash"});
  EXPECT_EQ(node_->Keys("", 2).value().size(), 2u);
  EXPECT_EQ(node_->TypeOf("set").value(), ValueType::kSet);
  EXPECT_EQ(node_->TypeOf("nothing").value(), ValueType::kNone);

  ASSERT_TRUE(node_->Del("reg").ok());
  EXPECT_TRUE(node_->Get("reg").status().IsNotFound());
  EXPECT_EQ(node_->Get("reg").status().ToString(), "not found: no key 'reg'");
}

TEST_F(EmbedNode, WrongTypeIsAnError) {
  ASSERT_TRUE(node_->SAdd("set", "a").ok());
  Result<std::string> get = node_->Get("set");
  EXPECT_EQ(get.status().code(), Status::Code::kWrongType);
  EXPECT_EQ(get.status().message(), "key 'set' holds a set, not a register");
  Status incr = node_->Incr("set", 1);
  EXPECT_EQ(incr.code(), Status::Code::kWrongType) << incr.ToString();
  // SET replaces a value of any type.
  EXPECT_TRUE(node_->Set("set", "now a register").ok());
  EXPECT_EQ(node_->Get("set").value(), "now a register");
}

TEST_F(EmbedNode, BatchIsAtomic) {
  Batch ok;
  ok.Set("a", "1").Incr("b", 2).SAdd("c", "m");
  EXPECT_EQ(ok.size(), 3u);
  ASSERT_TRUE(node_->Write(ok).ok());
  EXPECT_EQ(node_->Keys().value().size(), 3u);

  Batch refused;
  refused.Set("d", "1").Incr("c", 1);  // c is a set: the whole batch fails
  EXPECT_EQ(node_->Write(refused).code(), Status::Code::kWrongType);
  EXPECT_TRUE(node_->Get("d").status().IsNotFound());

  Batch moved = std::move(ok);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_TRUE(ok.empty());  // NOLINT: a moved-from batch is usable and empty
  ok.Set("e", "1");
  EXPECT_EQ(ok.size(), 1u);
}

TEST_F(EmbedNode, CallbackAndFutureWrites) {
  std::promise<Status> done;
  std::atomic<bool> visible_in_callback{false};
  node_->WriteAsync(Batch().Set("k", "v"), Durability::Local(), [&](const Status& s) {
    // The callback runs on the node's thread, where reads work too.
    visible_in_callback = node_->Get("k").ok();
    done.set_value(s);
  });
  EXPECT_TRUE(done.get_future().get().ok());
  EXPECT_TRUE(visible_in_callback);

  std::future<Status> future = node_->WriteFuture(Batch().Incr("n", 7));
  EXPECT_TRUE(future.get().ok());
  EXPECT_EQ(node_->GetCounter("n").value(), 7);
}

TEST_F(EmbedNode, BlockingCallsFromACallbackAreRefused) {
  std::promise<std::pair<Status, Status>> done;
  node_->WriteAsync(Batch().Set("k", "v"), Durability::Local(), [&](const Status&) {
    done.set_value({node_->Set("x", "y"), node_->Close()});
  });
  auto [write, close] = done.get_future().get();
  EXPECT_EQ(write.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(write.message().find("use WriteAsync"), std::string::npos) << write.ToString();
  EXPECT_EQ(close.code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(node_->closed());
}

TEST_F(EmbedNode, OversizedAndEmptyWritesAreRefused) {
  Status big = node_->Set("big", std::string((4u << 20) + 1, 'x'));
  EXPECT_EQ(big.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(big.message(), "value of key 'big' is 4194305 bytes; the limit is 4194304");
  Status long_key = node_->Set(std::string(70000, 'k'), "v");
  EXPECT_NE(long_key.message().find("the limit is 65536"), std::string::npos) << long_key.ToString();
  EXPECT_EQ(node_->Write(Batch()).message(), "empty batch: nothing to write");
  EXPECT_EQ(node_->Set("", "v").message(), "empty key");
  Status bad_durability = node_->Set("k", "v", Durability{0, 100});
  EXPECT_NE(bad_durability.message().find("Durability.nodes must be at least 1"), std::string::npos);
  // The callback form reports the same, exactly once.
  int calls = 0;
  node_->WriteAsync(Batch(), Durability::Local(), [&](const Status& s) {
    ++calls;
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  });
  EXPECT_EQ(calls, 1);
}

TEST_F(EmbedNode, ClosedNodeSaysSo) {
  ASSERT_TRUE(node_->Set("k", "v").ok());
  ASSERT_TRUE(node_->Close().ok());
  EXPECT_TRUE(node_->closed());
  EXPECT_TRUE(node_->Close().ok());  // idempotent
  Status write = node_->Set("k", "w");
  EXPECT_EQ(write.code(), Status::Code::kUnavailable);
  EXPECT_EQ(write.ToString(), "unavailable: node 'solo' is closed");
  EXPECT_EQ(node_->Get("k").status().ToString(), "unavailable: node 'solo' is closed");
  EXPECT_EQ(node_->Members().status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(node_->GetStatus().status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(node_->Watch("", [](const std::string&) {}).status().code(), Status::Code::kUnavailable);
  std::promise<Status> done;
  node_->WriteAsync(Batch().Set("a", "b"), Durability::Local(), [&](const Status& s) { done.set_value(s); });
  EXPECT_EQ(done.get_future().get().code(), Status::Code::kUnavailable);
}

TEST_F(EmbedNode, WatchSeesChangesUnderItsPrefix) {
  std::mutex mu;
  std::vector<std::string> seen;
  Result<uint64_t> watch = node_->Watch("sensor/", [&](const std::string& key) {
    std::lock_guard lock(mu);
    seen.push_back(key);
  });
  ASSERT_TRUE(watch.ok()) << watch.status().ToString();
  ASSERT_TRUE(node_->Set("sensor/1", "on").ok());
  ASSERT_TRUE(node_->Set("other", "x").ok());
  ASSERT_TRUE(node_->Incr("sensor/2", 1).ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return seen.size() >= 2;
  }));
  ASSERT_TRUE(node_->Unwatch(*watch).ok());
  ASSERT_TRUE(node_->Set("sensor/3", "late").ok());
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::string>{"sensor/1", "sensor/2"}));
}

TEST_F(EmbedNode, StatusAndMembers) {
  ASSERT_TRUE(node_->Set("k", "v").ok());
  Result<NodeStatus> status = node_->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->name, "solo");
  EXPECT_EQ(status->keys, 1u);
  EXPECT_EQ(status->alive_members, 1u);
  EXPECT_EQ(status->digest.size(), 32u);
  EXPECT_EQ(status->gossip_address, node_->gossip_address());
  Result<std::vector<MemberInfo>> members = node_->Members();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].name, "solo");
  EXPECT_EQ((*members)[0].state, "alive");
  EXPECT_STREQ(Version(), "0.1.0");
}

}  // namespace
}  // namespace parley::embed

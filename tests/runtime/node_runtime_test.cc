// NodeRuntime over real loopback sockets: convergence of several runtimes,
// restart from a data directory, directory locks, fault injection, the
// graceful-leave path that SIGINT/SIGTERM take, and quorum writes.
#include "node/runtime/node_runtime.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <filesystem>
#include <atomic>
#include <memory>

#include "tests/runtime/runtime_harness.h"

namespace parley {
namespace {

using testing::RunningNode;
using testing::TempDir;
using testing::TestNodeOptions;

TestNodeOptions Named(const std::string& name, std::vector<Address> seeds = {}) {
  TestNodeOptions o;
  o.name = name;
  o.seeds = std::move(seeds);
  return o;
}

bool AllAlive(RunningNode& node, size_t n) {
  return node.WaitFor([n](NodeRuntime& rt) { return rt.core().membership().AliveCount() == n; });
}

TEST(NodeRuntime, ThreeRuntimesFindEachOtherAndConverge) {
  auto a = RunningNode::Launch(Named("a"));
  ASSERT_TRUE(a);
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  auto c = RunningNode::Launch(Named("c", {a->gossip()}));
  ASSERT_TRUE(b && c);
  ASSERT_TRUE(AllAlive(*a, 3));
  ASSERT_TRUE(AllAlive(*b, 3));
  ASSERT_TRUE(AllAlive(*c, 3));

  ASSERT_TRUE(a->Write({Op::Set("greeting", "hello from a")}).ok());
  ASSERT_TRUE(b->Write({Op::Incr("visits", 2)}).ok());
  ASSERT_TRUE(c->Write({Op::Incr("visits", 3), Op::SAdd("crew", "c")}).ok());
  ASSERT_TRUE(b->Write({Op::SAdd("crew", "b")}).ok());

  auto same = [&] {
    std::string d = a->Digest();
    return d == b->Digest() && d == c->Digest();
  };
  for (int i = 0; i < 250 && !same(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(same());
  EXPECT_EQ(c->Get("greeting"), "hello from a");
  EXPECT_EQ(a->Call([](NodeRuntime& rt) { return rt.core().map().GetCounter("visits"); }), 5);
  EXPECT_EQ(a->Call([](NodeRuntime& rt) { return rt.core().map().SetMembers("crew"); }),
            (std::vector<std::string>{"b", "c"}));
}

TEST(NodeRuntime, WatchSeesLocalAndRemoteChanges) {
  auto a = RunningNode::Launch(Named("a"));
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AllAlive(*b, 2));
  auto seen = std::make_shared<std::vector<std::string>>();  // touched on b's loop only
  b->Call([seen](NodeRuntime& rt) { rt.Watch("user:", [seen](const std::string& key) { seen->push_back(key); }); });
  ASSERT_TRUE(a->Write({Op::Set("user:1", "ann"), Op::Set("other", "x")}).ok());
  ASSERT_TRUE(b->Write({Op::Set("user:2", "bob")}).ok());
  ASSERT_TRUE(b->WaitFor([seen](NodeRuntime&) { return seen->size() >= 2; }));
  auto keys = b->Call([seen](NodeRuntime&) { return *seen; });
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"user:1", "user:2"}));
}

TEST(NodeRuntime, RestartsFromItsDataDirectory) {
  TempDir dir("restart");
  std::string digest;
  ReplicaId replica = 0;
  {
    TestNodeOptions o = Named("durable");
    o.data_dir = dir.path();
    o.sync = SyncPolicy::kAlways;
    auto node = RunningNode::Launch(o);
    ASSERT_TRUE(node);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(node->Write({Op::Set("k" + std::to_string(i), "v" + std::to_string(i))}).ok());
    }
    ASSERT_TRUE(node->Write({Op::Incr("n", 7), Op::HSet("h", "f", "x")}).ok());
    replica = node->Call([](NodeRuntime& rt) { return rt.core().replica(); });
    digest = node->Digest();
    node->Shutdown();
  }
  TestNodeOptions o = Named("durable");
  o.data_dir = dir.path();
  auto again = RunningNode::Launch(o);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Digest(), digest);  // identical state after recovery
  EXPECT_EQ(again->Call([](NodeRuntime& rt) { return rt.core().replica(); }), replica);
  EXPECT_EQ(again->Get("k19"), "v19");
  EXPECT_EQ(again->Call([](NodeRuntime& rt) { return rt.core().map().GetCounter("n"); }), 7);
  // New writes continue the same replica's history.
  ASSERT_TRUE(again->Write({Op::Set("after", "restart")}).ok());
}

// The log's active segment is written with zeros ahead of its records
// unless preallocation is off (flash media), where it holds just the records.
TEST(NodeRuntime, PreallocationOfTheLogCanBeTurnedOff) {
  for (bool preallocate : {true, false}) {
    SCOPED_TRACE(preallocate ? "preallocated" : "not preallocated");
    TempDir dir(preallocate ? "prealloc-on" : "prealloc-off");
    TestNodeOptions o = Named("disk");
    o.data_dir = dir.path();
    o.sync = SyncPolicy::kAlways;
    o.preallocate_log = preallocate;
    auto node = RunningNode::Launch(o);
    ASSERT_TRUE(node);
    ASSERT_TRUE(node->Write({Op::Set("k", "v")}).ok());  // acknowledged: synced
    uint64_t biggest = 0;
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      if (file.path().extension() == ".log") biggest = std::max<uint64_t>(biggest, file.file_size());
    }
    if (preallocate) {
      EXPECT_GE(biggest, 512u * 1024) << "no zeros ahead of the records";
    } else {
      EXPECT_GT(biggest, 0u);
      EXPECT_LT(biggest, 4096u) << "zeros were written although preallocation is off";
    }
  }
}

TEST(NodeRuntime, BatchSyncAcknowledgesAfterTheSyncThread) {
  TempDir dir("batch");
  TestNodeOptions o = Named("batcher");
  o.data_dir = dir.path();
  o.sync = SyncPolicy::kBatch;
  auto node = RunningNode::Launch(o);
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->Write({Op::Set("x", "1")}).ok());
  uint64_t durable = node->Call([](NodeRuntime& rt) { return rt.core().durable_sequence(); });
  EXPECT_GE(durable, 1u);
}

TEST(NodeRuntime, WritesMadeInOneLoopIterationShareOneFsync) {
  // Like Redis's fsync before it sleeps: a sync starts once the loop has run
  // the iteration's callbacks, so every client's write read in it is covered.
  // (Starting it at the first write's request took two fsyncs here.)
  TempDir dir("one-fsync");
  TestNodeOptions o = Named("grouped");
  o.data_dir = dir.path();
  o.sync = SyncPolicy::kAlways;
  auto node = RunningNode::Launch(o);
  ASSERT_TRUE(node);
  auto acked = std::make_shared<std::atomic<int>>(0);
  uint64_t before = node->Call([&](NodeRuntime& rt) {
    uint64_t syncs = rt.sync_count();
    for (int i = 0; i < 50; ++i) {
      rt.Write(std::vector<Op>{Op::Set("k" + std::to_string(i), "v")}, Durability::Local(), [acked](const Status& s) {
        if (s.ok()) ++*acked;
      });
    }
    return syncs;
  });
  ASSERT_TRUE(node->WaitFor([&](NodeRuntime&) { return acked->load() == 50; }));
  EXPECT_EQ(node->Call([](NodeRuntime& rt) { return rt.sync_count(); }) - before, 1u);
}

// A started in-memory runtime in relay mode whose relay frames (one per
// write) are counted in *relayed, from 0 after its first loop turn.
std::unique_ptr<NodeRuntime> StartedRelayingRuntime(size_t* relayed) {
  RuntimeOptions options;
  options.config.name = "relaying";
  options.config.relay = true;
  options.bind = Address{"127.0.0.1", 0};
  auto runtime = NodeRuntime::Create(std::move(options));
  EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
  if (!runtime.ok()) return nullptr;
  std::unique_ptr<NodeRuntime> rt = std::move(runtime).value();
  rt->SetRelaySink([relayed](std::string) { ++*relayed; });
  EXPECT_TRUE(rt->Start().ok());
  uv_run(rt->loop(), UV_RUN_NOWAIT);
  *relayed = 0;
  return rt;
}

// A write is acknowledged before Submit() returns, and what else it left
// (here its relay frame) goes out in one drain at the end of the loop
// iteration, not per write: one turn of the loop, which must not wait.
TEST(NodeRuntime, WritesAreAcknowledgedAtOnceAndTheirPacketsLeaveAtTheEndOfTheIteration) {
  size_t relayed = 0;
  std::unique_ptr<NodeRuntime> runtime = StartedRelayingRuntime(&relayed);
  ASSERT_TRUE(runtime);
  NodeRuntime& rt = *runtime;

  int acked = 0;
  for (int i = 0; i < 3; ++i) {
    Status s = rt.Submit(std::vector<Op>{Op::Incr("hits", 1)}, Durability::Local(), [&acked](const Status& st) {
      if (st.ok()) ++acked;
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(acked, i + 1) << "an in-memory write is acknowledged before Submit() returns";
  }
  EXPECT_EQ(relayed, 0u) << "packets wait for the end of the loop iteration";
  uv_run(rt.loop(), UV_RUN_NOWAIT);
  EXPECT_EQ(relayed, 3u);
  rt.Stop();
}

// Stop() in the same iteration as the writes: their packets still leave.
// Without that, a node stopped right after acknowledging writes was their
// only holder (and, in memory, lost them).
TEST(NodeRuntime, WritesAcknowledgedJustBeforeStopStillLeave) {
  size_t relayed = 0;
  std::unique_ptr<NodeRuntime> runtime = StartedRelayingRuntime(&relayed);
  ASSERT_TRUE(runtime);
  NodeRuntime& rt = *runtime;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rt.Submit(std::vector<Op>{Op::Incr("hits", 1)}, Durability::Local(), [](const Status&) {}).ok());
  }
  ASSERT_EQ(relayed, 0u);
  rt.Stop();
  EXPECT_EQ(relayed, 3u);
}

TEST(NodeRuntime, RefusesADataDirectoryLockedByAnotherNode) {
  TempDir dir("locked");
  TestNodeOptions o = Named("first");
  o.data_dir = dir.path();
  auto first = RunningNode::Launch(o);
  ASSERT_TRUE(first);
  o.name = "second";
  auto second = RunningNode::Create(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(second.status().message().find("is locked by another process"), std::string::npos)
      << second.status().ToString();
}

TEST(NodeRuntime, FaultInjectionCutsTrafficUntilCleared) {
  auto a = RunningNode::Launch(Named("a"));
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AllAlive(*a, 2));
  ASSERT_TRUE(AllAlive(*b, 2));

  // Only b drops: both directions must still be cut.
  b->Call([](NodeRuntime& rt) { rt.SetFaults(FaultSet{{"a"}, 0}); });
  ASSERT_TRUE(a->Write({Op::Set("from-a", "1")}).ok());
  ASSERT_TRUE(b->Write({Op::Set("from-b", "1")}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(b->Get("from-a"), std::nullopt);
  EXPECT_EQ(a->Get("from-b"), std::nullopt);
  EXPECT_GT(b->Call([](NodeRuntime& rt) { return rt.faults().dropped_outgoing() + rt.faults().dropped_incoming(); }),
            0u);

  b->Call([](NodeRuntime& rt) { rt.ClearFaults(); });
  ASSERT_TRUE(b->WaitFor([](NodeRuntime& rt) { return rt.core().map().GetRegister("from-a").has_value(); }));
  ASSERT_TRUE(a->WaitFor([](NodeRuntime& rt) { return rt.core().map().GetRegister("from-b").has_value(); }));
  EXPECT_TRUE(AllAlive(*a, 2));
}

TEST(NodeRuntime, DelayFaultHoldsPacketsBack) {
  auto a = RunningNode::Launch(Named("a"));
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AllAlive(*b, 2));
  a->Call([](NodeRuntime& rt) { rt.SetFaults(FaultSet{{}, 300}); });
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(a->Write({Op::Set("slow", "1")}).ok());
  ASSERT_TRUE(b->WaitFor([](NodeRuntime& rt) { return rt.core().map().GetRegister("slow").has_value(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  a->Call([](NodeRuntime& rt) { rt.ClearFaults(); });
}

TEST(NodeRuntime, LeaveAndStopTellsPeersThenEndsTheLoop) {
  auto a = RunningNode::Launch(Named("a"));
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AllAlive(*a, 2));
  auto start = std::chrono::steady_clock::now();
  b->Shutdown(/*leave=*/true);  // what the SIGTERM handler calls
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  ASSERT_TRUE(a->WaitFor([](NodeRuntime& rt) {
    const Member* m = rt.core().membership().Find("b");
    return m != nullptr && m->state == MemberState::kLeft;
  }));
}

TEST(NodeRuntime, QuorumWritesWaitForPeersAndTimeOutWithoutThem) {
  auto a = RunningNode::Launch(Named("a"));
  auto b = RunningNode::Launch(Named("b", {a->gossip()}));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AllAlive(*a, 2));
  EXPECT_TRUE(a->Write({Op::Set("q", "2")}, Durability::Quorum(2, 3000)).ok());
  EXPECT_EQ(b->Get("q"), "2");  // confirmed durable there before the ack
  Status s = a->Write({Op::Set("q3", "x")}, Durability::Quorum(3, 200));
  EXPECT_EQ(s.code(), Status::Code::kTimedOut) << s.ToString();
  EXPECT_EQ(a->Get("q3"), "x");  // kept locally
}

TEST(NodeRuntime, PendingWritesFailWhenTheNodeStops) {
  auto a = RunningNode::Launch(Named("a"));
  ASSERT_TRUE(a);
  auto result = std::make_shared<std::promise<Status>>();
  auto future = result->get_future();
  a->Call([result](NodeRuntime& rt) {
    rt.Write(std::vector<Op>{Op::Set("never", "acked")}, Durability::Quorum(2, 60000),
             [result](const Status& s) { result->set_value(s); });
  });
  a->Shutdown();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get().code(), Status::Code::kUnavailable);
}

TEST(NodeRuntime, NodesWithTheSameKeyTalkAndOthersAreShutOut) {
  Keyring ring = *Keyring::FromKeys({std::string(32, 'k')});
  Keyring other = *Keyring::FromKeys({std::string(32, 'o')});
  TestNodeOptions o = Named("a");
  o.keyring = ring;
  auto a = RunningNode::Launch(o);
  ASSERT_TRUE(a);
  o = Named("b", {a->gossip()});
  o.keyring = ring;
  auto b = RunningNode::Launch(o);
  o = Named("intruder", {a->gossip()});
  o.keyring = other;
  auto intruder = RunningNode::Launch(o);
  ASSERT_TRUE(b && intruder);
  ASSERT_TRUE(AllAlive(*a, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(a->StateOf("intruder"), std::nullopt);
  EXPECT_EQ(intruder->Call([](NodeRuntime& rt) { return rt.core().membership().AliveCount(); }), 1u);
}

TEST(NodeRuntime, PostFromManyThreadsRunsEverythingOnTheLoop) {
  auto a = RunningNode::Launch(Named("a"));
  ASSERT_TRUE(a);
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (a->Write({Op::Incr("posted", 1)}).ok()) ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(done.load(), 200);
  EXPECT_EQ(a->Call([](NodeRuntime& rt) { return rt.core().map().GetCounter("posted"); }), 200);
}

}  // namespace
}  // namespace parley

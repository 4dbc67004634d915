// The dissemination tree (SyncConfig::tree_fanout): members that agree on
// the membership agree on one spanning tree, and a write's delta reaches
// every member down it exactly once, with no repair. (Down the tree, writes
// arrive in causal order; a writer that learned an earlier write by
// anti-entropy instead may make its receivers hold the write for a moment,
// until the tree brings the earlier one.)
#include <gtest/gtest.h>

#include <map>
#include <queue>
#include <set>
#include <string>

#include "node/core/node_core.h"
#include "tests/node/test_cluster.h"
#include "tests/support/seed.h"

namespace parley {
namespace {

constexpr size_t kNodes = 40;

// Tree push from 9 members on (instead of 129).
NodeConfig TreeConfig() {
  NodeConfig config;
  config.sync.direct_push_max_members = 8;
  config.sync.tree_fanout = 3;
  return config;
}

void StartCluster(testing::TestCluster& c) {
  for (size_t i = 0; i < kNodes; ++i) c.Add(TreeConfig());
  auto joined = [&] {
    for (size_t i = 0; i < kNodes; ++i) {
      if (c.node(i).core->membership().AliveCount() != kNodes) return false;
    }
    return true;
  };
  for (int second = 0; second < 60 && !joined(); ++second) c.Run(1000);
  ASSERT_TRUE(joined()) << "members still joining after 60 s";
}

TEST(TreePush, NeighboursFormOneSpanningTree) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  testing::TestCluster c(seed);
  StartCluster(c);
  std::map<std::string, std::set<std::string>> edges;
  for (size_t i = 0; i < kNodes; ++i) {
    for (const Member* m : c.node(i).core->membership().TreeNeighbors(3)) edges[c.node(i).name].insert(m->name);
  }
  size_t directed = 0;
  for (const auto& [from, tos] : edges) {
    directed += tos.size();
    for (const std::string& to : tos) EXPECT_EQ(edges[to].count(from), 1u) << from << " -> " << to << " is one-way";
  }
  EXPECT_EQ(directed, 2 * (kNodes - 1)) << "a tree has n-1 edges";
  std::set<std::string> reached{c.node(0).name};
  std::queue<std::string> todo;
  todo.push(c.node(0).name);
  while (!todo.empty()) {
    for (const std::string& next : edges[todo.front()]) {
      if (reached.insert(next).second) todo.push(next);
    }
    todo.pop();
  }
  EXPECT_EQ(reached.size(), kNodes) << "the tree spans every member";
}

TEST(TreePush, EveryMemberGetsEachWriteOnceWithNoRepair) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  testing::TestCluster c(seed);
  StartCluster(c);
  // Deltas that came down the tree, not in anti-entropy chunks.
  auto pushed_here = [&](size_t i) {
    const NodeStats& s = c.node(i).core->stats();
    return s.deltas_received - s.chunks_received;
  };
  std::vector<uint64_t> received_before(kNodes);
  std::vector<uint64_t> pulls_before(kNodes);
  for (size_t i = 0; i < kNodes; ++i) {
    received_before[i] = pushed_here(i);
    pulls_before[i] = c.node(i).core->stats().slot_requests;
  }
  // A chain of writes on one key, each replacing the one before it and made
  // on another node as soon as that node has it.
  const int kWrites = 12;
  std::set<size_t> writers;
  for (int w = 0; w < kWrites; ++w) {
    size_t writer = (static_cast<size_t>(w) * 7) % kNodes;  // 12 different nodes
    writers.insert(writer);
    ASSERT_TRUE(c.Write(writer, {Op::Set("chain", "v" + std::to_string(w))}).ok());
    c.Run(5);  // 5 ms apart: a writer may or may not have the writes before
  }
  // Longer than hold_pull_ms: a held write whose predecessor the tree did
  // not bring would have sent a slot request by then.
  c.Run(6000);
  EXPECT_TRUE(c.AllSameDigest());
  for (size_t i = 0; i < kNodes; ++i) {
    EXPECT_EQ(pushed_here(i) - received_before[i], static_cast<uint64_t>(kWrites) - writers.count(i))
        << "node " << i << " got a write twice or missed one";
    EXPECT_EQ(c.node(i).core->stats().slot_requests, pulls_before[i])
        << "node " << i << " held a write that the tree never completed";
    EXPECT_EQ(c.node(i).core->stats().deltas_held_dropped, 0u);
  }
}

// A write group (a Redis EXEC) goes down the tree as one delta: every
// member gets it exactly once, as a single write, and logs it as one record.
TEST(TreePush, AWriteGroupGoesDownTheTreeOnce) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  testing::TestCluster c(seed, /*with_logbooks=*/true);
  StartCluster(c);
  auto pushed_here = [&](size_t i) {  // not in anti-entropy chunks
    const NodeStats& s = c.node(i).core->stats();
    return s.deltas_received - s.chunks_received;
  };
  std::vector<uint64_t> received_before(kNodes);
  std::vector<size_t> records_before(kNodes);
  for (size_t i = 0; i < kNodes; ++i) {
    received_before[i] = pushed_here(i);
    records_before[i] = c.LogFlags(i).size();
  }
  NodeCore& writer = *c.node(5).core;
  writer.BeginWriteGroup();
  for (const char* key : {"from", "to", "amount"}) {
    ASSERT_TRUE(writer.Write(std::vector{Op::Set(key, "grouped")}, Durability::Local(), c.now()).ok());
  }
  writer.EndWriteGroup(c.now());
  c.CollectOutputs(5);
  c.Run(6000);
  EXPECT_TRUE(c.AllSameDigest());
  for (size_t i = 0; i < kNodes; ++i) {
    if (i == 5) continue;
    EXPECT_EQ(c.node(i).core->map().GetRegister("amount"), "grouped") << "node " << i;
    EXPECT_EQ(pushed_here(i) - received_before[i], 1u) << "node " << i;
    EXPECT_EQ(c.LogFlags(i).substr(records_before[i]), ".") << "node " << i;
  }
}

}  // namespace
}  // namespace parley

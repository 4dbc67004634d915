// Membership::RandomPeers: large tables are sampled by random draws rather
// than scanned; the sample must stay distinct, eligible and unbiased, and a
// table of mostly dead members must fall back to the scan.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "node/core/membership.h"

namespace parley {
namespace {

class MembershipSampling : public ::testing::Test {
 protected:
  MembershipSampling() : membership_(config_, 1, rng_, outbox_, broadcasts_) {
    membership_.Start(0);
    for (int i = 0; i < kMembers; ++i) {
      membership_.Handle("m" + std::to_string(i), {},
                         AliveMessage{1, Name(i), static_cast<ReplicaId>(i + 2), Address{"10.0.0.1", Port(i)}, {}}, 0);
    }
  }
  static NodeConfig Config() {
    NodeConfig c;
    c.name = "self";
    c.advertise = Address{"10.0.0.1", 1};
    return c;
  }
  static std::string Name(int i) { return "m" + std::to_string(i); }
  static uint16_t Port(int i) { return static_cast<uint16_t>(1000 + i); }
  void Kill(int i) { membership_.Handle("x", {}, DeadMessage{1, Name(i), "x"}, 0); }

  static constexpr int kMembers = 200;
  const NodeConfig config_ = Config();  // Membership keeps a reference
  std::mt19937_64 rng_{7};
  Outbox outbox_;
  BroadcastQueue broadcasts_;
  Membership membership_;
};

TEST_F(MembershipSampling, DrawsDistinctEligibleMembersCoveringTheTable) {
  std::map<std::string, int> seen;
  for (int round = 0; round < 2000; ++round) {
    std::vector<const Member*> peers = membership_.RandomPeers(3, "m5");
    ASSERT_EQ(peers.size(), 3u);
    std::set<const Member*> distinct(peers.begin(), peers.end());
    EXPECT_EQ(distinct.size(), 3u);
    for (const Member* m : peers) {
      EXPECT_NE(m->name, "self");
      EXPECT_NE(m->name, "m5");
      ++seen[m->name];
    }
  }
  // 6000 picks over 199 members: each expected ~30 times; none may be
  // starved or favoured by the draw (binomial tails are far beyond these).
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMembers - 1));
  for (const auto& [name, count] : seen) {
    EXPECT_GT(count, 5) << name;
    EXPECT_LT(count, 80) << name;
  }
}

TEST_F(MembershipSampling, MostlyDeadTableFallsBackToTheScan) {
  for (int i = 10; i < kMembers; ++i) Kill(i);
  std::vector<const Member*> peers = membership_.RandomPeers(20);
  ASSERT_EQ(peers.size(), 10u);  // every live member, none of the dead
  for (const Member* m : peers) EXPECT_EQ(m->state, MemberState::kAlive) << m->name;
  for (int round = 0; round < 100; ++round) {
    for (const Member* m : membership_.RandomPeers(3)) EXPECT_EQ(m->state, MemberState::kAlive) << m->name;
  }
  // Gossip still reaches the dead, so a wrongly declared node can refute.
  EXPECT_EQ(membership_.RandomPeers(500, {}, /*include_dead=*/true).size(), static_cast<size_t>(kMembers));
}

TEST_F(MembershipSampling, FindsMembersByReplicaAcrossRestartsAndReaping) {
  ASSERT_NE(membership_.FindByReplica(7), nullptr);
  EXPECT_EQ(membership_.FindByReplica(7)->name, Name(5));
  EXPECT_EQ(membership_.FindByReplica(1)->name, "self");
  EXPECT_EQ(membership_.FindByReplica(999), nullptr);
  // m5 comes back in a new life with a new replica id (a wiped data dir).
  membership_.Handle("m5", {}, AliveMessage{2, Name(5), 5000, Address{"10.0.0.1", Port(5)}, {}}, 0);
  EXPECT_EQ(membership_.FindByReplica(7), nullptr);
  ASSERT_NE(membership_.FindByReplica(5000), nullptr);
  EXPECT_EQ(membership_.FindByReplica(5000)->name, Name(5));
  // A reaped member is forgotten by replica too.
  Kill(6);
  membership_.Tick(config_.timing.reap_after_ms + 1);
  EXPECT_EQ(membership_.Find(Name(6)), nullptr);
  EXPECT_EQ(membership_.FindByReplica(8), nullptr);
}

}  // namespace
}  // namespace parley

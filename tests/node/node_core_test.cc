// NodeCore end to end through an in-test message pump: convergence,
// anti-entropy catch-up, failure detection, refutation, quorum writes and
// determinism.
#include "node/core/node_core.h"

#include <gtest/gtest.h>

#include <random>

#include "protocol/random_source.h"
#include "protocol/wire_codec.h"
#include "storage/mem_env.h"
#include "tests/node/test_cluster.h"
#include "tests/support/faulty_env.h"
#include "tests/support/seed.h"

namespace parley {
namespace {

using testing::TestCluster;

Op RandomOp(std::mt19937_64& rng, size_t node) {
  std::string key = "k" + std::to_string(rng() % 20);
  switch (rng() % 4) {
    case 0: return Op::Set("reg:" + key, "v" + std::to_string(rng() % 1000));
    case 1: return Op::Incr("ctr:" + key, static_cast<int64_t>(rng() % 5));
    case 2: return Op::SAdd("set:" + key, "n" + std::to_string(node));
    default: return Op::HSet("hash:" + key, "f" + std::to_string(rng() % 3), "x");
  }
}

void WriteRandomly(TestCluster& c, std::mt19937_64& rng, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < c.size(); ++i) {
      if (!c.node(i).up) continue;
      auto res = c.Write(i, {RandomOp(rng, i)});
      ASSERT_TRUE(res.ok()) << res.status().ToString();
    }
    c.Run(5 + rng() % 20);
  }
}

TEST(NodeCore, NodesConvergeToIdenticalState) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (size_t n : {3u, 6u, 10u}) {
    TestCluster c(seed + n);
    for (size_t i = 0; i < n; ++i) c.Add();
    c.Run(3000);  // join
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(c.node(i).core->membership().AliveCount(), n) << "node " << i << " of " << n;
    }
    WriteRandomly(c, rng, 40);
    c.Run(6000);
    EXPECT_TRUE(c.AllSameDigest()) << n << " nodes";
  }
}

// An idle node wakes for its probes and anti-entropy rounds, not for every
// gossip round with nothing to gossip: at five rounds a second those
// wake-ups were most of an idle 1000-node simulation.
TEST(NodeCore, IdleNodeDoesNotWakeForAnEmptyGossipRound) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  for (int i = 0; i < 3; ++i) c.Add();
  c.Run(5000);  // join; the alive broadcasts run out
  for (size_t i = 0; i < 3; ++i) c.node(i).ticks = 0;
  c.Run(10000);
  const Timing& t = c.node(0).core->config().timing;
  uint64_t gossip_rounds = 10000 / t.gossip_interval_ms;  // 333 with LocalFleet timing
  uint64_t probe_rounds = 10000 / t.probe_interval_ms;    // 50
  for (size_t i = 0; i < 3; ++i) {
    // A probe wakes a node at most twice (send, ack timeout); anti-entropy
    // and the node's own replies add a few.
    EXPECT_LE(c.node(i).ticks, 3 * probe_rounds) << "node " << i << " of " << gossip_rounds << " gossip rounds";
    EXPECT_EQ(c.node(i).core->membership().AliveCount(), 3u);
  }
}

// A fleet within direct_push_max_members gets every write from its origin in
// one hop, with no forwarding and no anti-entropy: the 32-node local fleet
// bench had a p99 of 2.7 s when 3-peer epidemic push missed a node or two
// per write and left them to anti-entropy.
TEST(NodeCore, SmallFleetGetsEveryWriteInOneHop) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config;
  config.sync.piggyback_max_bytes = 0;  // the push alone
  const size_t n = 24;
  for (size_t i = 0; i < n; ++i) c.Add(config);
  auto everyone_joined = [&] {
    for (size_t i = 0; i < n; ++i) {
      if (c.node(i).core->membership().AliveCount() != n) return false;
    }
    return true;
  };
  for (int t = 0; t < 300 && !everyone_joined(); ++t) c.Run(100);
  ASSERT_TRUE(everyone_joined());
  uint64_t forwarded_before = 0;
  for (size_t i = 0; i < n; ++i) forwarded_before += c.node(i).core->stats().deltas_forwarded;
  for (int w = 0; w < 20; ++w) {
    size_t origin = static_cast<size_t>(w) % n;
    uint64_t pushed_before = c.node(origin).core->stats().deltas_pushed;
    ASSERT_TRUE(c.Write(origin, {Op::Set("k" + std::to_string(w), "v")}).ok());
    EXPECT_EQ(c.node(origin).core->stats().deltas_pushed - pushed_before, n - 1);
    c.Run(2 * c.latency_ms);  // one hop, well before any anti-entropy round
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(c.node(i).core->map().GetRegister("k" + std::to_string(w)), "v") << "node " << i;
    }
  }
  uint64_t forwarded = 0;
  for (size_t i = 0; i < n; ++i) forwarded += c.node(i).core->stats().deltas_forwarded;
  EXPECT_EQ(forwarded, forwarded_before) << "nobody needs to forward a direct push";
}

TEST(NodeCore, NodeThatMissedWritesCatchesUpByAntiEntropyAlone) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  TestCluster c(seed);
  NodeConfig no_push;
  no_push.sync.eager_fanout = 0;          // no eager push ...
  no_push.sync.piggyback_max_bytes = 0;   // ... and no piggybacking: only anti-entropy
  for (int i = 0; i < 4; ++i) c.Add(no_push);
  c.Run(3000);
  // Node 3 misses everything written meanwhile (its datagrams are lost),
  // then only push-pull rounds can bring it up to date.
  c.loss = 0;
  c.Isolate(3);
  WriteRandomly(c, rng, 30);
  EXPECT_FALSE(c.node(3).core->StateDigest() == c.node(0).core->StateDigest());
  c.HealAll();
  c.Run(15000);
  EXPECT_TRUE(c.AllSameDigest());
  EXPECT_GT(c.node(3).core->stats().chunks_received, 0u);
  EXPECT_EQ(c.node(3).core->stats().deltas_received, c.node(3).core->stats().chunks_received)
      << "every delta node 3 got came from anti-entropy";
}

// Held-delta tests: deltas travel only by eager push and slot requests (no
// piggyback, no anti-entropy), and a held one is pulled after 500 ms.
NodeConfig HoldTestConfig() {
  NodeConfig config;
  config.sync.piggyback_max_bytes = 0;
  config.sync.hold_pull_ms = 500;
  return config;
}

// Anti-entropy rounds 10 minutes apart, so that a test sees pushes and
// slot requests alone.
void StartNodes(TestCluster& c, const NodeConfig& config, size_t count) {
  c.timing_.push_pull_interval_ms = 600000;
  for (size_t i = 0; i < count; ++i) c.Add(config);
  for (int t = 0; t < 100 && c.node(count - 1).core->membership().AliveCount() != count; ++t) c.Run(100);
  ASSERT_EQ(c.node(count - 1).core->membership().AliveCount(), count);
}

void StartThree(TestCluster& c, const NodeConfig& config) { StartNodes(c, config, 3); }

// All nodes get node 0's "k" = "a"; node 2 misses node 1's "k" = "b1".
void NodeTwoMissesNodeOnesFirstWrite(TestCluster& c) {
  ASSERT_TRUE(c.Write(0, {Op::Set("k", "a")}).ok());
  c.Run(10);
  c.cut.insert({1, 2});
  ASSERT_TRUE(c.Write(1, {Op::Set("k", "b1")}).ok());
  c.Run(10);
  c.cut.clear();
}

// Node 2 misses node 1's first write on "k" ("b1") and gets its second
// ("b2"), which it holds: its slot lacks the entry "b2" replaced.
void HoldNodeOnesSecondWriteAtNodeTwo(TestCluster& c) {
  ASSERT_NO_FATAL_FAILURE(NodeTwoMissesNodeOnesFirstWrite(c));
  ASSERT_TRUE(c.Write(1, {Op::Set("k", "b2")}).ok());
  c.Run(10);
  ASSERT_EQ(c.node(2).core->stats().deltas_held, 1u);
}

// A write's delta carries only its change, so a node that missed the write
// it replaced holds it back (merging it would let anti-entropy skip the
// missed one for good). Here node 2 misses n1's first write on "k" and gets
// its second: it holds that one, then asks n1 for the key's slots and
// merges it, long before any anti-entropy round.
TEST(NodeCore, DeltaThatBuildsOnAMissedWriteIsHeldThenPulledFromItsWriter) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config = HoldTestConfig();
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
  ASSERT_NO_FATAL_FAILURE(HoldNodeOnesSecondWriteAtNodeTwo(c));
  const NodeCore& n2 = *c.node(2).core;
  EXPECT_EQ(n2.map().GetRegister("k"), "a") << "held, not merged";
  c.Run(config.sync.hold_pull_ms + 10);
  EXPECT_EQ(n2.map().GetRegister("k"), "b2");
  EXPECT_EQ(c.node(0).core->map().GetRegister("k"), "b2");
  EXPECT_EQ(n2.stats().deltas_held_dropped, 0u);
}

// A slot-request answer carries the writer's newer events on the slot. If
// the writer alone held them (their pushes were lost) and then goes for
// good, the requester must still pass them on. The answer claims nothing
// (see the next test), so the two survivors see the same events with
// different states and exchange their unclaimed slots. Before either
// mechanism node 2 kept "b3" and node 0 kept "b2" for ever (a swarm run
// found this).
TEST(NodeCore, WritesOnlyASlotRequestAnswerBroughtStillSpreadOnceTheirWriterIsGone) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config = HoldTestConfig();
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
  ASSERT_NO_FATAL_FAILURE(HoldNodeOnesSecondWriteAtNodeTwo(c));
  c.cut = {{1, 0}, {1, 2}};
  ASSERT_TRUE(c.Write(1, {Op::Set("k", "b3")}).ok());  // nobody gets it
  c.Run(10);
  c.cut.clear();
  c.Run(config.sync.hold_pull_ms + 50);  // node 2 asks node 1 for "k"
  ASSERT_EQ(c.node(2).core->map().GetRegister("k"), "b3");
  ASSERT_EQ(c.node(0).core->map().GetRegister("k"), "b2");
  c.Crash(1);
  c.Run(2 * 600000);  // anti-entropy between nodes 0 and 2 (StartThree's rounds are 10 minutes apart)
  EXPECT_EQ(c.node(0).core->map().GetRegister("k"), "b3");
  EXPECT_EQ(c.node(0).core->StateDigest(), c.node(2).core->StateDigest());
}

// A slot-request answer must not claim an event of the answerer whose
// effect on another slot a newer event superseded: that slot does not come
// with the answer. Here node 1's batch (k, t) reaches node 0 only, and its
// newer write of t nobody; node 2 asks node 1 for k. The answer claimed the
// answerer's newest event on each slot it sent, so node 2 kept the batch's
// dot without t, and once node 1 was gone node 0 (which claims it too)
// never sent t: the two differed for good with equal contexts.
TEST(NodeCore, ASlotRequestAnswerClaimsNoEventWhoseEffectsItLacks) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config = HoldTestConfig();
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
  ASSERT_NO_FATAL_FAILURE(HoldNodeOnesSecondWriteAtNodeTwo(c));
  c.cut = {{1, 2}};
  ASSERT_TRUE(c.Write(1, {Op::Set("k", "b3"), Op::Set("t", "t1")}).ok());  // node 0 gets it
  c.Run(10);
  c.cut = {{1, 0}, {1, 2}};
  ASSERT_TRUE(c.Write(1, {Op::Set("t", "t2")}).ok());  // nobody gets it
  c.Run(10);
  c.cut.clear();
  c.Run(config.sync.hold_pull_ms + 50);  // node 2 asks node 1 for "k"
  ASSERT_EQ(c.node(2).core->map().GetRegister("k"), "b3");
  ASSERT_EQ(c.node(0).core->map().GetRegister("t"), "t1");
  c.Crash(1);
  c.Run(3 * 600000);  // anti-entropy between nodes 0 and 2
  EXPECT_EQ(c.node(2).core->map().GetRegister("t"), "t1");
  EXPECT_EQ(c.node(0).core->StateDigest(), c.node(2).core->StateDigest());
}

// A slot-request answer claims no event. Here node 2 gets node 3's
// increment only that way (in node 1's answer), and nodes 1 and 3, the only
// ones whose contexts hold it, then go for good. Nodes 0 and 2 have seen the same
// events yet hold different counters, which no Diff can mend (it ships what
// the peer has not seen); node 2 must send its unclaimed slots instead.
TEST(NodeCore, EffectsWhoseEventsNobodyClaimsAnyMoreStillSpread) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config = HoldTestConfig();
  ASSERT_NO_FATAL_FAILURE(StartNodes(c, config, 4));
  c.cut = {{3, 0}, {3, 2}, {1, 0}, {1, 2}};  // node 3's increment reaches node 1 only
  ASSERT_TRUE(c.Write(3, {Op::Incr("c", 100)}).ok());
  c.Run(10);
  c.cut = {{3, 0}, {3, 2}, {1, 2}, {0, 2}};  // node 1's first reaches node 0, not node 2
  ASSERT_TRUE(c.Write(1, {Op::Incr("c", 1)}).ok());
  c.Run(10);
  c.cut = {{3, 0}, {3, 2}};
  ASSERT_TRUE(c.Write(1, {Op::Incr("c", 1)}).ok());  // node 2 holds it and asks node 1
  c.Run(config.sync.hold_pull_ms + 50);
  ASSERT_EQ(c.node(2).core->map().GetCounter("c"), 102);
  ASSERT_EQ(c.node(0).core->map().GetCounter("c"), 2);
  c.Crash(1);
  c.Crash(3);
  c.Run(3 * 600000);  // anti-entropy between nodes 0 and 2
  EXPECT_EQ(c.node(0).core->map().GetCounter("c"), 102);
  EXPECT_EQ(c.node(0).core->StateDigest(), c.node(2).core->StateDigest());
}

// A Redis EXEC's writes: each its own write here, but one delta in one
// packet to each peer, which the peer joins and logs in one step (so no
// reader there sees some of them without the others, and a crash there
// keeps all or none). Without a group, a packet each. Quorum writes too
// travel as one delta (QuorumWritesOfAGroupSettleByItsOneDelta).
TEST(NodeCore, AWriteGroupReachesEachPeerAsOnePacket) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed, /*with_logbooks=*/true);
  NodeConfig config;
  config.sync.piggyback_max_bytes = 0;  // so the packets carry these deltas only
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
  NodeCore& writer = *c.node(0).core;
  NodeCore& peer = *c.node(1).core;
  // Hands node 0's packets for node 1 to it directly; returns how many.
  auto deliver = [&](const NodeOutputs& out) {
    size_t packets = 0;
    for (const OutgoingPacket& p : out.packets) {
      if (p.to != c.node(1).address) continue;
      peer.Receive(c.node(0).address, p.transport, p.bytes, c.now());
      ++packets;
    }
    return packets;
  };
  auto write_all = [&](const std::string& value, Durability durability) {
    for (const char* key : {"a", "b", "c"}) {
      ASSERT_TRUE(writer.Write(std::vector{Op::Set(key, value)}, durability, c.now()).ok());
    }
  };
  ASSERT_NO_FATAL_FAILURE(write_all("1", Durability::Local()));
  EXPECT_EQ(deliver(writer.TakeOutputs()), 3u);

  // Local writes: one delta.
  writer.BeginWriteGroup();
  ASSERT_NO_FATAL_FAILURE(write_all("2", Durability::Local()));
  EXPECT_EQ(writer.map().GetRegister("c"), "2") << "applied here at once";
  EXPECT_EQ(deliver(writer.TakeOutputs()), 0u) << "nothing leaves before the group ends";
  writer.EndWriteGroup(c.now());
  NodeStats before = peer.stats();
  size_t logged = c.LogFlags(1).size();
  EXPECT_EQ(deliver(writer.TakeOutputs()), 1u);
  EXPECT_EQ(peer.stats().packets_received - before.packets_received, 1u);
  EXPECT_EQ(peer.stats().deltas_received - before.deltas_received, 1u);
  for (const char* key : {"a", "b", "c"}) EXPECT_EQ(peer.map().GetRegister(key), "2") << key;
  EXPECT_EQ(c.LogFlags(1).substr(logged), ".");

  // Quorum writes: one delta as well.
  writer.BeginWriteGroup();
  ASSERT_NO_FATAL_FAILURE(write_all("3", Durability::Quorum(2)));
  writer.EndWriteGroup(c.now());
  before = peer.stats();
  logged = c.LogFlags(1).size();
  EXPECT_EQ(deliver(writer.TakeOutputs()), 1u);
  EXPECT_EQ(peer.stats().deltas_received - before.deltas_received, 1u);
  for (const char* key : {"a", "b", "c"}) EXPECT_EQ(peer.map().GetRegister(key), "3") << key;
  EXPECT_EQ(c.LogFlags(1).substr(logged), ".");
}

// A write group that builds on a write a peer missed is held back there
// whole: the peer's readers see none of it until the missed write arrives
// (pulled from the writer), then all of it. (Sent as separate deltas, the
// writes that did not build on the missed one were joined at once.) Made
// with local and with quorum durability.
TEST(NodeCore, AWriteGroupThatBuildsOnAMissedWriteIsHeldWhole) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  for (Durability durability : {Durability::Local(), Durability::Quorum(2, 5000)}) {
    SCOPED_TRACE("durability nodes " + std::to_string(durability.nodes));
    TestCluster c(seed);
    NodeConfig config = HoldTestConfig();
    ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
    ASSERT_NO_FATAL_FAILURE(NodeTwoMissesNodeOnesFirstWrite(c));
    NodeCore& writer = *c.node(1).core;
    writer.BeginWriteGroup();
    for (const Op& op : {Op::Set("x", "1"), Op::Set("k", "b2"), Op::Set("y", "1")}) {
      ASSERT_TRUE(writer.Write(std::span<const Op>(&op, 1), durability, c.now()).ok());
    }
    writer.EndWriteGroup(c.now());
    c.CollectOutputs(1);
    c.Run(10);
    const NodeCore& n2 = *c.node(2).core;
    EXPECT_EQ(n2.stats().deltas_held, 1u);
    EXPECT_EQ(n2.map().GetRegister("k"), "a");
    EXPECT_EQ(n2.map().GetRegister("x"), std::nullopt) << "a part of the group is visible";
    EXPECT_EQ(n2.map().GetRegister("y"), std::nullopt) << "a part of the group is visible";
    c.Run(config.sync.hold_pull_ms + 10);
    EXPECT_EQ(n2.map().GetRegister("k"), "b2");
    EXPECT_EQ(n2.map().GetRegister("x"), "1");
    EXPECT_EQ(n2.map().GetRegister("y"), "1");
  }
}

// A group too big to travel as one delta (over half a frame, here 32 KB)
// goes as its writes' deltas, and in several messages where a receiver
// accepts fewer in one (here 2 deltas per batch), all of which the peer
// takes; sent as one, the peer would drop it as malformed.
TEST(NodeCore, AWriteGroupBeyondTheBatchLimitGoesAsSeveralMessages) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config;
  config.sync.piggyback_max_bytes = 0;
  config.limits.max_deltas_per_batch = 2;
  config.limits.max_frame_bytes = 64 << 10;
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));
  NodeCore& writer = *c.node(0).core;
  NodeCore& peer = *c.node(1).core;
  const std::string value(8 << 10, 'v');  // 5 x 8 KB: over half a frame, two in one under it
  writer.BeginWriteGroup();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(writer.Write(std::vector{Op::Set("k" + std::to_string(i), value)}, Durability::Local(), c.now()).ok());
  }
  writer.EndWriteGroup(c.now());
  const NodeStats before = peer.stats();
  size_t frames = 0;
  for (const OutgoingPacket& p : writer.TakeOutputs().packets) {
    if (p.to != c.node(1).address) continue;
    ASSERT_EQ(p.transport, Transport::kFrame);
    peer.Receive(c.node(0).address, p.transport, std::string_view(p.bytes).substr(4), c.now());  // unprefixed
    ++frames;
  }
  EXPECT_EQ(frames, 3u);
  EXPECT_EQ(peer.stats().packets_dropped, before.packets_dropped);
  EXPECT_EQ(peer.stats().deltas_received - before.deltas_received, 5u);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(peer.map().GetRegister("k" + std::to_string(i)) == value) << i;
}

// A peer that is no NodeCore: sends a node messages as a member named
// "answerer" would, and decodes what the node sends.
class FakePeer {
 public:
  explicit FakePeer(uint64_t seed) {
    WireOptions options;
    options.sender = "answerer";
    options.cluster_id = NodeConfig().cluster_id;
    options.random = SeededRandomSource(seed);
    codec_ = std::move(WireCodec::Create(std::move(options))).value();
  }
  void Send(NodeCore& to, const Message& message, uint64_t now_ms, const Address& from = {"10.0.0.9", 7000}) {
    Result<std::string> frame = codec_->EncodeFrame(message);
    ASSERT_TRUE(frame.ok());
    to.Receive(from, Transport::kFrame, std::string_view(*frame).substr(4), now_ms);  // unprefixed
  }
  // The diff chunks among `packets` sent to `to`.
  std::vector<DiffChunkMessage> ChunksIn(const std::vector<OutgoingPacket>& packets, const Address& to) {
    std::vector<DiffChunkMessage> chunks;
    for (const OutgoingPacket& p : packets) {
      if (p.to != to || p.transport != Transport::kFrame) continue;
      Result<Packet> packet = codec_->DecodeFrame(std::string_view(p.bytes).substr(4));
      EXPECT_TRUE(packet.ok());
      if (!packet.ok()) continue;
      for (const Message& m : packet->messages) {
        if (KindOf(m) == MessageKind::kDiffChunk) chunks.push_back(std::get<DiffChunkMessage>(m));
      }
    }
    return chunks;
  }
  // A diff answer of several chunks, as a node sends it.
  void Answer(NodeCore& to, const std::vector<Delta>& whole, uint64_t now_ms) {
    for (size_t i = 0; i < whole.size(); ++i) {
      Send(to, Message{DiffChunkMessage{static_cast<uint32_t>(i), i + 1 == whole.size(), whole[i]}}, now_ms);
    }
  }

 private:
  std::unique_ptr<WireCodec> codec_;
};

// A writer's map after the first n of its events INCR c (dot 1), SET k1 (2),
// SET k2 (3), INCR c (4). Cut one slot per chunk, dot 1's claim comes with
// k1 and c's state with dot 4.
constexpr ReplicaId kChunkWriter = 77;
std::unique_ptr<CrdtMap> ChunkWriterAfter(size_t n) {
  const Op events[] = {Op::Incr("c", 1), Op::Set("k1", "1"), Op::Set("k2", "2"), Op::Incr("c", 1)};
  auto map = std::make_unique<CrdtMap>(kChunkWriter);
  for (size_t i = 0; i < n; ++i) EXPECT_TRUE(map->Apply(std::span<const Op>(&events[i], 1), 1000 + i).ok());
  return map;
}

// A peer's answer of several chunks claims its dots only once all of them
// have come, in order. A chunk may claim a dot whose effect a newer event
// superseded on a slot that a later chunk carries. Kept alone, the claim
// stopped every peer from sending that slot again: were the newer event lost
// with its writer's disk, the node never converged (a swarm run found this).
TEST(NodeCore, AnAnswersClaimsWaitForAllOfItsChunks) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  c.Add();
  c.Run(100);
  NodeCore& node = *c.node(0).core;
  FakePeer answerer(seed);
  std::unique_ptr<CrdtMap> writer = ChunkWriterAfter(4);
  const std::vector<Delta> chunks = writer->Diff(CausalContext(), 1);
  const Dot first{kChunkWriter, 1};
  ASSERT_EQ(chunks.size(), 3u);
  ASSERT_TRUE(chunks[0].context.Contains(first));
  ASSERT_EQ(chunks[0].slots.size(), 1u);
  ASSERT_EQ(chunks[0].slots[0].key, "k1");

  // The first chunk alone: its slot at once, its claims not.
  answerer.Send(node, Message{DiffChunkMessage{0, false, chunks[0]}}, c.now());
  EXPECT_EQ(node.map().GetRegister("k1"), "1");
  EXPECT_FALSE(node.map().context().Contains(first)) << "dot 1 claimed without its effect on c";
  // Then the last, with the middle one missing: still no claim.
  answerer.Send(node, Message{DiffChunkMessage{2, true, chunks[2]}}, c.now());
  EXPECT_EQ(node.map().GetCounter("c"), 2);
  EXPECT_FALSE(node.map().context().Includes(chunks[2].context)) << "claims of an answer with a gap";

  // On a fresh node: an answer cut off after its first chunk; then the
  // writer's disk is lost with dot 4, and a node that saw dots 1-3 answers.
  // What the fresh node does not claim comes with that answer.
  c.Crash(0);
  c.Restart(0);  // without a logbook: empty
  c.Run(100);
  NodeCore& fresh = *c.node(0).core;
  answerer.Send(fresh, Message{DiffChunkMessage{0, false, chunks[0]}}, c.now());
  std::unique_ptr<CrdtMap> survivor = ChunkWriterAfter(3);
  answerer.Answer(fresh, survivor->Diff(fresh.map().context(), 1), c.now());
  EXPECT_EQ(fresh.map().GetCounter("c"), 1) << "the survivor's c never came";
  EXPECT_EQ(fresh.map().StateDigest(), survivor->StateDigest());

  // A whole answer, in order, claims all it carries.
  answerer.Answer(fresh, chunks, c.now());
  EXPECT_TRUE(fresh.map().context().Includes(writer->context()));
  EXPECT_EQ(fresh.map().StateDigest(), writer->StateDigest());
}

// A whole answer of several chunks is logged as its slots, then its claims:
// a restart recovers both.
TEST(NodeCore, AnAnswerOfSeveralChunksIsRecoveredAfterACrash) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed, /*with_logbooks=*/true);
  c.Add();
  c.Run(100);
  FakePeer answerer(seed);
  std::unique_ptr<CrdtMap> writer = ChunkWriterAfter(4);
  answerer.Answer(*c.node(0).core, writer->Diff(CausalContext(), 1), c.now());
  c.Sync(0);
  c.Crash(0);
  c.Restart(0);
  const NodeCore& restarted = *c.node(0).core;
  EXPECT_TRUE(restarted.map().context().Includes(writer->context()));
  EXPECT_EQ(restarted.map().StateDigest(), writer->StateDigest());
}

// A digest that came through the relay is answered there, and every node
// reads that answer and takes its claims. So it carries each writer's events
// from the first the asker lacks onward (CrdtMap::DiffForAnyReader): here
// the asker has the write that superseded t, a reader may not.
TEST(NodeCore, AnAnswerThroughTheRelayCarriesWhatSupersededItsClaims) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  c.Add();
  c.Run(100);
  NodeCore& writer = *c.node(0).core;
  ASSERT_TRUE(c.Write(0, {Op::Set("k", "1"), Op::Set("t", "1")}).ok());
  ASSERT_TRUE(c.Write(0, {Op::Set("t", "2")}).ok());
  CausalContext asker;  // has the second write only
  asker.Insert(Dot{writer.replica(), writer.map().context().MaxCounter(writer.replica())});
  FakePeer peer(seed);
  auto answer_to = [&](const Address& from) {
    writer.TakeOutputs();
    peer.Send(writer, Message{ContextDigestMessage{asker, Digest{}, false}}, c.now(), from);
    std::set<std::string> keys;
    for (const DiffChunkMessage& chunk : peer.ChunksIn(writer.TakeOutputs().packets, from)) {
      for (const SlotState& slot : chunk.delta.slots) keys.insert(slot.key);
    }
    return keys;
  };
  EXPECT_EQ(answer_to(Address{"10.0.0.9", 7000}), std::set<std::string>{"k"}) << "to the asker alone";
  EXPECT_EQ(answer_to(kRelayAddress), (std::set<std::string>{"k", "t"})) << "through the relay";
}

// A held delta can name many big slots; their states come back in several
// chunk_bytes pieces, and every piece must arrive and be joined.
TEST(NodeCore, SlotRequestAnswerIsCutIntoChunks) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  NodeConfig config = HoldTestConfig();
  config.sync.chunk_bytes = 4096;
  ASSERT_NO_FATAL_FAILURE(StartThree(c, config));

  // 40 fields of 500 bytes: ~20 KB of slot states, five or more chunks.
  auto write_fields = [&](char fill) {
    std::vector<Op> ops;
    for (int f = 0; f < 40; ++f) ops.push_back(Op::HSet("h", "f" + std::to_string(f), std::string(500, fill)));
    return c.Write(1, std::move(ops));
  };
  c.cut.insert({1, 2});
  ASSERT_TRUE(write_fields('a').ok());
  c.Run(10);
  c.cut.clear();
  ASSERT_TRUE(write_fields('b').ok());  // builds on the write node 2 missed
  c.Run(10);
  const NodeCore& n2 = *c.node(2).core;
  ASSERT_EQ(n2.stats().deltas_held, 1u);
  uint64_t chunks_before = n2.stats().chunks_received;
  c.Run(config.sync.hold_pull_ms + 50);
  EXPECT_GE(n2.stats().chunks_received - chunks_before, 5u);
  EXPECT_EQ(n2.map().HashAll("h"), c.node(1).core->map().HashAll("h"));
  EXPECT_EQ(n2.map().HashGet("h", "f39"), std::string(500, 'b'));
  // (The contexts still differ: the answer claims only node 1's newest
  // event on each slot, which node 2 had, and the missed write's dot comes
  // with the next anti-entropy round.)
}

// The core caches its digest by map version for anti-entropy; whatever
// changed the map (local writes, pushed deltas, diff chunks), the digest it
// sends and reports must be the state's, never a stale one.
TEST(NodeCore, CachedDigestFollowsEveryChange) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  TestCluster c(seed);
  NodeConfig config;
  config.timing.push_pull_interval_ms = 300;  // digests exchanged often
  for (int i = 0; i < 4; ++i) c.Add(config);
  c.Run(2000);
  for (int round = 0; round < 40; ++round) {
    WriteRandomly(c, rng, 1);
    for (size_t i = 0; i < c.size(); ++i) {
      const NodeCore& core = *c.node(i).core;
      ASSERT_EQ(core.StateDigest(), core.map().RecomputeStateDigest()) << "node " << i << " round " << round;
    }
  }
  c.Run(5000);
  EXPECT_TRUE(c.AllSameDigest());
}

TEST(NodeCore, CrashedNodeIsSuspectedThenDeclaredDeadByAll) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  for (int i = 0; i < 5; ++i) c.Add();
  c.Run(3000);
  c.Crash(4);
  uint64_t crashed_at = c.now();
  // Bound: a probe round over the others, plus the longest suspicion timeout.
  const Timing& t = c.timing_;
  uint64_t bound = 5 * t.probe_interval_ms +
                   static_cast<uint64_t>(t.suspicion_max_mult * t.suspicion_mult * t.probe_interval_ms) + 1000;
  bool all_dead = false;
  while (c.now() < crashed_at + bound && !all_dead) {
    c.Run(50);
    all_dead = true;
    for (size_t i = 0; i < 4; ++i) {
      const Member* m = c.View(i, 4);
      all_dead = all_dead && m != nullptr && m->state == MemberState::kDead;
    }
  }
  EXPECT_TRUE(all_dead) << "not declared dead by all within " << bound << " ms";
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(c.View(i, 0)->state, MemberState::kAlive);
}

TEST(NodeCore, SlowNodeRefutesSuspicion) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed);
  for (int i = 0; i < 5; ++i) c.Add();
  c.Run(3000);
  uint64_t incarnation_before = c.View(0, 4)->incarnation;
  // Node 4 answers after the probe interval (so its probes fail and it is
  // suspected) but well within the suspicion timeout, so it can refute.
  c.extra_delay[4] = c.timing_.probe_interval_ms + 100;
  c.Run(15000);
  for (size_t i = 0; i < 4; ++i) {
    const Member* m = c.View(i, 4);
    ASSERT_NE(m, nullptr);
    EXPECT_NE(m->state, MemberState::kDead) << "viewer " << i;
    EXPECT_GT(m->incarnation, incarnation_before) << "node 4 never had to refute";
  }
  EXPECT_GT(c.node(4).core->membership().local_health(), 0) << "refuting should lower local health";
}

TEST(NodeCore, DeadNodeRejoinsUnderTheSameName) {
  TestCluster c(21, /*with_logbooks=*/true);
  for (int i = 0; i < 4; ++i) c.Add();
  c.Run(3000);
  ASSERT_TRUE(c.Write(3, {Op::Set("mine", "before crash")}).ok());
  c.Run(500);
  c.Crash(3);
  c.Run(8000);
  for (size_t i = 0; i < 3; ++i) ASSERT_EQ(c.View(i, 3)->state, MemberState::kDead);
  c.Restart(3);
  c.Run(4000);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c.View(i, 3)->state, MemberState::kAlive) << "viewer " << i;
  EXPECT_EQ(c.node(3).core->map().GetRegister("mine"), "before crash");
  EXPECT_EQ(c.node(3).core->membership().AliveCount(), 4u);
}

// A write is pushed to peers before its logbook record is synced; if the node
// then crashes, the record is gone locally but not remotely. The restarted
// node must not reuse that dot for a different write: two writes under one
// dot look like one to the merge, and replicas would disagree forever (I1).
TEST(NodeCore, RestartAfterLosingUnsyncedWritesNeverReusesTheirDots) {
  TestCluster c(31, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.sync_policy = SyncPolicy::kBatch;
  for (int i = 0; i < 3; ++i) c.Add(cfg);
  c.Run(3000);
  c.node(2).hold_syncs = true;  // its disk never gets to sync this write
  ASSERT_TRUE(c.Write(2, {Op::Set("k", "pushed, then lost locally")}).ok());
  c.Run(100);
  ASSERT_EQ(c.node(0).core->map().GetRegister("k"), "pushed, then lost locally");
  EXPECT_TRUE(c.node(2).done.empty()) << "acknowledged without a sync";
  c.Crash(2);
  c.Restart(2);
  EXPECT_EQ(c.node(2).core->map().GetRegister("k"), std::nullopt);
  c.node(2).hold_syncs = false;
  // Written before the restarted node hears from anyone.
  ASSERT_TRUE(c.Write(2, {Op::Set("k", "written after restart")}).ok());
  c.Run(6000);
  EXPECT_TRUE(c.AllSameDigest());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(c.node(i).core->map().GetRegister("k"), "written after restart") << "node " << i;
  }
}

// Skew is invisible to last-writer-wins (the hybrid clock only keeps it
// causal), so a node reports how far received timestamps ran ahead of its
// own clock: 0 while the clocks agree, the writer's lead once one is fast.
TEST(NodeCore, ReportsHowFarReceivedTimestampsRanAheadOfItsClock) {
  TestCluster c(37);
  for (int i = 0; i < 3; ++i) c.Add();
  c.Run(3000);
  ASSERT_TRUE(c.Write(0, {Op::Set("k", "clocks agree")}).ok());
  c.Run(1000);
  ASSERT_EQ(c.node(1).core->map().GetRegister("k"), "clocks agree");
  EXPECT_EQ(c.node(1).core->stats().clock_ahead_max_ms, 0u);
  // Node 0's clock runs 5 s fast for one write.
  ASSERT_TRUE(c.node(0).core->Write(std::vector{Op::Set("k", "from the future")}, Durability::Local(), c.now() + 5000)
                  .ok());
  c.CollectOutputs(0);
  c.Run(1000);
  for (size_t i : {1u, 2u}) {
    ASSERT_EQ(c.node(i).core->map().GetRegister("k"), "from the future") << "node " << i;
    // Received 0 to 1000 ms after it was written (the run's latency).
    EXPECT_LE(c.node(i).core->stats().clock_ahead_max_ms, 5000u) << "node " << i;
    EXPECT_GE(c.node(i).core->stats().clock_ahead_max_ms, 4000u) << "node " << i;
  }
  EXPECT_EQ(c.node(0).core->stats().clock_ahead_max_ms, 0u) << "its own write is not news from the future";
}

// An operator who fixes the fast clock must see the gauge come back: the
// recent figure forgets a skew within two minutes of quiet, the maximum
// keeps it, and a new skew shows in the recent figure again.
TEST(NodeCore, RecentClockSkewFallsBackOnceTheClocksAgree) {
  TestCluster c(38);
  for (int i = 0; i < 3; ++i) c.Add();
  c.Run(3000);
  ASSERT_TRUE(c.node(0).core->Write(std::vector{Op::Set("k", "5 s fast")}, Durability::Local(), c.now() + 5000).ok());
  c.CollectOutputs(0);
  c.Run(1000);
  ASSERT_EQ(c.node(1).core->map().GetRegister("k"), "5 s fast");
  EXPECT_GE(c.node(1).core->stats().clock_ahead_recent_ms, 4000u);
  c.Run(60000);  // one window on: still recent
  EXPECT_GE(c.node(1).core->stats().clock_ahead_recent_ms, 4000u);
  ASSERT_TRUE(c.Write(0, {Op::Set("k", "clocks agree")}).ok());  // a write that is not ahead changes nothing
  c.Run(70000);
  EXPECT_EQ(c.node(1).core->map().GetRegister("k"), "clocks agree");
  EXPECT_EQ(c.node(1).core->stats().clock_ahead_recent_ms, 0u);
  EXPECT_GE(c.node(1).core->stats().clock_ahead_max_ms, 4000u) << "the maximum since start stays";
  ASSERT_TRUE(c.node(0).core->Write(std::vector{Op::Set("k", "2 s fast")}, Durability::Local(), c.now() + 2000).ok());
  c.CollectOutputs(0);
  c.Run(1000);
  EXPECT_GE(c.node(1).core->stats().clock_ahead_recent_ms, 1000u);
  EXPECT_LE(c.node(1).core->stats().clock_ahead_recent_ms, 2000u);
}

// A small map with one busy key: the record count alone would let the log
// grow to 200,000 records between snapshots; its size triggers them instead,
// and the node recovers from snapshot + log as before.
TEST(NodeCore, LogSizeTriggersSnapshotsOfASmallBusyMap) {
  TestCluster c(11, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.snapshot_min_log_bytes = 16 << 10;
  c.Add(cfg);
  c.Run(1000);
  const std::string value(200, 'v');
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(c.Write(0, {Op::Set("busy", value + std::to_string(i))}).ok());
  }
  // ~250 KB logged against a ~300-byte state: a snapshot every 16 KB.
  EXPECT_GE(c.node(0).core->stats().snapshots, 10u);
  EXPECT_LE(c.node(0).logbook->segment_count(), 2u);
  c.Run(100);  // the last writes synced
  c.Crash(0);
  c.Restart(0);
  EXPECT_EQ(c.node(0).core->map().GetRegister("busy"), value + "999");
}

// One node taking record-count snapshots every 10 records, and ten 1 KB
// values written: its first snapshot, of ~10 KB.
void StartWithABigSnapshot(TestCluster& c, const std::string& big) {
  NodeConfig cfg;
  cfg.snapshot_every_records = 10;
  c.Add(cfg);
  c.Run(1000);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Write(0, {Op::Set("big" + std::to_string(i), big)}).ok());
  ASSERT_EQ(c.node(0).core->stats().snapshots, 1u);  // ~10 KB of log, nothing before it
}

// A record-count snapshot waits until the log since the last snapshot is as
// big as that snapshot: a big map changed by a few small writes is cheaper
// to replay than to write out again.
TEST(NodeCore, RecordCountSnapshotsWaitForALogAsBigAsTheLastSnapshot) {
  TestCluster c(12, /*with_logbooks=*/true);
  const std::string big(1000, 'b');
  StartWithABigSnapshot(c, big);
  if (HasFatalFailure()) return;
  // Ten small writes: 10 records, but far fewer bytes than the ~10 KB snapshot.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Write(0, {Op::Set("small", std::to_string(i))}).ok());
  EXPECT_EQ(c.node(0).core->stats().snapshots, 1u);
  // Once the log since then outweighs the snapshot, the next record takes one.
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(c.Write(0, {Op::Set("big" + std::to_string(i), big + "!")}).ok());
  EXPECT_EQ(c.node(0).core->stats().snapshots, 2u);
  c.Run(100);
  c.Crash(0);
  c.Restart(0);
  EXPECT_EQ(c.node(0).core->map().GetRegister("small"), "9");
  EXPECT_EQ(c.node(0).core->map().GetRegister("big3"), big + "!");
}

// After a restart the recovered snapshot's size still counts: a node that
// restarts must not write its whole map out again after a few small records.
TEST(NodeCore, ARestartedNodeWeighsItsLogAgainstTheRecoveredSnapshot) {
  TestCluster c(13, /*with_logbooks=*/true);
  const std::string big(1000, 'b');
  StartWithABigSnapshot(c, big);
  if (HasFatalFailure()) return;
  c.Run(100);
  c.Crash(0);
  c.Restart(0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.Write(0, {Op::Set("small", std::to_string(i))}).ok());
  EXPECT_EQ(c.node(0).core->stats().snapshots, 0u);  // counted since the restart
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(c.Write(0, {Op::Set("big" + std::to_string(i), big + "!")}).ok());
  EXPECT_EQ(c.node(0).core->stats().snapshots, 1u);
}

// The batch policy bounds the fsync rate, not a lone write's latency: a write
// after a quiet spell syncs at once, the next one an interval after that.
TEST(NodeCore, BatchPolicySyncsALoneWriteAtOnceAndSpacesTheNext) {
  TestCluster c(7, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.sync_policy = SyncPolicy::kBatch;
  cfg.batch_interval_ms = 100;
  c.Add(cfg);
  c.Run(1000);
  ASSERT_TRUE(c.Write(0, {Op::Set("a", "1")}).ok());
  EXPECT_EQ(c.node(0).done.size(), 1u) << "a lone write waited for the batch timer";
  ASSERT_TRUE(c.Write(0, {Op::Set("b", "2")}).ok());
  EXPECT_EQ(c.node(0).done.size(), 1u) << "a second sync within the interval";
  c.Run(50);
  EXPECT_EQ(c.node(0).done.size(), 1u);
  c.Run(60);
  EXPECT_EQ(c.node(0).done.size(), 2u);
}

// While a sync runs, the batch policy arms no timer for the records that
// come meanwhile (it would only wake the node to ask for the sync it
// already asked for); the sync's completion asks for what it left.
TEST(NodeCore, BatchPolicyAsksOnceWhileASyncRuns) {
  TestCluster c(7, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.sync_policy = SyncPolicy::kBatch;
  cfg.batch_interval_ms = 100;
  TestCluster::Node& n = c.Add(cfg);
  c.Run(1000);
  n.hold_syncs = true;
  Result<uint64_t> a = c.Write(0, {Op::Set("a", "1")});
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(n.sync_requests, 1u);
  const uint64_t a_sequence = n.logbook->last_sequence();
  c.Run(10);
  ASSERT_TRUE(c.Write(0, {Op::Set("b", "2")}).ok());
  c.Run(300);  // past the batch interval, the sync still running
  EXPECT_EQ(n.sync_requests, 1u) << "asked again while the first sync ran";
  EXPECT_TRUE(n.done.empty());
  // The sync ends having covered only "a": "b" must be asked for now.
  ASSERT_TRUE(n.logbook->Sync().ok());
  n.core->OnSynced(a_sequence, Status::Ok(), c.now());
  n.hold_syncs = false;
  c.CollectOutputs(0);
  EXPECT_EQ(n.sync_requests, 2u) << "what the sync left was not asked for";
  EXPECT_EQ(n.done.size(), 2u);
}

// Two groups with no direct path converge through the relay alone, and a
// node that missed relay traffic catches up with SyncThroughRelay.
TEST(NodeCore, GroupsWithoutADirectPathConvergeThroughTheRelay) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  TestCluster c(seed);
  NodeConfig cfg;
  cfg.relay = true;
  for (int i = 0; i < 4; ++i) c.Add(cfg);
  for (size_t a : {0u, 1u}) {
    for (size_t b : {2u, 3u}) c.cut.insert({a, b}), c.cut.insert({b, a});
  }
  c.Run(3000);
  WriteRandomly(c, rng, 20);
  c.Run(3000);
  EXPECT_TRUE(c.AllSameDigest());

  c.relay_up = false;  // node 3 misses what node 0 writes meanwhile ...
  ASSERT_TRUE(c.Write(0, {Op::Set("while the relay was down", "x")}).ok());
  c.Run(3000);
  EXPECT_EQ(c.node(3).core->map().GetRegister("while the relay was down"), std::nullopt);
  c.relay_up = true;  // ... and asks through the relay once it is back
  c.node(3).core->SyncThroughRelay(c.now());
  c.Run(2000);
  EXPECT_EQ(c.node(3).core->map().GetRegister("while the relay was down"), "x");
  EXPECT_TRUE(c.AllSameDigest());
}

TEST(NodeCore, GracefulLeaveIsSeenAsLeft) {
  TestCluster c(7);
  for (int i = 0; i < 4; ++i) c.Add();
  c.Run(3000);
  c.node(3).core->Leave(c.now());
  c.Run(1000);
  c.Crash(3);
  c.Run(1000);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c.View(i, 3)->state, MemberState::kLeft);
}

// A lone node (replica 9) over a logbook in `env`, started and with its
// start-up outputs taken. The core goes before the logbook it points to.
struct SoloNode {
  std::unique_ptr<Logbook> logbook;
  std::unique_ptr<NodeCore> core;
};
SoloNode OpenSoloNode(Env* env, SyncPolicy sync_policy, LogbookOptions options = {}) {
  options.new_replica_id = 9;
  SoloNode node;
  auto logbook = Logbook::Open(env, "/data", options);
  EXPECT_TRUE(logbook.ok()) << logbook.status().ToString();
  if (!logbook.ok()) return node;
  node.logbook = std::move(logbook).value();
  NodeConfig config;
  config.name = "solo";
  config.advertise = Address{"10.0.0.1", 7946};
  config.sync_policy = sync_policy;
  auto created = NodeCore::Create(config, node.logbook->replica_id(), node.logbook.get(), SeededRandomSource(1));
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (!created.ok()) return node;
  node.core = std::move(created).value();
  node.core->Start(0);
  node.core->TakeOutputs();
  return node;
}

// Local writes settle in log order as fsyncs complete; a failed fsync fails
// only the writes it should have covered; outputs come in write-id order
// even when a quorum write and a local write settle in the same call.
TEST(NodeCore, WritesSettleInOrderAsSyncsCompleteAndFailOnlyIfUnsynced) {
  MemEnv env;
  SoloNode solo = OpenSoloNode(&env, SyncPolicy::kAlways);
  ASSERT_NE(solo.core, nullptr);
  NodeCore& core = *solo.core;
  auto write = [&](const char* key, Durability durability = Durability::Local()) {
    Op op = Op::Set(key, "v");
    auto id = core.Write(std::span<const Op>(&op, 1), durability, 10);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  };
  auto done = [&](uint64_t durable, const Status& status, uint64_t now_ms) {
    core.OnSynced(durable, status, now_ms);
    std::vector<std::pair<uint64_t, Status::Code>> out;
    for (const WriteDone& w : core.TakeOutputs().writes) out.emplace_back(w.write, w.status.code());
    return out;
  };
  using Settled = std::vector<std::pair<uint64_t, Status::Code>>;
  constexpr auto kOk = Status::Code::kOk;

  uint64_t a = write("a"), b = write("b"), c = write("c");
  EXPECT_TRUE(core.TakeOutputs().writes.empty()) << "acknowledged before any fsync";
  const uint64_t first = core.durable_sequence() + 1;  // a's log sequence
  EXPECT_EQ(done(first + 1, Status::Ok(), 20), (Settled{{a, kOk}, {b, kOk}}));
  Settled failed = done(first + 1, Status::IoError("disk on fire"), 30);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].first, c);
  EXPECT_NE(failed[0].second, kOk);

  // A quorum write nobody can confirm, then a local one; both settle in the
  // sync completion that comes after the quorum's deadline.
  uint64_t q = write("q", Durability::Quorum(2, 100));
  uint64_t d = write("d");
  EXPECT_EQ(done(first + 4, Status::Ok(), 500), (Settled{{q, Status::Code::kTimedOut}, {d, kOk}}));
}

// Once the logbook has failed, a write is refused before it is applied: the
// client told it failed finds the map as it was. (Before, every later write
// was applied in memory, spread by anti-entropy, and reported as failed.)
TEST(NodeCore, WritesAreRefusedUnappliedOnceTheLogbookFailed) {
  MemEnv mem;
  testing::FaultyEnv env(&mem);
  SoloNode solo = OpenSoloNode(&env, SyncPolicy::kNone);
  ASSERT_NE(solo.core, nullptr);
  NodeCore& core = *solo.core;
  auto write = [&](Op op) { return core.Write(std::span<const Op>(&op, 1), Durability::Local(), 10); };

  ASSERT_TRUE(write(Op::Set("a", "1")).ok());
  env.fail_append = true;
  // The write during which the disk fails is applied before its record is
  // refused; the error says so.
  Result<uint64_t> failing = write(Op::Set("b", "2"));
  ASSERT_FALSE(failing.ok());
  EXPECT_NE(failing.status().ToString().find("not logged"), std::string::npos) << failing.status().ToString();
  EXPECT_FALSE(solo.logbook->health().ok());
  // Every later one changes nothing, whatever its kind.
  const Digest before = core.StateDigest();
  for (Op op : {Op::Set("a", "9"), Op::Set("c", "3"), Op::Incr("n", 1), Op::Del("a")}) {
    Result<uint64_t> refused = write(op);
    ASSERT_FALSE(refused.ok()) << op.key;
    EXPECT_NE(refused.status().ToString().find("logbook failed"), std::string::npos) << refused.status().ToString();
  }
  EXPECT_EQ(core.map().GetRegister("a"), "1");
  EXPECT_EQ(core.map().GetRegister("c"), std::nullopt);
  EXPECT_EQ(core.map().GetCounter("n"), std::nullopt);
  EXPECT_EQ(core.StateDigest(), before);
}

// A write whose delta is too big for one log record (here 4 KB; 64 MB by
// default, which a half-million-pair MSET or the DEL of a set with millions
// of members exceeds) is kept by a snapshot of the map instead, and
// survives a restart. (Before, it stayed applied in memory, was reported
// as failed, and was gone after a restart.)
TEST(NodeCore, AWriteTooBigForALogRecordIsKeptByASnapshot) {
  MemEnv env;
  LogbookOptions options;
  options.max_record_bytes = 4096;
  const std::string big(10000, 'x');
  {
    SoloNode solo = OpenSoloNode(&env, SyncPolicy::kAlways, options);
    ASSERT_NE(solo.core, nullptr);
    NodeCore& core = *solo.core;
    std::vector<Op> ops = {Op::Set("small", "s"), Op::Set("big", big)};
    Result<uint64_t> id = core.Write(ops, Durability::Local(), 10);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(core.stats().snapshots, 1u);
    // Acknowledged once the log is synced, as any local write.
    NodeOutputs out = core.TakeOutputs();
    ASSERT_TRUE(out.sync_wanted);
    ASSERT_TRUE(solo.logbook->Sync().ok());
    core.OnSynced(solo.logbook->durable_sequence(), Status::Ok(), 20);
    out = core.TakeOutputs();
    ASSERT_EQ(out.writes.size(), 1u);
    EXPECT_TRUE(out.writes[0].status.ok()) << out.writes[0].status.ToString();
    // A later small write is a log record again.
    Op after = Op::Set("after", "a");
    ASSERT_TRUE(core.Write(std::span<const Op>(&after, 1), Durability::Local(), 30).ok());
    ASSERT_TRUE(solo.logbook->Sync().ok());
  }
  SoloNode restarted = OpenSoloNode(&env, SyncPolicy::kAlways, options);
  ASSERT_NE(restarted.core, nullptr);
  EXPECT_EQ(restarted.core->map().GetRegister("big"), big);
  EXPECT_EQ(restarted.core->map().GetRegister("small"), "s");
  EXPECT_EQ(restarted.core->map().GetRegister("after"), "a");
}

// A write group (a Redis EXEC) is logged as one: a crash keeps all of its
// writes or none, whenever a sync (a daemon's runs on its own thread) comes
// in the middle; its writes are acknowledged only once all are durable; and
// no snapshot is taken inside it, since one would hold a part of the group.
// (Before, each write was its own record, so a sync between them and a crash
// kept a prefix of the transaction.)
TEST(NodeCore, AWriteGroupIsLoggedWholeOrNotAtAll) {
  for (const bool ended : {false, true}) {
    SCOPED_TRACE(ended ? "crash after the group" : "crash inside the group");
    MemEnv env;
    {
      SoloNode solo = OpenSoloNode(&env, SyncPolicy::kAlways);
      ASSERT_NE(solo.core, nullptr);
      NodeCore& core = *solo.core;
      auto write = [&](const char* key) {
        Op op = Op::Set(key, "v");
        ASSERT_TRUE(core.Write(std::span<const Op>(&op, 1), Durability::Local(), 10).ok());
      };
      auto sync = [&](uint64_t now_ms) -> size_t {
        EXPECT_TRUE(solo.logbook->Sync().ok());
        core.OnSynced(solo.logbook->durable_sequence(), Status::Ok(), now_ms);
        return core.TakeOutputs().writes.size();
      };
      write("before");
      EXPECT_EQ(sync(15), 1u);
      core.BeginWriteGroup();
      write("a");
      EXPECT_EQ(sync(20), 0u) << "a write of an open group acknowledged";
      write("b");
      write("c");
      if (ended) {
        core.EndWriteGroup(30);
        EXPECT_EQ(sync(40), 3u);
      }
    }
    env.SimulateCrash();
    SoloNode restarted = OpenSoloNode(&env, SyncPolicy::kAlways);
    ASSERT_NE(restarted.core, nullptr);
    const NodeCore& core = *restarted.core;
    EXPECT_EQ(core.map().GetRegister("before"), "v");
    for (const char* key : {"a", "b", "c"}) {
      EXPECT_EQ(core.map().GetRegister(key), ended ? std::optional<std::string>("v") : std::nullopt) << key;
    }
  }
}

TEST(NodeCore, NoSnapshotIsTakenInsideAWriteGroup) {
  TestCluster c(13, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.snapshot_every_records = 2;
  c.Add(cfg);
  c.Run(1000);
  NodeCore& core = *c.node(0).core;
  const uint64_t before = core.stats().snapshots;
  core.BeginWriteGroup();
  for (int i = 0; i < 6; ++i) {
    Op op = Op::Set("k" + std::to_string(i), "v");
    ASSERT_TRUE(core.Write(std::span<const Op>(&op, 1), Durability::Local(), c.now()).ok());
  }
  EXPECT_EQ(core.stats().snapshots, before);
  core.EndWriteGroup(c.now());
  EXPECT_EQ(core.stats().snapshots, before + 1) << "the policy's turn comes at the group's end";
}

// Records of another node's writes, which nobody here waits on, are synced
// within replicated_sync_ms instead of each at once (their writer holds
// them durably); a quorum write's record, which its writer waits on, at
// once. Under both sync policies that sync.
TEST(NodeCore, ReplicatedRecordsAreSyncedLazilyUnlessSomeoneWaits) {
  for (SyncPolicy policy : {SyncPolicy::kBatch, SyncPolicy::kAlways}) {
    SCOPED_TRACE(SyncPolicyName(policy));
    TestCluster c(41, /*with_logbooks=*/true);
    NodeConfig cfg;
    cfg.sync_policy = policy;
    c.Add(cfg);
    c.Add(cfg);
    c.Run(3000 + cfg.replicated_sync_ms);  // the join, and its records' lazy sync
    TestCluster::Node& receiver = c.node(1);
    const uint64_t before = receiver.sync_requests;
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(c.Write(0, {Op::Set("k" + std::to_string(i), "v")}).ok());
      c.Run(20);
    }
    ASSERT_EQ(receiver.core->map().GetRegister("k4"), "v");
    EXPECT_EQ(receiver.sync_requests, before) << "a sync for records nobody waits on";
    EXPECT_LT(receiver.core->durable_sequence(), receiver.logbook->last_sequence());
    c.Run(cfg.replicated_sync_ms);
    EXPECT_EQ(receiver.sync_requests, before + 1) << "one sync for the five";
    EXPECT_EQ(receiver.core->durable_sequence(), receiver.logbook->last_sequence());

    auto id = c.Write(0, {Op::Set("q", "v")}, Durability::Quorum(2, 5000));
    ASSERT_TRUE(id.ok());
    c.Run(50);
    EXPECT_EQ(receiver.sync_requests, before + 2) << "the quorum write's record waited for the lazy sync";
    ASSERT_FALSE(c.node(0).done.empty());
    EXPECT_EQ(c.node(0).done.back().write, *id);
    EXPECT_TRUE(c.node(0).done.back().status.ok()) << c.node(0).done.back().status.ToString();
  }
}

TEST(NodeCore, QuorumWriteWaitsForSecondDurableNode) {
  TestCluster c(11, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.sync_policy = SyncPolicy::kAlways;
  c.Add(cfg);
  c.Add(cfg);
  c.Run(3000);
  c.node(1).hold_syncs = true;  // node 1's disk is slow
  auto id = c.Write(0, {Op::Set("k", "v")}, Durability::Quorum(2, 2000));
  ASSERT_TRUE(id.ok());
  c.Run(200);
  EXPECT_TRUE(c.node(0).done.empty()) << "acknowledged before node 1 made it durable";
  EXPECT_EQ(c.node(1).core->map().GetRegister("k"), "v");  // node 1 has it, not yet durable
  ASSERT_TRUE(c.node(1).sync_pending);
  c.Sync(1);
  c.Run(50);
  ASSERT_EQ(c.node(0).done.size(), 1u);
  EXPECT_EQ(c.node(0).done[0].write, *id);
  EXPECT_TRUE(c.node(0).done[0].status.ok()) << c.node(0).done[0].status.ToString();

  // A local write does not wait for node 1.
  auto local = c.Write(0, {Op::Set("k2", "v")}, Durability::Local());
  c.Run(10);
  ASSERT_EQ(c.node(0).done.size(), 2u);
  EXPECT_EQ(c.node(0).done[1].write, *local);
}

// A write group's quorum writes travel in its one delta, whose confirmation
// by a peer counts for each of them; each settles by its own quorum, and a
// local write of the group by this node's disk alone. (Before, a group
// with quorum writes went as separate deltas, and a peer lacking what one
// of them built on showed the others.)
TEST(NodeCore, QuorumWritesOfAGroupSettleByItsOneDelta) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  TestCluster c(seed, /*with_logbooks=*/true);
  NodeConfig cfg;
  cfg.sync_policy = SyncPolicy::kAlways;
  for (int i = 0; i < 3; ++i) c.Add(cfg);
  c.Run(3000);
  c.node(1).hold_syncs = true;  // slow disks
  c.node(2).hold_syncs = true;
  NodeCore& writer = *c.node(0).core;
  const size_t logged = c.LogFlags(1).size();
  writer.BeginWriteGroup();
  auto two = writer.Write(std::vector{Op::Set("a", "1")}, Durability::Quorum(2, 5000), c.now());
  auto local = writer.Write(std::vector{Op::Set("b", "1")}, Durability::Local(), c.now());
  auto three = writer.Write(std::vector{Op::Set("c", "1")}, Durability::Quorum(3, 5000), c.now());
  writer.EndWriteGroup(c.now());
  ASSERT_TRUE(two.ok() && local.ok() && three.ok());
  c.CollectOutputs(0);
  c.Run(200);
  EXPECT_EQ(c.LogFlags(1).substr(logged), ".") << "not one delta";
  EXPECT_EQ(c.node(1).core->map().GetRegister("c"), "1");
  auto settled = [&]() {
    std::map<uint64_t, Status> by_id;
    for (const WriteDone& w : c.node(0).done) by_id.emplace(w.write, w.status);
    return by_id;
  };
  EXPECT_EQ(settled().size(), 1u);
  EXPECT_TRUE(settled().count(*local)) << "the local write waits for peers";
  ASSERT_TRUE(c.node(1).sync_pending);
  c.Sync(1);
  c.Run(50);
  EXPECT_EQ(settled().size(), 2u);
  ASSERT_TRUE(settled().count(*two)) << "quorum(2) not settled by node 1's confirmation";
  EXPECT_TRUE(settled().at(*two).ok()) << settled().at(*two).ToString();
  ASSERT_TRUE(c.node(2).sync_pending);
  c.Sync(2);
  c.Run(50);
  ASSERT_EQ(settled().size(), 3u);
  EXPECT_TRUE(settled().at(*three).ok()) << settled().at(*three).ToString();
  EXPECT_EQ(writer.stats().quorum_timeouts, 0u);
}

// A quorum write made before the node knows any peer is confirmed once one
// appears: the lone node keeps the delta with its write id for piggybacking
// (the installed-examples test caught a version that dropped it).
TEST(NodeCore, QuorumWriteMadeAloneIsConfirmedByAPeerThatJoinsLater) {
  TestCluster c(13);
  c.Add();
  c.Run(100);
  auto id = c.Write(0, {Op::Set("k", "v")}, Durability::Quorum(2, 5000));
  ASSERT_TRUE(id.ok());
  c.Run(100);
  c.Add();
  c.Run(3000);
  ASSERT_EQ(c.node(0).done.size(), 1u);
  EXPECT_TRUE(c.node(0).done[0].status.ok()) << c.node(0).done[0].status.ToString();
}

TEST(NodeCore, QuorumWriteTimesOutWhenCutOffButIsKept) {
  TestCluster c(12, /*with_logbooks=*/true);
  for (int i = 0; i < 3; ++i) c.Add();
  c.Run(3000);
  c.Isolate(0);
  auto id = c.Write(0, {Op::Set("k", "v")}, Durability::Quorum(2, 1000));
  ASSERT_TRUE(id.ok());
  c.Run(1500);
  ASSERT_EQ(c.node(0).done.size(), 1u);
  const Status& s = c.node(0).done[0].status;
  EXPECT_EQ(s.code(), Status::Code::kTimedOut);
  EXPECT_NE(s.message().find("quorum(2)"), std::string::npos) << s.ToString();
  EXPECT_EQ(c.node(0).core->map().GetRegister("k"), "v");
  c.HealAll();
  c.Run(8000);
  EXPECT_EQ(c.node(2).core->map().GetRegister("k"), "v") << "the timed-out write still spread";
}

TEST(NodeCore, WatchesFireForLocalAndRemoteChanges) {
  TestCluster c(13);
  c.Add();
  c.Add();
  c.Run(3000);
  uint64_t w = c.node(1).core->Watch("app:");
  ASSERT_TRUE(c.Write(0, {Op::Set("app:x", "1"), Op::Set("other", "2")}).ok());
  ASSERT_TRUE(c.Write(1, {Op::Incr("app:y", 1)}).ok());
  c.Run(500);
  std::vector<std::string> keys;
  for (const KeyChange& ch : c.node(1).changes) {
    EXPECT_EQ(ch.watch, w);
    keys.push_back(ch.key);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"app:x", "app:y"}));
}

TEST(NodeCore, SameSeedSameOutputs) {
  auto run = [](uint64_t seed) {
    TestCluster c(seed);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 5; ++i) c.Add();
    c.loss = 0.05;
    c.Run(2000);
    WriteRandomly(c, rng, 20);
    c.Run(3000);
    return c.trace_hash;
  };
  EXPECT_EQ(run(99), run(99));
  EXPECT_NE(run(99), run(100));
}

}  // namespace
}  // namespace parley

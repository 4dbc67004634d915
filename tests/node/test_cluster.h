// TestCluster: a minimal in-test message pump for several NodeCores.
//
// Virtual time, a fixed link latency, optional loss, cut links and a hook to
// delay one node's traffic; logbooks on a MemEnv whose syncs the test can
// hold back. The full simulator (sim/) does much more; this is just enough
// to test the core's behaviour end to end, deterministically.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "node/core/node_core.h"
#include "storage/logbook.h"
#include "storage/logbook_files.h"
#include "storage/mem_env.h"
#include "storage/segment_reader.h"

namespace parley::testing {

class TestCluster {
 public:
  struct Node {
    std::string name;
    Address address;
    std::unique_ptr<MemEnv> env;  // this node's disk (with logbooks)
    std::unique_ptr<Logbook> logbook;
    std::unique_ptr<NodeCore> core;
    bool up = true;
    bool hold_syncs = false;  // test controls when this node's disk syncs
    bool sync_pending = false;
    std::vector<WriteDone> done;
    std::vector<KeyChange> changes;
    uint64_t ticks = 0;  // times the core's deadline woke it
    uint64_t sync_requests = 0;
  };

  explicit TestCluster(uint64_t seed, bool with_logbooks = false) : rng_(seed), seed_(seed), logbooks_(with_logbooks) {}

  // Adds and starts a node; node 0 is everyone's seed.
  Node& Add(NodeConfig config = {}) {
    size_t i = nodes_.size();
    nodes_.push_back(std::make_unique<Node>());
    configs_.push_back(config);
    Boot(i, 0x1000 + i);
    return *nodes_.back();
  }

  // Starts node `i` again after Crash(i): a new core under the same name and
  // address. With logbooks the disk loses what was not synced and the node
  // recovers its replica id; without, it comes back as a new replica.
  void Restart(size_t i) {
    if (logbooks_) {
      nodes_[i]->core.reset();
      nodes_[i]->logbook.reset();
    }
    Boot(i, 0x2000 + 0x100 * ++restarts_ + i);
  }

 private:
  void Boot(size_t i, ReplicaId replica) {
    Node* n = nodes_[i].get();
    NodeConfig config = configs_[i];
    n->name = "n" + std::to_string(i);
    n->address = Address{"10.0.0." + std::to_string(i + 1), 7946};
    n->up = true;
    config.name = n->name;
    config.advertise = n->address;
    if (i > 0) config.seeds = {nodes_[0]->address};
    config.timing = timing_;
    config.seed = seed_ * 1000 + i + 77 * restarts_;
    if (logbooks_) {
      LogbookOptions opts;
      opts.new_replica_id = replica;
      if (!n->env) n->env = std::make_unique<MemEnv>();
      auto lb = Logbook::Open(n->env.get(), "/data/" + n->name, opts);
      EXPECT_TRUE(lb.ok()) << lb.status().ToString();
      n->logbook = std::move(lb).value();
      replica = n->logbook->replica_id();
    }
    auto core = NodeCore::Create(config, replica, n->logbook.get(), SeededRandomSource(seed_ + i));
    EXPECT_TRUE(core.ok()) << core.status().ToString();
    n->core = std::move(core).value();
    n->core->Start(now_);
    by_address_[n->address.host] = i;
    Collect(i);
  }

 public:

  Timing timing_ = Timing::LocalFleet();
  uint64_t latency_ms = 1;
  bool relay_up = true;  // packets to kRelayAddress reach everyone (if nodes enable relay)
  double loss = 0;
  std::set<std::pair<size_t, size_t>> cut;  // (from, to) pairs that drop everything
  std::map<size_t, uint64_t> extra_delay;   // per sending node
  // Hash of every output of every node, in order (for determinism checks).
  uint64_t trace_hash = 1469598103934665603ull;

  uint64_t now() const { return now_; }
  Node& node(size_t i) { return *nodes_[i]; }
  size_t size() const { return nodes_.size(); }

  void Isolate(size_t i) {
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (j != i) cut.insert({i, j}), cut.insert({j, i});
    }
  }
  void HealAll() { cut.clear(); }
  // Stops node i. With logbooks its disk also loses every unsynced byte.
  void Crash(size_t i) {
    nodes_[i]->up = false;
    if (nodes_[i]->env) {
      nodes_[i]->core.reset();
      nodes_[i]->logbook.reset();
      nodes_[i]->env->SimulateCrash();
    }
  }

  Result<uint64_t> Write(size_t i, std::vector<Op> ops, Durability d = Durability::Local()) {
    auto r = nodes_[i]->core->Write(ops, d, now_);
    Collect(i);
    return r;
  }

  // Takes node i's outputs after a test called its core directly.
  void CollectOutputs(size_t i) { Collect(i); }

  void Sync(size_t i) {
    Node& n = *nodes_[i];
    n.sync_pending = false;
    Status s = n.logbook ? n.logbook->Sync() : Status::Ok();
    n.core->OnSynced(n.logbook ? n.logbook->durable_sequence() : 0, s, now_);
    Collect(i);
  }

  // Advances virtual time by `ms`, delivering packets and ticking nodes.
  void Run(uint64_t ms) {
    uint64_t end = now_ + ms;
    while (true) {
      uint64_t next = end;
      if (!inflight_.empty()) next = std::min(next, inflight_.top().at);
      for (auto& n : nodes_) {
        if (n->up) next = std::min(next, n->core->NextDeadline());
      }
      now_ = std::max(now_, next);
      if (now_ >= end && (inflight_.empty() || inflight_.top().at > end)) {
        now_ = end;
        break;
      }
      while (!inflight_.empty() && inflight_.top().at <= now_) {
        Flight f = inflight_.top();
        inflight_.pop();
        Node& to = *nodes_[f.to];
        if (!to.up) continue;
        // A frame goes out with its length prefix (for a TCP stream) and is
        // handed in without it, as FrameReader yields it.
        std::string_view bytes = f.bytes;
        if (f.transport == Transport::kFrame) bytes.remove_prefix(4);
        to.core->Receive(f.via_relay ? kRelayAddress : nodes_[f.from]->address, f.transport, bytes, now_);
        Collect(f.to);
      }
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i]->up && nodes_[i]->core->NextDeadline() <= now_) {
          nodes_[i]->core->Tick(now_);
          ++nodes_[i]->ticks;
          Collect(i);
        }
      }
    }
  }

  // Node i's log (with logbooks, before its first segment rolls), a
  // character per record: '+' if the next record belongs to the same write
  // group (Logbook::BeginGroup), else '.'.
  std::string LogFlags(size_t i) const {
    std::string segment;
    EXPECT_TRUE(ReadFileToString(nodes_[i]->env.get(), JoinPath("/data/" + nodes_[i]->name, SegmentFileName(1)),
                                 &segment)
                    .ok());
    SegmentScan scan = ScanSegment(segment, 1 << 20);
    EXPECT_FALSE(scan.damage);
    std::string flags;
    for (const SegmentRecord& r : scan.records) flags += r.group_continues ? '+' : '.';
    return flags;
  }

  bool AllSameDigest() const {
    const NodeCore* first = nullptr;
    for (const auto& n : nodes_) {
      if (!n->up) continue;
      if (first == nullptr) first = n->core.get();
      if (!(n->core->StateDigest() == first->StateDigest())) return false;
    }
    return true;
  }

  // How node `viewer` sees `subject` (nullptr if unknown).
  const Member* View(size_t viewer, size_t subject) const {
    return nodes_[viewer]->core->membership().Find(nodes_[subject]->name);
  }

 private:
  struct Flight {
    uint64_t at;
    uint64_t order;
    size_t from, to;
    Transport transport;
    std::string bytes;
    bool via_relay;
    bool operator>(const Flight& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void Mix(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) trace_hash = (trace_hash ^ b[i]) * 1099511628211ull;
  }

  void Collect(size_t i) {
    Node& n = *nodes_[i];
    NodeOutputs out = n.core->TakeOutputs();
    Mix(&now_, sizeof now_);
    for (OutgoingPacket& p : out.packets) {
      Mix(p.bytes.data(), p.bytes.size());
      if (p.to == kRelayAddress) {
        // A stand-in for the Redis relay: every other node reads the stream.
        if (!relay_up) continue;
        for (size_t j = 0; j < nodes_.size(); ++j) {
          if (j != i) inflight_.push(Flight{now_ + 2 * latency_ms, order_++, i, j, p.transport, p.bytes, true});
        }
        continue;
      }
      auto it = by_address_.find(p.to.host);
      if (it == by_address_.end()) continue;
      size_t to = it->second;
      if (cut.count({i, to})) continue;
      std::uniform_real_distribution<double> u(0, 1);
      if (p.transport == Transport::kDatagram && loss > 0 && u(rng_) < loss) continue;
      uint64_t delay = latency_ms + (extra_delay.count(i) ? extra_delay[i] : 0);
      inflight_.push(Flight{now_ + delay, order_++, i, to, p.transport, std::move(p.bytes), false});
    }
    for (WriteDone& w : out.writes) {
      Mix(&w.write, sizeof w.write);
      n.done.push_back(std::move(w));
    }
    for (KeyChange& c : out.changes) n.changes.push_back(std::move(c));
    if (out.sync_wanted) {
      ++n.sync_requests;
      n.sync_pending = true;
      if (!n.hold_syncs) Sync(i);
    }
  }

  std::mt19937_64 rng_;
  uint64_t seed_;
  bool logbooks_;
  uint64_t now_ = 1000000;
  uint64_t order_ = 0;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<NodeConfig> configs_;
  int restarts_ = 0;
  std::map<std::string, size_t> by_address_;
  std::priority_queue<Flight, std::vector<Flight>, std::greater<Flight>> inflight_;
};

}  // namespace parley::testing

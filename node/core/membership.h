// Membership: SWIM failure detection with the Lifeguard refinements, sans-IO.
//
// Each probe interval one member (round-robin over a shuffled list) is
// pinged; without an ack by the probe timeout, k others are asked to ping it
// (ping-req) and answer with an ack or, Lifeguard's addition, a nack. A probe
// that fails makes the target suspect; suspicion is spread by piggybacked
// broadcasts, confirmed by others (shrinking the timeout, see suspicion.h),
// and refuted by the suspect itself with a higher incarnation. A member whose
// suspicion times out is dead; dead and departed members are reaped after a
// while, and a member may rejoin under the same name with a higher
// incarnation.
//
// Local health (Lifeguard): failed probes, missing nacks and having to
// refute raise a score that stretches this node's probe interval and
// timeout, so a node that is itself slow accuses others less.
//
// Everything here is driven by the node core: Handle() for messages, Tick()
// for time. Outgoing messages go to the Outbox and to the BroadcastQueue.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "node/core/broadcast_queue.h"
#include "node/core/node_config.h"
#include "node/core/outbox.h"
#include "node/core/suspicion.h"
#include "protocol/message.h"
#include "storage/flat_index.h"

namespace parley {

struct Member {
  // Name, incarnation and state first, in one cache line: most gossip about
  // a member is old news, decided by these alone, and with 1000 members per
  // node the lookup is a cache miss per field line touched.
  std::string name;
  uint64_t incarnation = 0;
  MemberState state = MemberState::kAlive;
  uint64_t state_since_ms = 0;
  ReplicaId replica = 0;
  Address address;
  std::map<std::string, std::string> meta;
};

inline const std::string& MemberName(const Member& m) { return m.name; }
using MemberIndex = FlatIndex<Member, &MemberName>;

// A member's state changed (for logs, metrics, tests).
struct MemberChange {
  std::string name;
  MemberState state;
  uint64_t incarnation;
  uint64_t at_ms;
};

class Membership {
 public:
  Membership(const NodeConfig& config, ReplicaId self_replica, std::mt19937_64& rng, Outbox& outbox,
             BroadcastQueue& broadcasts);

  // Joins the table as alive with incarnation `now_ms` (so a restarted node
  // always outranks its earlier life) and schedules the first probe.
  void Start(uint64_t now_ms);
  void Tick(uint64_t now_ms);
  uint64_t NextDeadline() const;

  // Membership messages (ping .. push-pull). `sender` is the envelope name.
  void Handle(const std::string& sender, const Address& from, const Message& message, uint64_t now_ms);
  // Merges a full membership exchange.
  void Merge(const std::string& sender, const PushPullMessage& state, uint64_t now_ms);
  PushPullMessage Snapshot(bool join) const;

  // Graceful leave: tells a few members directly and queues the broadcast.
  void Leave(uint64_t now_ms);
  bool leaving() const { return leaving_; }

  const Member& self() const { return members_.at(config_.name); }
  const Member* Find(const std::string& name) const;
  const Member* FindByReplica(ReplicaId replica) const;
  const std::map<std::string, Member>& members() const { return members_; }
  size_t AliveCount() const;  // including self
  // Whether any other member is alive or suspect (O(1) unless most are dead).
  bool HasReachablePeer() const;
  // Up to `n` random alive or suspect members other than this node and
  // `exclude`; with `include_dead`, members declared dead but not yet reaped too.
  std::vector<const Member*> RandomPeers(size_t n, const std::string& exclude = {}, bool include_dead = false);
  // This node's neighbours in the dissemination tree (SyncConfig::
  // tree_fanout): the reachable members and this node, sorted by name, form
  // a heap-shaped tree, where the member at position p has the members at
  // fanout*p+1 .. fanout*p+fanout as children. Members that agree on the
  // membership agree on the tree. Cached until the membership changes.
  const std::vector<const Member*>& TreeNeighbors(size_t fanout) const;
  // Changes whenever a member comes, goes, or changes state or address, so
  // callers can cache what they derive from the table.
  uint64_t version() const { return version_; }
  int local_health() const { return health_; }
  int TransmitLimit() const;
  std::vector<MemberChange> TakeChanges() { return std::move(changes_); }
  // Members that became alive since the last call, new or back from dead or
  // departed (not a suspect refuting): the core syncs data with one of them.
  std::vector<std::string> TakeArrivals() { return std::move(arrivals_); }

 private:
  struct Probe {
    std::string target;
    uint32_t seq = 0;
    uint64_t timeout_at = 0;
    bool indirect_sent = false;
    int expected_nacks = 0;
    int nacks = 0;
    bool acked = false;
  };
  // A ping we send on behalf of a ping-req.
  struct Relay {
    Address requester;
    uint32_t their_seq = 0;
    uint64_t deadline = 0;
  };

  Member* Lookup(std::string_view name) const;
  Member& Insert(Member m);
  // Drops m's entry from by_replica_ (when it is m's).
  void UnindexReplica(const Member& m);
  void StartProbe(uint64_t now_ms);
  void FinishProbe(uint64_t now_ms);
  std::string NextProbeTarget();
  void ApplyAlive(const AliveMessage& m, uint64_t now_ms);
  void ApplySuspect(const SuspectMessage& m, uint64_t now_ms);
  void ApplyDead(const DeadMessage& m, uint64_t now_ms);
  void ApplyLeave(const LeaveMessage& m, uint64_t now_ms);
  void Refute(uint64_t accused_incarnation, uint64_t now_ms);
  void SetState(Member& m, MemberState state, uint64_t incarnation, uint64_t now_ms);
  void Broadcast(Message message, const std::string& subject);
  AliveMessage AliveOf(const Member& m) const;
  void AdjustHealth(int delta);
  uint64_t Scaled(uint64_t ms) const { return ms * static_cast<uint64_t>(health_ + 1); }

  const NodeConfig& config_;
  std::mt19937_64& rng_;
  Outbox& outbox_;
  BroadcastQueue& broadcasts_;

  std::map<std::string, Member> members_;
  // Every member but this node, in no particular order, so RandomPeers can
  // draw by index in O(n) instead of walking the whole table (1000-node
  // simulator profile). std::map nodes are stable, so the pointers are too.
  std::vector<const Member*> roster_;
  // members_ by name, hashed: push-pull merges look up every member of a
  // 1000-entry table, and string compares down a tree dominated that.
  MemberIndex by_name_;
  // Members by replica id: a held delta asks its writer for slots, and a
  // scan of 1000 members per pull was 6% of the 1000-node simulator.
  std::unordered_map<ReplicaId, const Member*> by_replica_;
  std::map<std::string, Suspicion> suspicions_;
  std::vector<std::string> probe_order_;
  size_t probe_index_ = 0;
  std::optional<Probe> probe_;
  uint64_t next_probe_at_ = 0;
  std::map<uint32_t, Relay> relays_;
  uint32_t next_seq_ = 1;
  int health_ = 0;
  bool leaving_ = false;
  // No dead or departed member is due for reaping before this (may be early:
  // then Tick() finds nothing to reap and recomputes it).
  uint64_t earliest_reap_ = UINT64_MAX;
  std::vector<MemberChange> changes_;
  std::vector<std::string> arrivals_;
  // Bumped when a member comes, goes or changes state or address;
  // TreeNeighbors' cache is rebuilt when it moved.
  uint64_t version_ = 0;
  mutable uint64_t tree_version_ = UINT64_MAX;
  mutable size_t tree_fanout_ = 0;
  mutable std::vector<const Member*> tree_neighbors_;
};

const char* MemberStateName(MemberState state);

}  // namespace parley

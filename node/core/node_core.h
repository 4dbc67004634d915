// NodeCore: one parley node as a pure state machine (sans-IO, invariant I5).
//
// The core owns the node's replica (a CrdtMap, recorded in a Logbook),
// membership (SWIM + Lifeguard, membership.h) and sync (eager push of deltas,
// piggybacking, anti-entropy by range-cut diffs). It never reads a clock,
// a socket, a thread or a global random generator. Its driver — the libuv
// runtime or the simulator — feeds it:
//
//   Receive(from, transport, bytes, now)   a datagram or one TCP frame
//   Tick(now)                              when NextDeadline() has come
//   Write(ops, durability, now)            a local batch of writes
//   OnSynced(durable_sequence, status, now) the logbook finished a Sync()
//
// and after each call takes the outputs: packets to send, write
// acknowledgements, key changes for watches, member changes, and whether the
// logbook should be synced now. Given the same inputs and seed, the outputs
// are the same, byte for byte.
//
// Durability: a write is acknowledged at `local` once its logbook record is
// durable under the sync policy; at quorum(k) once k nodes (this one
// included) report it durable. A quorum write that misses its deadline fails
// with TimedOut but stays applied locally and keeps spreading.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "node/core/broadcast_queue.h"
#include "node/core/membership.h"
#include "node/core/node_config.h"
#include "node/core/outbox.h"
#include "protocol/wire_codec.h"
#include "storage/crdt_map.h"
#include "storage/hybrid_clock.h"
#include "storage/logbook.h"

namespace parley {

struct OutgoingPacket {
  // kDatagram: one UDP datagram. kFrame: one TCP frame with its 4-byte length
  // prefix, ready to write to a stream (Receive() takes frames without it,
  // as FrameReader yields them).
  Transport transport;
  Address to;
  std::string bytes;
};

struct WriteDone {
  uint64_t write = 0;  // the id Write() returned
  Status status;
};

struct KeyChange {
  uint64_t watch = 0;
  std::string key;
};

// NodeCore::TakeOutputs hands these over member by member: a new field
// must be added there too.
struct NodeOutputs {
  std::vector<OutgoingPacket> packets;
  std::vector<WriteDone> writes;
  std::vector<KeyChange> changes;
  std::vector<MemberChange> members;
  bool sync_wanted = false;  // call Logbook::Sync(), then OnSynced()
};

// Counters for status pages, metrics and benchmarks.
struct NodeStats {
  uint64_t packets_sent = 0, bytes_sent = 0;
  uint64_t packets_received = 0, bytes_received = 0;
  uint64_t packets_dropped = 0;  // failed to decode (see wire stats for reasons)
  uint64_t writes = 0, write_errors = 0, quorum_timeouts = 0;
  uint64_t deltas_pushed = 0, deltas_forwarded = 0;
  uint64_t deltas_received = 0, deltas_new = 0;
  uint64_t deltas_held = 0, deltas_held_dropped = 0;  // see NodeCore's waiting deltas
  uint64_t slot_requests = 0;                         // sent for held deltas
  uint64_t diff_rounds = 0, chunks_sent = 0, chunks_received = 0;
  uint64_t unclaimed_slots_sent = 0;  // see HandleDigest: should stay 0 but after lost disks
  uint64_t snapshots = 0;
  // A gauge, not a counter: the furthest a timestamp in a received write ran
  // ahead of this node's clock, in ms. A peer whose clock is fast (or this
  // node's, slow) wins last-writer-wins races it should lose; the hybrid
  // clock keeps causal order but cannot undo that bias, so it is reported.
  uint64_t clock_ahead_max_ms = 0;
  // The same over the last one to two minutes: it falls back to 0 once the
  // fast clock is fixed, where the maximum keeps the worst since start.
  uint64_t clock_ahead_recent_ms = 0;
};

class NodeCore {
 public:
  // `logbook` may be null for an in-memory node (writes are durable at once);
  // otherwise it must outlive the core, and its recovered state is taken
  // into the map here. `random` supplies AEAD nonces; everything else random
  // comes from config.seed.
  static Result<std::unique_ptr<NodeCore>> Create(NodeConfig config, ReplicaId replica, Logbook* logbook,
                                                  RandomSource random);

  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  void Start(uint64_t now_ms);
  void Receive(const Address& from, Transport transport, std::string_view bytes, uint64_t now_ms);
  void Tick(uint64_t now_ms);
  uint64_t NextDeadline() const;

  // Applies `ops` at once (reads see them immediately) and returns the id its
  // WriteDone will carry. Refused batches (wrong type, bad argument, a
  // logbook that failed earlier) return the error and change nothing.
  Result<uint64_t> Write(std::span<const Op> ops, Durability durability, uint64_t now_ms);
  // Writes between these two reach the logbook as one write group, which a
  // crash keeps whole or drops whole (Logbook::BeginGroup), and each peer
  // (and the relay) as one delta (JoinWriteDeltas), which a peer holds back
  // whole if it lacks a write the group builds on (see Ready), then joins
  // and logs in one step: a Redis EXEC's writes. Each is still its own write
  // for the map, its log record and its WriteDone, which comes once the
  // whole group is durable. A quorum write of the group settles when enough
  // peers confirm the joined delta. A group beyond half a frame goes as its
  // writes' own deltas, in as many messages as a receiver's limits need,
  // which a peer joins in one step when it has what they build on and logs
  // as one group.
  void BeginWriteGroup();
  void EndWriteGroup(uint64_t now_ms);
  void OnSynced(uint64_t durable_sequence, const Status& status, uint64_t now_ms);

  // Reports every key starting with `prefix` whose visible value changes,
  // by a local write or a remote one.
  uint64_t Watch(std::string prefix);
  void Unwatch(uint64_t watch);

  // Anti-entropy through the Redis relay, for a node that fell behind the
  // relay stream: publishes this node's context there, and every node that
  // reads it answers with what this node lacks, through the relay too.
  void SyncThroughRelay(uint64_t now_ms);

  // Graceful leave: tells peers, then the driver may stop after a short while.
  void Leave(uint64_t now_ms);

  NodeOutputs TakeOutputs();
  // The same into `*out`, whose old contents are dropped; a driver that
  // passes the same object every time recycles the vectors' memory.
  void TakeOutputs(NodeOutputs* out);
  // Only the write acknowledgements, into `*out` (old contents dropped): for
  // a driver that answers writes at once and takes the rest later.
  void TakeWriteAcks(std::vector<WriteDone>* out);

  const CrdtMap& map() const { return map_; }
  const Membership& membership() const { return *membership_; }
  ReplicaId replica() const { return replica_; }
  const NodeConfig& config() const { return config_; }
  const NodeStats& stats() const { return stats_; }
  const ProtocolStats& wire_stats() const { return wire_->stats(); }
  // The map's digest; answered from the core's cache when it is current.
  Digest StateDigest() const;
  uint64_t durable_sequence() const { return durable_sequence_; }

 private:
  NodeCore(NodeConfig config, ReplicaId replica, Logbook* logbook);

  struct PendingWrite {
    Dot dot;  // the dot peers confirm: the write's own, or its joined group's (PushGroup)
    uint64_t sequence = 0;
    int needed = 1;
    uint64_t deadline = 0;  // quorum writes only
    bool local_durable = false;
    std::set<std::string> confirmed;  // other nodes that have it durable
  };
  // A quorum write from another node we must confirm once durable here.
  struct PendingConfirm {
    uint64_t sequence;
    Dot write;
  };

  void Handle(const std::string& sender, const Address& from, const Message& message, uint64_t now_ms);
  void HandleDeltas(const std::string& sender, const Address& from, const DeltaBatchMessage& batch,
                    uint64_t now_ms);
  void HandleDeltaItems(const std::string& sender, const Address& from, const DeltaBatchMessage& batch,
                        uint64_t now_ms);
  // Records `batch`'s deltas (one passed on, or a local write group's) as
  // passed on, and queues the batch for this node's tree neighbours but
  // `except` (SyncConfig::tree_fanout); returns how many. FlushTree sends
  // the queue every tree_flush_ms, gathered into as few datagrams as fit.
  size_t PassDownTree(const DeltaBatchMessage& batch, const std::string& except, uint64_t now_ms);
  void FlushTree(uint64_t now_ms);
  // Joins a remote delta, or holds it back until the map is ready for it
  // (CrdtMap::Ready). Returns whether it was news (to forward). The reply
  // address a held delta is pulled from is looked up only then: a member
  // lookup per delta was 4% of the 1000-node simulator.
  bool Absorb(const Delta& delta, uint64_t now_ms, std::optional<Dot> confirm, const std::string& sender,
              const Address& from);
  // Joins a ready delta; logs it if it taught us anything. Returns whether it did.
  bool Merge(const Delta& delta, uint64_t now_ms, std::optional<Dot> confirm);
  bool Hold(const Delta& delta, std::optional<Dot> confirm, const Address& from, uint64_t now_ms);
  // Merges the held deltas that `joined` made ready, and those that these
  // made ready, until none is. Only a change to a held delta's keys can make
  // it ready, so only held deltas sharing a key with what was joined are
  // tried (rescanning all 128 per joined delta was 10% of the 1000-node
  // simulator).
  void MergeWaiting(const Delta& joined, uint64_t now_ms);
  // Asks for the slots that deltas held for hold_pull_ms build on (twice:
  // the writer, then the sender), and drops held deltas that anti-entropy
  // has claimed meanwhile.
  void PullForWaiting(uint64_t now_ms);
  void HandleSlotRequest(const std::string& sender, const Address& from, const SlotRequestMessage& m);
  // One chunk of a peer's answer (a diff, or slot states). Its slots are
  // joined at once, but the dots the answer claims only once all of its
  // chunks have come, in order. A chunk may claim a dot whose effect on a
  // slot a newer event superseded; that slot travels with the newer event,
  // maybe in a later chunk. Kept without that chunk, the claim would stop
  // every peer from sending the slot again, and were the newer event then
  // lost (a wiped disk), this node would never converge.
  void HandleChunk(const std::string& sender, const Address& from, const DiffChunkMessage& chunk,
                   uint64_t now_ms);
  // Confirms a peer's quorum write once what is appended now is durable.
  void Confirm(const Dot& write, uint64_t now_ms);
  void HandleDigest(const std::string& sender, const Address& from, const ContextDigestMessage& m);
  // Slot states (a delta with an empty context) in chunk_bytes pieces.
  std::vector<Delta> CutIntoChunks(Delta slots) const;
  // Sends the chunks of one answer to `to`, numbered, the last one marked.
  void SendChunks(const Address& to, std::vector<Delta> chunks);
  void HandleDurableAcks(const std::string& sender, const DurableAckMessage& m, uint64_t now_ms);
  // The quorum write of dot `write` travels in a joined group whose peers
  // confirm dot `group` (another of its quorum writes): it settles by those.
  void ConfirmWithGroup(const Dot& write, const Dot& group);
  // Drops write `id`'s entry under `dot` from quorum_writes_.
  void ForgetQuorumWrite(const Dot& dot, uint64_t id);
  // Clock skew: notes a received timestamp `ahead_ms` past this node's
  // clock (0: none), after moving the recent-skew windows on to now_ms.
  void NoteClockAhead(uint64_t ahead_ms, uint64_t now_ms);
  // Logbook append. Its sync may wait up to replicated_sync_ms unless
  // someone waits for it (AwaitDurable).
  Result<uint64_t> Record(const Delta& delta, uint64_t now_ms);
  // Someone waits for record `sequence` to be durable (a local write, a
  // quorum confirmation): a sync by the policy, not the lazy one.
  void AwaitDurable(uint64_t sequence, uint64_t now_ms);
  // Called whenever records may be left unsynced: arms the lazy sync.
  void DeferSync(uint64_t now_ms);
  // For a delta too big for one log record (a huge batch; the removal of a
  // set with millions of members), which Write() or Merge() has already
  // applied to the map: makes it durable by a snapshot of the whole map,
  // which has no such limit, instead of leaving it applied but unlogged.
  // Returns the sequence number whose durability covers it.
  Result<uint64_t> RecordBySnapshot(const Status& too_big);
  // A snapshot of the map now, restarting the snapshot policy's counts.
  Status WriteSnapshot();
  // WriteSnapshot() if the log since the last one has grown enough. Not
  // within a log group: the map holds the group's changes before the log
  // does, and a snapshot would keep them without the rest of the group.
  void MaybeWriteSnapshot();
  // A write group in the logbook (Logbook::BeginGroup) around a local write
  // group or a received batch; one at a time, and none without a logbook.
  void OpenLogGroup();
  void CloseLogGroup();
  void RequestSync();  // asks the driver for Logbook::Sync() and OnSynced()
  // The batch policy: a sync now, or a timer for an interval after the last.
  void ScheduleBatchSync(uint64_t now_ms);
  // Sends group_ (one write's delta, or a write group's, joined into one
  // where it can be) by PushDeltas, in as many messages as a receiver's
  // limits need, and empties it. Sends
  // nothing without a relay, a reachable peer or a quorum write (which waits
  // for a first peer): anti-entropy brings peers that appear later up to date.
  void PushGroup(bool reachable, uint64_t now_ms);
  // Sends local writes' deltas to the relay and `fanout` peers, and queues
  // them to ride on membership traffic.
  void PushDeltas(DeltaBatchMessage batch, int fanout, bool reachable, uint64_t now_ms);
  void StartAntiEntropy(uint64_t now_ms);
  // Seeds that are not live members now (cached per membership version).
  const std::vector<Address>& LostSeeds();
  void SyncWithArrivals(uint64_t now_ms);
  void NotifyWatches(const std::vector<std::string>& keys);
  void SettleWrites(uint64_t now_ms);
  // Local and quorum writes settle from separate lists; this merges the
  // outputs [first, quorum_first) and [quorum_first, end) by write id, the
  // order one list of all pending writes gave them.
  void MergeWriteOutputs(size_t first, size_t quorum_first);
  Address ReplyAddress(const std::string& sender, const Address& from) const;
  void Flush();  // outbox -> packets
  // StateDigest() for the core's own use, cached by map version (below).
  Digest CurrentDigest();

  NodeConfig config_;
  const ReplicaId replica_;
  Logbook* const logbook_;
  std::mt19937_64 rng_;
  std::unique_ptr<WireCodec> wire_;
  Outbox outbox_;
  BroadcastQueue broadcasts_;
  std::unique_ptr<Membership> membership_;
  CrdtMap map_;
  Delta write_delta_;  // the last write's delta, if not pushed: Write() reuses its memory
  HybridClock clock_;
  NodeOutputs outputs_;
  NodeStats stats_;

  uint64_t next_write_id_ = 1;
  // Writes that wait only for this node's fsync, in log order, so they
  // settle from the front; a map node per write was ~3% of a durable SET.
  struct LocalWrite {
    uint64_t id;
    uint64_t sequence;
  };
  std::deque<LocalWrite> local_writes_;
  std::map<uint64_t, PendingWrite> pending_writes_;  // quorum writes, by id
  // Confirmed dot -> write ids: one each, or a joined group's quorum writes
  // under the dot of its first (PushGroup).
  std::multimap<Dot, uint64_t> quorum_writes_;
  std::vector<PendingConfirm> pending_confirms_;
  // Write deltas that arrived before a change they build on, oldest first.
  // A write's delta carries only its change (SlotState::after), so it waits
  // here until the writes it replaced have arrived (usually a moment later,
  // by another path), and is merged then.
  struct WaitingDelta {
    Delta delta;
    std::optional<Dot> confirm;
    Address from;         // the peer it came from
    uint64_t pull_at = 0;  // when to ask for the slots it builds on
    int pulls = 0;         // asked so far: the writer, then `from`
  };
  std::deque<WaitingDelta> waiting_;
  // Answers of several chunks being received (HandleChunk), by sender: the
  // next chunk expected and the dots the chunks so far claim.
  struct ChunkedAnswer {
    uint32_t next_index = 0;
    CausalContext claims;
  };
  std::map<std::string, ChunkedAnswer> answers_;
  uint64_t next_pull_at_ = UINT64_MAX;  // earliest pull_at among waiting_
  std::map<Address, std::vector<std::string>> tree_queue_;  // see PassDownTree
  // The deltas of local writes not yet pushed: a write group's
  // (BeginWriteGroup) until its end, otherwise one write's within Write().
  bool grouping_ = false;
  bool log_group_open_ = false;  // see OpenLogGroup
  std::vector<DeltaItem> group_;
  int group_fanout_ = 0;
  uint64_t tree_flush_at_ = UINT64_MAX;
  // Dots of the deltas this node passed down the tree: each only once, so
  // members whose views of the membership differ (a tree with a cycle)
  // cannot pass one around for ever.
  CausalContext tree_passed_;
  uint64_t durable_sequence_ = 0;
  uint64_t appended_sequence_ = 0;
  uint64_t records_since_snapshot_ = 0;
  uint64_t appended_at_snapshot_ = 0;  // logbook_->appended_bytes() then
  std::optional<uint64_t> batch_sync_at_;
  uint64_t awaited_sequence_ = 0;            // the last record someone waits on (AwaitDurable)
  uint64_t replicated_sync_at_ = UINT64_MAX;  // the lazy sync of records nobody waits on
  // NodeStats::clock_ahead_recent_ms as two windows of kSkewWindowMs: the
  // current one and the one before.
  uint64_t skew_window_start_ms_ = 0;
  uint64_t skew_window_ahead_ms_ = 0, skew_previous_ahead_ms_ = 0;
  std::optional<uint64_t> last_batch_sync_;  // when the batch policy last asked for a sync
  bool sync_outstanding_ = false;             // a sync was asked for; OnSynced() has not come since
  uint64_t next_gossip_at_ = 0;
  std::vector<Address> lost_seeds_;
  uint64_t lost_seeds_version_ = UINT64_MAX;
  uint64_t next_anti_entropy_at_ = 0;
  uint64_t next_membership_sync_at_ = 0;  // full membership tables, see StartAntiEntropy
  uint64_t next_arrival_sync_at_ = 0;     // see SyncWithArrivals
  // SettleWrites has work only if one of these moved since it last ran.
  bool settle_needed_ = true;
  uint64_t settled_durable_ = 0;
  uint64_t next_quorum_deadline_ = UINT64_MAX;
  std::map<uint64_t, std::string> watches_;
  uint64_t next_watch_id_ = 1;
  // The map keeps its slot hash sum up to date, but folding in the causal
  // context is O(replicas), and with 1000 replicas that walk is cold in
  // cache (~30% of the 1000-node simulator's steady state): anti-entropy
  // asks on every round, every digest it answers, and every arrival sync,
  // mostly between the same two map changes. Written only by non-const
  // calls, which the runtime makes under the exclusive map lock, so readers
  // under the shared lock only read it.
  uint64_t digest_version_ = UINT64_MAX;
  Digest digest_;
};

}  // namespace parley

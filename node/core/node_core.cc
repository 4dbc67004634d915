// NodeCore: replica, sync and membership driven by explicit inputs.
#include "node/core/node_core.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "protocol/message_codec.h"

namespace parley {

namespace {
// Far more writes than can be pushed but unsynced before a crash, and small
// enough for 2^32 restarts.
constexpr uint64_t kCounterGapAfterRestart = uint64_t{1} << 32;
}  // namespace

Timing Timing::LocalFleet() {
  Timing t;
  t.probe_interval_ms = 200;
  t.probe_timeout_ms = 80;
  t.suspicion_mult = 3;
  t.suspicion_max_mult = 4;
  t.gossip_interval_ms = 30;
  t.push_pull_interval_ms = 2000;
  t.reap_after_ms = 15000;
  return t;
}

NodeCore::NodeCore(NodeConfig config, ReplicaId replica, Logbook* logbook)
    : config_(std::move(config)), replica_(replica), logbook_(logbook), rng_(config_.seed), map_(replica) {}

Result<std::unique_ptr<NodeCore>> NodeCore::Create(NodeConfig config, ReplicaId replica, Logbook* logbook,
                                                   RandomSource random) {
  if (config.name.empty()) return Status::InvalidArgument("node name must not be empty");
  if (replica == 0) return Status::InvalidArgument("replica id must not be 0");
  if (logbook != nullptr && logbook->replica_id() != replica) {
    return Status::InvalidArgument("replica id differs from the logbook's identity");
  }
  std::unique_ptr<NodeCore> core(new NodeCore(std::move(config), replica, logbook));
  WireOptions wire;
  wire.sender = core->config_.name;
  wire.cluster_id = core->config_.cluster_id;
  wire.keyring = core->config_.keyring;
  wire.random = std::move(random);
  wire.limits = core->config_.limits;
  auto codec = WireCodec::Create(std::move(wire));
  if (!codec.ok()) return codec.status();
  core->wire_ = std::move(codec).value();
  core->membership_ =
      std::make_unique<Membership>(core->config_, replica, core->rng_, core->outbox_, core->broadcasts_);
  if (logbook != nullptr) {
    Delta recovered = logbook->TakeRecoveredState();
    PARLEY_RETURN_IF_ERROR(core->map_.Join(recovered).WithContext("recovered state"));
    if (!logbook->recovery().created) {
      // Writes are pushed to peers before they are synced, so a crash may
      // have lost some that others hold: never reuse their dots.
      core->map_.SkipCountersTo(core->map_.context().MaxCounter(replica) + kCounterGapAfterRestart);
    }
    core->appended_sequence_ = logbook->last_sequence();
    core->durable_sequence_ = logbook->durable_sequence();
  }
  return core;
}

void NodeCore::Start(uint64_t now_ms) {
  membership_->Start(now_ms);
  next_gossip_at_ = now_ms + config_.timing.gossip_interval_ms;
  StartAntiEntropy(now_ms);  // joins through the seeds at once
  Flush();
}

// ---- time ---------------------------------------------------------------------

uint64_t NodeCore::NextDeadline() const {
  // An empty broadcast queue does not wake the node: at 5 gossip rounds a
  // second, idle rounds were most of an idle 1000-node simulation's events.
  uint64_t gossip_at = broadcasts_.empty() ? UINT64_MAX : next_gossip_at_;
  uint64_t next = std::min({membership_->NextDeadline(), gossip_at, next_anti_entropy_at_});
  if (batch_sync_at_) next = std::min(next, *batch_sync_at_);
  next = std::min({next, next_pull_at_, tree_flush_at_, replicated_sync_at_});
  // Never later than the earliest quorum deadline (SettleWrites keeps it).
  return std::min(next, next_quorum_deadline_);
}

void NodeCore::Tick(uint64_t now_ms) {
  membership_->Tick(now_ms);
  NoteClockAhead(0, now_ms);  // lets the recent skew fall back when no writes come
  if (now_ms >= next_gossip_at_ && !broadcasts_.empty()) {
    next_gossip_at_ = now_ms + config_.timing.gossip_interval_ms;
    // Broadcasts not yet out often enough go to a few members on their own.
    size_t budget = config_.limits.max_datagram_bytes - wire_->PacketOverhead();
    std::vector<std::string> gossip;
    for (const Member* peer :
         membership_->RandomPeers(static_cast<size_t>(config_.timing.gossip_fanout), {}, /*include_dead=*/true)) {
      gossip.clear();
      if (broadcasts_.Take(budget, membership_->TransmitLimit(), &gossip) == 0) break;
      for (std::string& m : gossip) outbox_.SendEncoded(peer->address, std::move(m));
    }
  }
  if (now_ms >= next_anti_entropy_at_) StartAntiEntropy(now_ms);
  FlushTree(now_ms);
  PullForWaiting(now_ms);
  SyncWithArrivals(now_ms);
  if (batch_sync_at_ && now_ms >= *batch_sync_at_) {
    batch_sync_at_.reset();
    last_batch_sync_ = now_ms;
    RequestSync();
  }
  if (now_ms >= replicated_sync_at_) {
    replicated_sync_at_ = UINT64_MAX;
    // A sync under way: its OnSynced() re-arms this for what it leaves.
    if (!sync_outstanding_ && appended_sequence_ > durable_sequence_) RequestSync();
  }
  SettleWrites(now_ms);
  Flush();
}

namespace {
// Full membership tables cost O(members) each way, so beyond 32 members they
// are exchanged less often than digests, as memberlist's pushPullScale does:
// x(ceil(log2(n / 32)) + 1), e.g. x6 at 1000 members. Piggybacked alive,
// suspect and dead broadcasts still spread every change quickly.
uint64_t MembershipSyncScale(size_t members) {
  constexpr double kThreshold = 32;
  if (static_cast<double>(members) <= kThreshold) return 1;
  return static_cast<uint64_t>(std::ceil(std::log2(static_cast<double>(members) / kThreshold))) + 1;
}
}  // namespace

void NodeCore::StartAntiEntropy(uint64_t now_ms) {
  // Jitter keeps a fleet started at once from syncing in lockstep.
  uint64_t interval = config_.timing.push_pull_interval_ms;
  next_anti_entropy_at_ = now_ms + interval / 2 + rng_() % (interval / 2 + 1);
  bool members_due = now_ms >= next_membership_sync_at_;
  // Unscaled (up to 32 members): every round. Scaled: every scale-th round or so.
  if (members_due) {
    next_membership_sync_at_ = now_ms + interval * (MembershipSyncScale(membership_->members().size()) - 1);
  }
  // join=true asks the receiver to answer with its own membership. Built
  // only for a round that sends it: a 1000-member table is not free.
  std::optional<PushPullMessage> members;
  ContextDigestMessage digest{map_.context(), CurrentDigest(), true};
  const std::vector<Address>& lost_seeds = LostSeeds();
  auto open = [&](const Address& to, bool with_members) {
    ++stats_.diff_rounds;
    if (with_members) {
      if (!members) members = membership_->Snapshot(true);
      outbox_.Send(Transport::kFrame, to, *members);
    }
    outbox_.Send(Transport::kFrame, to, digest);
  };
  if (auto peers = membership_->RandomPeers(1); !peers.empty()) {
    open(peers[0]->address, members_due);
    // Also knock on one lost seed. After a partition long enough for each
    // side to declare the other dead and reap it, the side without the seed
    // would otherwise never contact the other side again: it is not alone,
    // and nobody remembers anyone across the cut (serf's "reconnect",
    // limited to seeds). A seed that is really gone costs one frame a round.
    if (!lost_seeds.empty()) open(lost_seeds[rng_() % lost_seeds.size()], true);
  } else {
    // Alone (just started, or cut off): knock on every seed.
    for (const Address& seed : lost_seeds) open(seed, true);
  }
}

const std::vector<Address>& NodeCore::LostSeeds() {
  // Each round asked this of every member for every seed: with 1000
  // members, a walk of the whole table a round, for an answer that changes
  // only when the membership does.
  if (lost_seeds_version_ == membership_->version()) return lost_seeds_;
  lost_seeds_version_ = membership_->version();
  lost_seeds_.clear();
  for (const Address& seed : config_.seeds) {
    if (seed == config_.advertise) continue;
    bool live = false;
    for (const auto& [name, m] : membership_->members()) {
      if (m.address == seed && (m.state == MemberState::kAlive || m.state == MemberState::kSuspect)) live = true;
    }
    if (!live) lost_seeds_.push_back(seed);
  }
  return lost_seeds_;
}

// ---- receiving -----------------------------------------------------------------------

void NodeCore::Receive(const Address& from, Transport transport, std::string_view bytes, uint64_t now_ms) {
  ++stats_.packets_received;
  stats_.bytes_received += bytes.size();
  Result<Packet> packet =
      transport == Transport::kDatagram ? wire_->DecodeDatagram(bytes) : wire_->DecodeFrame(bytes);
  if (!packet.ok()) {
    ++stats_.packets_dropped;  // the codec counted why
    return;
  }
  if (packet->sender == config_.name) return;  // our own echo (e.g. a seed list naming us)
  for (const Message& m : packet->messages) Handle(packet->sender, from, m, now_ms);
  SyncWithArrivals(now_ms);
  SettleWrites(now_ms);
  Flush();
}

void NodeCore::SyncWithArrivals(uint64_t now_ms) {
  // A member that is back (a healed partition, a restart) or new likely holds
  // writes this node lacks and lacks some of ours: exchange digests with it
  // now rather than at a random peer's next anti-entropy round. At most one
  // such exchange per probe interval, so a heal that revives half the fleet
  // at once does not start half the fleet's worth of diffs.
  for (const std::string& name : membership_->TakeArrivals()) {
    const Member* m = membership_->Find(name);
    if (m == nullptr || now_ms < next_arrival_sync_at_) continue;
    next_arrival_sync_at_ = now_ms + config_.timing.probe_interval_ms;
    ++stats_.diff_rounds;
    outbox_.Send(Transport::kFrame, m->address, ContextDigestMessage{map_.context(), CurrentDigest(), true});
  }
}

void NodeCore::Handle(const std::string& sender, const Address& from, const Message& message, uint64_t now_ms) {
  // The relay carries data only: membership is about who we reach directly.
  if (from == kRelayAddress && KindOf(message) < MessageKind::kDeltaBatch) return;
  switch (KindOf(message)) {
    case MessageKind::kPushPull: {
      const auto& pp = std::get<PushPullMessage>(message);
      membership_->Merge(sender, pp, now_ms);
      if (pp.join) outbox_.Send(Transport::kFrame, ReplyAddress(sender, from), membership_->Snapshot(false));
      break;
    }
    case MessageKind::kDeltaBatch:
      HandleDeltas(sender, from, std::get<DeltaBatchMessage>(message), now_ms);
      break;
    case MessageKind::kContextDigest:
      HandleDigest(sender, from, std::get<ContextDigestMessage>(message));
      break;
    case MessageKind::kDiffChunk:
      HandleChunk(sender, from, std::get<DiffChunkMessage>(message), now_ms);
      break;
    case MessageKind::kDurableAck:
      HandleDurableAcks(sender, std::get<DurableAckMessage>(message), now_ms);
      break;
    case MessageKind::kSlotRequest:
      HandleSlotRequest(sender, from, std::get<SlotRequestMessage>(message));
      break;
    default:
      membership_->Handle(sender, from, message, now_ms);
      break;
  }
}

Address NodeCore::ReplyAddress(const std::string& sender, const Address& from) const {
  if (from == kRelayAddress) return from;  // what came through the relay is answered there
  // Frames arrive from ephemeral TCP ports: answer the member's advertised address.
  const Member* m = membership_->Find(sender);
  return m != nullptr ? m->address : from;
}

bool NodeCore::Absorb(const Delta& delta, uint64_t now_ms, std::optional<Dot> confirm, const std::string& sender,
                      const Address& from) {
  ++stats_.deltas_received;
  if (!map_.Ready(delta)) return Hold(delta, confirm, ReplyAddress(sender, from), now_ms);
  bool learned = Merge(delta, now_ms, confirm);
  // Even a delta that taught nothing new may have raised a slot clock that
  // a held delta builds on (an anti-entropy chunk), so always look.
  if (!waiting_.empty()) MergeWaiting(delta, now_ms);
  return learned;
}

bool NodeCore::Merge(const Delta& delta, uint64_t now_ms, std::optional<Dot> confirm) {
  bool grew = !map_.context().Includes(delta.context);
  std::vector<std::string> changed;
  Status s = map_.Join(delta, &changed);
  if (!s.ok()) {
    ++stats_.packets_dropped;
    return false;
  }
  uint64_t ahead = 0;
  for (const SlotState& slot : delta.slots) {
    for (const Entry& e : slot.state.entries) {
      clock_.Observe(e.ts);
      if (TimestampMillis(e.ts) > now_ms) ahead = std::max(ahead, TimestampMillis(e.ts) - now_ms);
    }
  }
  NoteClockAhead(ahead, now_ms);
  // A slot-request's answer claims no dots and may change only clocks; it
  // is rare, so it is always logged (a restart must not forget what a held
  // delta was then joined on top of).
  bool repair = delta.context.empty() && !delta.slots.empty();
  bool learned = grew || !changed.empty() || repair;
  if (learned) {
    ++stats_.deltas_new;
    Result<uint64_t> seq = Record(delta, now_ms);
    if (!seq.ok()) return learned;  // the logbook reports its error on writes
  }
  NotifyWatches(changed);
  if (confirm) Confirm(*confirm, now_ms);
  return learned;
}

void NodeCore::NoteClockAhead(uint64_t ahead_ms, uint64_t now_ms) {
  // Two windows, so the recent figure always covers at least one whole
  // window and a skew seen once is forgotten within two.
  constexpr uint64_t kSkewWindowMs = 60000;
  if (now_ms >= skew_window_start_ms_ + kSkewWindowMs) {
    bool adjacent = now_ms < skew_window_start_ms_ + 2 * kSkewWindowMs;
    skew_previous_ahead_ms_ = adjacent ? skew_window_ahead_ms_ : 0;
    skew_window_ahead_ms_ = 0;
    skew_window_start_ms_ = now_ms;
  }
  skew_window_ahead_ms_ = std::max(skew_window_ahead_ms_, ahead_ms);
  stats_.clock_ahead_recent_ms = std::max(skew_window_ahead_ms_, skew_previous_ahead_ms_);
  stats_.clock_ahead_max_ms = std::max(stats_.clock_ahead_max_ms, ahead_ms);
}

void NodeCore::Confirm(const Dot& write, uint64_t now_ms) {
  // The write's delta may have come before, without its write id (an
  // anti-entropy chunk), and been logged lazily: the writer waits now.
  pending_confirms_.push_back(PendingConfirm{appended_sequence_, write});
  if (appended_sequence_ <= durable_sequence_) settle_needed_ = true;
  AwaitDurable(appended_sequence_, now_ms);
}

bool NodeCore::Hold(const Delta& delta, std::optional<Dot> confirm, const Address& from, uint64_t now_ms) {
  // Not ready, yet its dot is known: a later state of its slots came first
  // (anti-entropy), and that state covers it.
  if (map_.context().Includes(delta.context)) return false;
  for (const WaitingDelta& w : waiting_) {
    if (w.delta.context == delta.context) return false;  // held already
  }
  if (waiting_.size() >= config_.sync.max_waiting_deltas) {
    // The oldest gives way; anti-entropy brings its slots instead.
    waiting_.pop_front();
    ++stats_.deltas_held_dropped;
  }
  uint64_t pull_at = now_ms + config_.sync.hold_pull_ms;
  waiting_.push_back(WaitingDelta{delta, confirm, from, pull_at, 0});
  next_pull_at_ = std::min(next_pull_at_, pull_at);
  ++stats_.deltas_held;
  return true;  // news here, so worth forwarding: others may be ready for it
}

void NodeCore::PullForWaiting(uint64_t now_ms) {
  if (now_ms < next_pull_at_) return;
  next_pull_at_ = UINT64_MAX;
  std::map<Address, std::set<SlotRef>> wanted;  // peer -> slots
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    WaitingDelta& w = *it;
    if (w.pull_at > now_ms) {
      next_pull_at_ = std::min(next_pull_at_, w.pull_at);
      ++it;
      continue;
    }
    if (map_.context().Includes(w.delta.context)) {
      // Claimed by an anti-entropy chunk that brought a later state of its
      // slots (another write superseded it): drop it, and confirm nothing,
      // since the slots do not reflect it as such.
      it = waiting_.erase(it);
      continue;
    }
    if (w.pulls < 2) {
      // First the writer, which built the change on the slots it needs;
      // then the peer that passed it on. After that, anti-entropy.
      const Member* writer = nullptr;
      auto change = std::find_if(w.delta.slots.begin(), w.delta.slots.end(),
                                 [](const SlotState& slot) { return slot.after.has_value(); });
      if (change != w.delta.slots.end()) writer = membership_->FindByReplica(change->after->replica);
      if (writer != nullptr && writer->name == config_.name) writer = nullptr;  // our own lost write
      const Address& to = w.pulls == 0 && writer != nullptr ? writer->address : w.from;
      std::set<SlotRef>& slots = wanted[to];
      for (const SlotState& slot : w.delta.slots) {
        if (slot.after && slots.size() < config_.limits.max_requested_slots) slots.insert(SlotRef{slot.key, slot.slot});
      }
      ++w.pulls;
    }
    // Looked at again later: to pull once more, or to drop once claimed.
    w.pull_at = now_ms + config_.sync.hold_pull_ms;
    next_pull_at_ = std::min(next_pull_at_, w.pull_at);
    ++it;
  }
  for (auto& [to, slots] : wanted) {
    outbox_.Send(Transport::kDatagram, to, SlotRequestMessage{{slots.begin(), slots.end()}});
    ++stats_.slot_requests;
  }
}

void NodeCore::HandleSlotRequest(const std::string& sender, const Address& from, const SlotRequestMessage& m) {
  std::vector<SlotRef> wanted = m.slots;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  SendChunks(ReplyAddress(sender, from), CutIntoChunks(map_.ExportSlots(wanted)));
}

std::vector<Delta> NodeCore::CutIntoChunks(Delta slots) const {
  // Slot states may add up to more than a frame should carry; with an
  // empty context any cut is safe to join (I3).
  std::vector<Delta> chunks(1);
  size_t bytes = 0;
  for (SlotState& slot : slots.slots) {
    if (bytes >= config_.sync.chunk_bytes) {
      chunks.emplace_back();
      bytes = 0;
    }
    bytes += slot.ApproximateBytes();
    chunks.back().slots.push_back(std::move(slot));
  }
  if (chunks.back().empty()) chunks.pop_back();
  return chunks;
}

void NodeCore::HandleChunk(const std::string& sender, const Address& from, const DiffChunkMessage& chunk,
                           uint64_t now_ms) {
  ++stats_.chunks_received;
  if (chunk.index == 0 && chunk.last) {  // a whole answer
    answers_.erase(sender);
    Absorb(chunk.delta, now_ms, std::nullopt, sender, from);
    return;
  }
  // Answers in progress are few (one per peer answering now); a flood of
  // senders loses claims, which only means a later round sends them again.
  constexpr size_t kMaxAnswers = 64;
  if (chunk.index == 0 && answers_.size() >= kMaxAnswers && !answers_.count(sender)) answers_.erase(answers_.begin());
  if (chunk.index == 0) answers_[sender] = ChunkedAnswer{};
  auto answer = answers_.find(sender);
  const bool in_turn = answer != answers_.end() && answer->second.next_index == chunk.index;
  if (in_turn) {
    answer->second.claims.Join(chunk.delta.context);
    ++answer->second.next_index;
  } else if (answer != answers_.end()) {
    answers_.erase(answer);  // a chunk went missing: the answer claims nothing
  }
  Delta slots;
  slots.slots = chunk.delta.slots;
  Absorb(slots, now_ms, std::nullopt, sender, from);
  if (in_turn && chunk.last) {
    Delta claims;
    claims.context = std::move(answer->second.claims);
    answers_.erase(answer);
    Absorb(claims, now_ms, std::nullopt, sender, from);
  }
}

void NodeCore::SendChunks(const Address& to, std::vector<Delta> chunks) {
  for (size_t i = 0; i < chunks.size(); ++i) {
    outbox_.Send(Transport::kFrame, to,
                 DiffChunkMessage{static_cast<uint32_t>(i), i + 1 == chunks.size(), std::move(chunks[i])});
    ++stats_.chunks_sent;
  }
}

void NodeCore::MergeWaiting(const Delta& joined, uint64_t now_ms) {
  std::vector<std::string> touched;
  auto touch = [&touched](const Delta& d) {
    for (const SlotState& slot : d.slots) {
      if (std::find(touched.begin(), touched.end(), slot.key) == touched.end()) touched.push_back(slot.key);
    }
  };
  auto shares_key = [&touched](const Delta& d) {
    return std::any_of(d.slots.begin(), d.slots.end(), [&touched](const SlotState& slot) {
      return std::find(touched.begin(), touched.end(), slot.key) != touched.end();
    });
  };
  touch(joined);
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (!shares_key(it->delta) || !map_.Ready(it->delta)) {
        ++it;
        continue;
      }
      // (If its dot came another way meanwhile, the join changes nothing
      // but the write it asks to confirm is here now.)
      WaitingDelta w = std::move(*it);
      it = waiting_.erase(it);
      Merge(w.delta, now_ms, w.confirm);
      touch(w.delta);
      progress = true;
    }
  }
}

void NodeCore::HandleDeltas(const std::string& sender, const Address& from, const DeltaBatchMessage& batch,
                            uint64_t now_ms) {
  // The batch's records go into the logbook as one group, so a crash here
  // keeps all or none: a write group that travels as several deltas (one
  // over half a frame; see PushGroup) is joined in this one call.
  const bool log_group = batch.deltas.size() > 1 && !log_group_open_;
  if (log_group) OpenLogGroup();
  HandleDeltaItems(sender, from, batch, now_ms);
  if (log_group) CloseLogGroup();
}

void NodeCore::HandleDeltaItems(const std::string& sender, const Address& from, const DeltaBatchMessage& batch,
                                uint64_t now_ms) {
  if (batch.tree) {
    // Passed on whether or not it was news here (anti-entropy may have been
    // faster), since the members beyond this one get it from nobody else;
    // but only once. As one message, as it came: a write group then reaches
    // every member in one piece, joined and logged together.
    DeltaBatchMessage pass;
    pass.hops = static_cast<uint8_t>(std::min(batch.hops + 1, UINT8_MAX));
    pass.tree = true;
    for (const DeltaItem& item : batch.deltas) {
      Absorb(item.delta, now_ms, item.write_id, sender, from);
      if (!tree_passed_.Includes(item.delta.context)) pass.deltas.push_back(item);
    }
    if (!pass.deltas.empty()) stats_.deltas_forwarded += PassDownTree(pass, sender, now_ms);
    return;
  }
  DeltaBatchMessage forward;
  forward.hops = static_cast<uint8_t>(batch.hops + 1);
  for (const DeltaItem& item : batch.deltas) {
    if (Absorb(item.delta, now_ms, item.write_id, sender, from)) forward.deltas.push_back(item);
  }
  // Epidemic spread: pass on what was news here, within the hop budget.
  if (!forward.deltas.empty() && forward.hops <= config_.sync.max_hops) {
    for (const Member* peer : membership_->RandomPeers(static_cast<size_t>(config_.sync.eager_fanout), sender)) {
      outbox_.Send(Transport::kDatagram, peer->address, forward);
      stats_.deltas_forwarded += forward.deltas.size();
    }
  }
}

size_t NodeCore::PassDownTree(const DeltaBatchMessage& batch, const std::string& except, uint64_t now_ms) {
  for (const DeltaItem& item : batch.deltas) tree_passed_.Join(item.delta.context);
  const std::string encoded = EncodeMessage(batch);
  size_t sent = 0;
  for (const Member* m : membership_->TreeNeighbors(static_cast<size_t>(config_.sync.tree_fanout))) {
    if (m->name == except) continue;
    tree_queue_[m->address].push_back(encoded);
    ++sent;
  }
  if (!tree_queue_.empty()) tree_flush_at_ = std::min(tree_flush_at_, now_ms + config_.sync.tree_flush_ms);
  return sent;
}

void NodeCore::FlushTree(uint64_t now_ms) {
  if (now_ms < tree_flush_at_) return;
  tree_flush_at_ = UINT64_MAX;
  for (auto& [to, messages] : tree_queue_) {
    for (std::string& m : messages) outbox_.SendEncoded(to, std::move(m));
  }
  tree_queue_.clear();
}

void NodeCore::HandleDigest(const std::string& sender, const Address& from, const ContextDigestMessage& m) {
  if (m.digest == CurrentDigest()) return;  // identical states: nothing to say
  Address to = ReplyAddress(sender, from);
  // An answer through the relay is read, and its claims taken, by every node.
  std::vector<Delta> chunks = to == kRelayAddress ? map_.DiffForAnyReader(m.context, config_.sync.chunk_bytes)
                                                  : map_.Diff(m.context, config_.sync.chunk_bytes);
  if (chunks.empty() && m.context == map_.context()) {
    // The same events seen, different states: some effects here came with
    // events that nobody claims any more (see CrdtMap::UnclaimedSlots), and
    // no Diff will ever ship them. Their slots' states will. The peer's
    // own such slots come to this node when the peer gets its digest (the
    // reply below, or this node's next round).
    std::vector<SlotRef> unclaimed = map_.UnclaimedSlots();
    stats_.unclaimed_slots_sent += unclaimed.size();
    chunks = CutIntoChunks(map_.ExportSlots(unclaimed));
  }
  SendChunks(to, std::move(chunks));
  if (m.reply_wanted) outbox_.Send(Transport::kFrame, to, ContextDigestMessage{map_.context(), CurrentDigest(), false});
}

void NodeCore::HandleDurableAcks(const std::string& sender, const DurableAckMessage& m, uint64_t now_ms) {
  for (const Dot& dot : m.writes) {
    auto [first, last] = quorum_writes_.equal_range(dot);
    for (auto it = first; it != last; ++it) {
      auto pw = pending_writes_.find(it->second);
      if (pw != pending_writes_.end()) {
        pw->second.confirmed.insert(sender);
        settle_needed_ = true;
      }
    }
  }
  SettleWrites(now_ms);
}

void NodeCore::ConfirmWithGroup(const Dot& write, const Dot& group) {
  auto it = quorum_writes_.find(write);
  if (it == quorum_writes_.end()) return;
  const uint64_t id = it->second;
  quorum_writes_.erase(it);
  quorum_writes_.emplace(group, id);
  pending_writes_.at(id).dot = group;
}

void NodeCore::ForgetQuorumWrite(const Dot& dot, uint64_t id) {
  auto [first, last] = quorum_writes_.equal_range(dot);
  for (auto it = first; it != last; ++it) {
    if (it->second == id) {
      quorum_writes_.erase(it);
      return;
    }
  }
}

// ---- writing ----------------------------------------------------------------------------

Result<uint64_t> NodeCore::Record(const Delta& delta, uint64_t now_ms) {
  if (logbook_ == nullptr) {
    durable_sequence_ = ++appended_sequence_;
    return appended_sequence_;
  }
  Result<uint64_t> seq = logbook_->Append(delta);
  if (!seq.ok() && seq.status().code() == Status::Code::kInvalidArgument) seq = RecordBySnapshot(seq.status());
  if (!seq.ok()) return seq;
  appended_sequence_ = *seq;
  if (config_.sync_policy == SyncPolicy::kNone) {
    durable_sequence_ = appended_sequence_;
  } else {
    DeferSync(now_ms);  // sooner if someone waits on it (AwaitDurable)
  }
  ++records_since_snapshot_;
  if (!log_group_open_) MaybeWriteSnapshot();
  return seq;
}

void NodeCore::OpenLogGroup() {
  if (logbook_ == nullptr || log_group_open_) return;
  log_group_open_ = true;
  logbook_->BeginGroup();
}

void NodeCore::CloseLogGroup() {
  if (!log_group_open_) return;
  log_group_open_ = false;
  // A failure is the logbook's sticky error: the sync that the group's
  // writes wait on reports it, and they fail with it.
  (void)logbook_->EndGroup();
  MaybeWriteSnapshot();
}

void NodeCore::MaybeWriteSnapshot() {
  // Sizes as the logbook wrote them: the log since the last snapshot against
  // that snapshot's payload (measuring the map instead walked every slot at
  // each snapshot, 4% of a 1000-node simulation).
  const uint64_t logged = logbook_->appended_bytes() - appended_at_snapshot_;
  const uint64_t snapshot = logbook_->snapshot_bytes();
  bool by_records = records_since_snapshot_ >= config_.snapshot_every_records && logged >= snapshot;
  bool by_bytes = logged >= std::max(config_.snapshot_min_log_bytes, 2 * snapshot);
  if (by_records || by_bytes) (void)WriteSnapshot();
}

Status NodeCore::WriteSnapshot() {
  // Counted from this attempt even if it fails: a failing disk must not be
  // asked for a whole snapshot at every record.
  records_since_snapshot_ = 0;
  appended_at_snapshot_ = logbook_->appended_bytes();
  Status written = logbook_->WriteSnapshot(map_);
  if (written.ok()) ++stats_.snapshots;
  return written;
}

Result<uint64_t> NodeCore::RecordBySnapshot(const Status& too_big) {
  // A snapshot holds the whole map, so an open log group ends here: its
  // records are written first (the snapshot covers them), and the records
  // after this change form the rest.
  if (log_group_open_) PARLEY_RETURN_IF_ERROR(logbook_->EndGroup());
  // An empty record first: a snapshot covers records, and with no new one
  // to cover it would not be written. A crash between the two loses the
  // change, which nobody has been told is durable yet.
  Result<uint64_t> marker = logbook_->Append(Delta());
  if (log_group_open_) logbook_->BeginGroup();
  if (!marker.ok()) return marker;
  Status written = WriteSnapshot();
  if (!written.ok()) return written.WithContext(too_big.message() + "; nor could a snapshot hold it");
  return marker;
}

Result<uint64_t> NodeCore::Write(std::span<const Op> ops, Durability durability, uint64_t now_ms) {
  if (durability.nodes < 1) return Status::InvalidArgument("durability must name at least 1 node");
  for (const Op& op : ops) {
    if (op.key.size() > config_.limits.max_key_bytes || op.member.size() > config_.limits.max_key_bytes) {
      return Status::InvalidArgument("key, member or field longer than " +
                                     std::to_string(config_.limits.max_key_bytes) + " bytes");
    }
    if (op.value.size() > config_.limits.max_value_bytes) {
      return Status::InvalidArgument("value longer than " + std::to_string(config_.limits.max_value_bytes) +
                                     " bytes");
    }
  }
  // A log that failed refuses every later record (its state on disk is
  // unknown), so a write is refused before it is applied: one applied and
  // then not logged would be visible here, and spread by anti-entropy,
  // while its client is told it failed.
  if (logbook_ != nullptr) {
    Status health = logbook_->health();
    if (!health.ok()) {
      ++stats_.write_errors;
      return health.WithContext("writes are refused since the logbook failed; restart the node");
    }
  }
  // Written into the delta the previous write left, if it was not pushed:
  // a lone node's write path then allocates nothing for its delta.
  Delta& delta = write_delta_;
  Status applied = map_.Apply(ops, clock_.Now(now_ms), &delta);
  if (!applied.ok()) {
    ++stats_.write_errors;
    return applied;
  }
  ++stats_.writes;
  uint64_t id = next_write_id_++;
  if (delta.empty()) {  // nothing to change (e.g. deleting an absent key)
    outputs_.writes.push_back(WriteDone{id, Status::Ok()});
    return id;
  }
  Result<uint64_t> seq = Record(delta, now_ms);
  if (!seq.ok()) {
    ++stats_.write_errors;
    return seq.status().WithContext("write applied in memory but not logged");
  }
  AwaitDurable(*seq, now_ms);
  Dot dot{replica_, delta.context.MaxCounter(replica_)};
  if (durability.nodes == 1 && *seq <= durable_sequence_ && local_writes_.empty() && pending_writes_.empty()) {
    // Durable already (an in-memory node, or no fsync wanted) and nothing
    // older waits: done at once.
    outputs_.writes.push_back(WriteDone{id, Status::Ok()});
  } else if (durability.nodes == 1) {
    local_writes_.push_back(LocalWrite{id, *seq});
    if (*seq <= durable_sequence_) settle_needed_ = true;
  } else {
    PendingWrite pw;
    pw.dot = dot;
    pw.sequence = *seq;
    pw.needed = durability.nodes;
    pw.deadline = now_ms + durability.timeout_ms;
    pending_writes_[id] = pw;
    if (pw.sequence <= durable_sequence_) settle_needed_ = true;
    if (pw.needed > 1) next_quorum_deadline_ = std::min(next_quorum_deadline_, pw.deadline);
    if (durability.nodes > 1) quorum_writes_.emplace(dot, id);
  }

  if (!watches_.empty()) {
    std::vector<std::string> keys;
    for (const SlotState& s : delta.slots) {
      if (keys.empty() || keys.back() != s.key) keys.push_back(s.key);
    }
    NotifyWatches(keys);
  }

  // With nobody to send it to and nothing to queue (see PushDeltas), a lone
  // node's write path ends here, and the delta stays for the next write. A
  // write group's deltas wait for its end, whatever the peers then are.
  const bool quorum = durability.nodes > 1;
  const bool reachable = !grouping_ && membership_->HasReachablePeer();  // a roster scan: once per write
  if (grouping_ || config_.relay || quorum || reachable) {
    group_.push_back(DeltaItem{quorum ? std::optional<Dot>(dot) : std::nullopt, std::move(delta)});
    group_fanout_ = std::max({group_fanout_, config_.sync.eager_fanout, durability.nodes - 1});
    if (!grouping_) PushGroup(reachable, now_ms);  // a group of one
  }
  SettleWrites(now_ms);
  Flush();
  return id;
}

void NodeCore::BeginWriteGroup() {
  grouping_ = true;
  OpenLogGroup();
}

void NodeCore::EndWriteGroup(uint64_t now_ms) {
  grouping_ = false;
  CloseLogGroup();
  if (group_.empty()) return;
  PushGroup(membership_->HasReachablePeer(), now_ms);
  Flush();
}

namespace {
bool HasQuorumWrite(std::span<const DeltaItem> items) {
  return std::any_of(items.begin(), items.end(), [](const DeltaItem& d) { return d.write_id.has_value(); });
}
size_t ApproximateBytes(std::span<const DeltaItem> items) {
  size_t bytes = 0;
  for (const DeltaItem& item : items) bytes += item.delta.ApproximateBytes();
  return bytes;
}
}  // namespace

void NodeCore::PushGroup(bool reachable, uint64_t now_ms) {
  std::vector<DeltaItem> items = std::exchange(group_, {});
  const int fanout = std::exchange(group_fanout_, 0);
  const bool has_quorum_write = HasQuorumWrite(items);
  if (!config_.relay && !reachable && !has_quorum_write) return;
  const size_t max_bytes = config_.limits.max_frame_bytes / 2;
  // A write group as one delta: a peer checks it, holds it back (if it
  // lacks a write it builds on), joins it and logs it as one, so the peer's
  // readers see all of it or none. Not beyond what one message holds.
  if (items.size() > 1 && ApproximateBytes(items) <= max_bytes) {
    std::optional<Dot> confirm;
    std::vector<Delta> writes;
    writes.reserve(items.size());
    for (DeltaItem& item : items) {
      if (item.write_id && !confirm) {
        confirm = item.write_id;
      } else if (item.write_id) {
        ConfirmWithGroup(*item.write_id, *confirm);
      }
      writes.push_back(std::move(item.delta));
    }
    items.assign(1, DeltaItem{confirm, JoinWriteDeltas(std::move(writes))});
  }
  DeltaBatchMessage batch;
  if (items.size() == 1) {  // a single write, or a joined group: one message, nothing to weigh
    batch.deltas = std::move(items);
    PushDeltas(std::move(batch), fanout, reachable, now_ms);
    return;
  }
  // Otherwise as few messages as a receiver accepts: within its count of
  // deltas per batch, and half a frame (a value may be 4 MB; a frame holds 8).
  size_t bytes = 0;
  for (DeltaItem& item : items) {
    const size_t item_bytes = item.delta.ApproximateBytes();
    if (!batch.deltas.empty() &&
        (batch.deltas.size() == config_.limits.max_deltas_per_batch || bytes + item_bytes > max_bytes)) {
      PushDeltas(std::exchange(batch, DeltaBatchMessage()), fanout, reachable, now_ms);
      bytes = 0;
    }
    bytes += item_bytes;
    batch.deltas.push_back(std::move(item));
  }
  PushDeltas(std::move(batch), fanout, reachable, now_ms);
}

void NodeCore::PushDeltas(DeltaBatchMessage batch, int fanout, bool reachable, uint64_t now_ms) {
  const bool has_quorum_write = HasQuorumWrite(batch.deltas);
  if (config_.relay) {
    // Every node reads the relay itself, so nobody needs to forward these.
    DeltaBatchMessage relayed = batch;
    relayed.hops = static_cast<uint8_t>(config_.sync.max_hops);
    outbox_.Send(Transport::kFrame, kRelayAddress, std::move(relayed));
  }
  size_t members = membership_->members().size();
  bool direct = fanout > 0 && members <= config_.sync.direct_push_max_members;
  if (direct) {
    // Everyone gets it from here, so nobody needs to forward it.
    batch.hops = static_cast<uint8_t>(config_.sync.max_hops);
    fanout = static_cast<int>(members);
  }
  if (!direct && fanout > 0 && config_.sync.tree_fanout > 0 && !has_quorum_write) {
    // The tree reaches every member, so nothing rides on gossip either.
    batch.tree = true;
    stats_.deltas_pushed += PassDownTree(batch, {}, now_ms);
    return;
  }
  // Encoded once for every peer (up to 127 of them in direct mode).
  std::vector<const Member*> peers = membership_->RandomPeers(static_cast<size_t>(fanout));
  if (!peers.empty()) {
    std::string encoded = EncodeMessage(batch);
    for (const Member* peer : peers) {
      outbox_.SendEncoded(peer->address, encoded);
      ++stats_.deltas_pushed;
    }
  }
  // Small deltas also ride on membership traffic for a few rounds, which
  // reaches nodes the eager push missed. A node with nobody to reach keeps
  // none: peers that appear later get the state by anti-entropy, and queueing
  // (then evicting) a broadcast per write cost a lone node ~15% of its writes.
  // A quorum write is the exception: only a delta that carries its write id
  // gets confirmed (anti-entropy chunks carry none), so it must wait in the
  // queue for the first peer (libparley's example writes right at start-up).
  if (!has_quorum_write && !reachable) return;
  // An estimate first, so a big delta is never encoded for nothing.
  if (16 + ApproximateBytes(batch.deltas) <= config_.sync.piggyback_max_bytes) {
    batch.hops = static_cast<uint8_t>(config_.sync.max_hops);  // receivers need not forward
    broadcasts_.Push(EncodeMessage(batch), std::nullopt);
  }
}

void NodeCore::RequestSync() {
  outputs_.sync_wanted = true;
  sync_outstanding_ = true;
}

void NodeCore::AwaitDurable(uint64_t sequence, uint64_t now_ms) {
  awaited_sequence_ = std::max(awaited_sequence_, sequence);
  if (sequence <= durable_sequence_) return;
  if (config_.sync_policy == SyncPolicy::kAlways) {
    RequestSync();
  } else if (config_.sync_policy == SyncPolicy::kBatch && !batch_sync_at_ && !sync_outstanding_) {
    // While a sync runs, OnSynced() sees to what it leaves unsynced: a
    // timer now would only wake the node to ask again (63% of the
    // 1000-node simulator's wake-ups).
    ScheduleBatchSync(now_ms);
  }
}

void NodeCore::DeferSync(uint64_t now_ms) {
  if (replicated_sync_at_ == UINT64_MAX) replicated_sync_at_ = now_ms + config_.replicated_sync_ms;
}

void NodeCore::ScheduleBatchSync(uint64_t now_ms) {
  // At once if the last sync began an interval ago or more (a lone write
  // does not wait for a timer), else an interval after it.
  uint64_t at = last_batch_sync_ ? std::max(now_ms, *last_batch_sync_ + config_.batch_interval_ms) : now_ms;
  if (at <= now_ms) {
    last_batch_sync_ = now_ms;
    RequestSync();
  } else {
    batch_sync_at_ = at;
  }
}

void NodeCore::OnSynced(uint64_t durable_sequence, const Status& status, uint64_t now_ms) {
  sync_outstanding_ = false;
  if (!status.ok()) {
    // The disk failed: nothing waiting on it can be promised any more.
    const Status failed = status.WithContext("logbook sync failed");
    const size_t first = outputs_.writes.size();
    auto unsynced = std::partition_point(local_writes_.begin(), local_writes_.end(),
                                         [this](const LocalWrite& w) { return w.sequence <= durable_sequence_; });
    for (auto it = unsynced; it != local_writes_.end(); ++it) outputs_.writes.push_back(WriteDone{it->id, failed});
    local_writes_.erase(unsynced, local_writes_.end());
    const size_t quorum_first = outputs_.writes.size();
    for (auto it = pending_writes_.begin(); it != pending_writes_.end();) {
      if (!it->second.local_durable && it->second.sequence > durable_sequence_) {
        outputs_.writes.push_back(WriteDone{it->first, failed});
        ForgetQuorumWrite(it->second.dot, it->first);
        it = pending_writes_.erase(it);
      } else {
        ++it;
      }
    }
    MergeWriteOutputs(first, quorum_first);
  }
  durable_sequence_ = std::max(durable_sequence_, durable_sequence);
  // Records appended while the sync ran and not covered by it: at once (or
  // a batch interval on) if someone waits on one, else lazily. (Not after a
  // failure: the logbook's error is sticky, and asking again would loop.)
  if (durable_sequence_ >= appended_sequence_) {
    replicated_sync_at_ = UINT64_MAX;
  } else if (status.ok() && awaited_sequence_ <= durable_sequence_) {
    DeferSync(now_ms);
  } else if (status.ok() && config_.sync_policy == SyncPolicy::kBatch && !batch_sync_at_) {
    ScheduleBatchSync(now_ms);
  }
  SettleWrites(now_ms);
  Flush();
}

void NodeCore::MergeWriteOutputs(size_t first, size_t quorum_first) {
  auto begin = outputs_.writes.begin();
  if (quorum_first == first || quorum_first == outputs_.writes.size()) return;
  std::inplace_merge(begin + static_cast<ptrdiff_t>(first), begin + static_cast<ptrdiff_t>(quorum_first),
                     outputs_.writes.end(), [](const WriteDone& a, const WriteDone& b) { return a.write < b.write; });
}

void NodeCore::SettleWrites(uint64_t now_ms) {
  // Called after every input, so it must be cheap when nothing can settle:
  // walking 800 pipelined writes that wait for one fsync on each of their
  // arrivals made the loop CPU-bound (RESP bench, --sync always).
  if (!settle_needed_ && durable_sequence_ == settled_durable_ && now_ms < next_quorum_deadline_) return;
  settle_needed_ = false;
  settled_durable_ = durable_sequence_;
  next_quorum_deadline_ = UINT64_MAX;
  const size_t first = outputs_.writes.size();
  while (!local_writes_.empty() && local_writes_.front().sequence <= durable_sequence_) {
    outputs_.writes.push_back(WriteDone{local_writes_.front().id, Status::Ok()});
    local_writes_.pop_front();
  }
  const size_t quorum_first = outputs_.writes.size();
  for (auto it = pending_writes_.begin(); it != pending_writes_.end();) {
    PendingWrite& w = it->second;
    if (w.sequence <= durable_sequence_) w.local_durable = true;
    int have = (w.local_durable ? 1 : 0) + static_cast<int>(w.confirmed.size());
    std::optional<Status> done;
    if (w.local_durable && have >= w.needed) {
      done = Status::Ok();
    } else if (w.needed > 1 && now_ms >= w.deadline) {
      ++stats_.quorum_timeouts;
      done = Status::TimedOut("quorum(" + std::to_string(w.needed) + ") not reached in time: " +
                              std::to_string(have) + " node(s) have the write durable; it is kept "
                              "locally and will still spread");
    }
    if (done) {
      outputs_.writes.push_back(WriteDone{it->first, *done});
      ForgetQuorumWrite(w.dot, it->first);
      it = pending_writes_.erase(it);
    } else {
      if (w.needed > 1) next_quorum_deadline_ = std::min(next_quorum_deadline_, w.deadline);
      ++it;
    }
  }
  MergeWriteOutputs(first, quorum_first);
  // Confirm other nodes' quorum writes that are now durable here.
  std::map<ReplicaId, DurableAckMessage> acks;
  auto keep = pending_confirms_.begin();
  for (auto& c : pending_confirms_) {
    if (c.sequence <= durable_sequence_) {
      acks[c.write.replica].writes.push_back(c.write);
    } else {
      *keep++ = c;
    }
  }
  pending_confirms_.erase(keep, pending_confirms_.end());
  for (auto& [origin, ack] : acks) {
    if (const Member* m = membership_->FindByReplica(origin)) {
      outbox_.Send(Transport::kDatagram, m->address, std::move(ack));
    }
  }
}

// ---- watches, leave, digest ------------------------------------------------------------------

uint64_t NodeCore::Watch(std::string prefix) {
  uint64_t id = next_watch_id_++;
  watches_[id] = std::move(prefix);
  return id;
}

void NodeCore::Unwatch(uint64_t watch) { watches_.erase(watch); }

void NodeCore::NotifyWatches(const std::vector<std::string>& keys) {
  if (watches_.empty()) return;
  for (const std::string& key : keys) {
    for (const auto& [id, prefix] : watches_) {
      if (key.compare(0, prefix.size(), prefix) == 0) outputs_.changes.push_back(KeyChange{id, key});
    }
  }
}

void NodeCore::SyncThroughRelay(uint64_t now_ms) {
  (void)now_ms;
  outbox_.Send(Transport::kFrame, kRelayAddress, ContextDigestMessage{map_.context(), CurrentDigest(), false});
  Flush();
}

void NodeCore::Leave(uint64_t now_ms) {
  membership_->Leave(now_ms);
  Flush();
}

Digest NodeCore::StateDigest() const {
  return digest_version_ == map_.version() ? digest_ : map_.StateDigest();
}

Digest NodeCore::CurrentDigest() {
  if (digest_version_ != map_.version()) {
    digest_ = map_.StateDigest();
    digest_version_ = map_.version();
  }
  return digest_;
}

// ---- output --------------------------------------------------------------------------------

void NodeCore::Flush() {
  auto frame = [this](const Address& to, Result<std::string> bytes) {
    if (bytes.ok()) outputs_.packets.push_back(OutgoingPacket{Transport::kFrame, to, std::move(bytes).value()});
  };
  for (Outbox::Destination& d : outbox_.Drain()) {
    if (d.transport == Transport::kFrame) {
      for (const Message& m : d.messages) frame(d.to, wire_->EncodeFrame(m));
      continue;
    }
    // Everything for this address in wire form: the messages first (probes
    // and acks lead), then what came encoded, then broadcasts piggybacked
    // into the space one datagram has left.
    std::vector<std::string> encoded;
    encoded.reserve(d.messages.size() + d.encoded.size());
    size_t used = wire_->PacketOverhead();
    for (const Message& m : d.messages) {
      encoded.push_back(EncodeMessage(m));
      used += encoded.back().size();
    }
    for (std::string& e : d.encoded) {
      used += e.size();
      encoded.push_back(std::move(e));
    }
    if (!broadcasts_.empty() && used < config_.limits.max_datagram_bytes) {
      broadcasts_.Take(config_.limits.max_datagram_bytes - used, membership_->TransmitLimit(), &encoded);
    }
    DatagramBatch batch = wire_->EncodedDatagrams(encoded);
    for (std::string& datagram : batch.datagrams) {
      outputs_.packets.push_back(OutgoingPacket{Transport::kDatagram, d.to, std::move(datagram)});
    }
    for (size_t i : batch.need_tcp) frame(d.to, wire_->EncodedFrame(encoded[i]));  // too big for UDP
  }
}

NodeOutputs NodeCore::TakeOutputs() {
  NodeOutputs out;
  TakeOutputs(&out);
  return out;
}

void NodeCore::TakeOutputs(NodeOutputs* out) {
  for (const OutgoingPacket& p : outputs_.packets) {
    ++stats_.packets_sent;
    stats_.bytes_sent += p.bytes.size();
  }
  for (MemberChange& c : membership_->TakeChanges()) outputs_.members.push_back(std::move(c));
  // Member by member: std::swap of the struct moved every vector through a
  // temporary (three moves each), on every write. outputs_ keeps the old
  // vectors' capacity.
  out->packets.clear();
  out->writes.clear();
  out->changes.clear();
  out->members.clear();
  out->packets.swap(outputs_.packets);
  out->writes.swap(outputs_.writes);
  out->changes.swap(outputs_.changes);
  out->members.swap(outputs_.members);
  out->sync_wanted = std::exchange(outputs_.sync_wanted, false);
}

void NodeCore::TakeWriteAcks(std::vector<WriteDone>* out) {
  out->clear();
  out->swap(outputs_.writes);
}

}  // namespace parley

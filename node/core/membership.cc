// Membership: probes, indirect probes, suspicion, refutation, reaping.
#include "node/core/membership.h"

#include <algorithm>

#include "protocol/message_codec.h"

namespace parley {

const char* MemberStateName(MemberState state) {
  switch (state) {
    case MemberState::kAlive: return "alive";
    case MemberState::kSuspect: return "suspect";
    case MemberState::kDead: return "dead";
    case MemberState::kLeft: return "left";
  }
  return "unknown";
}

namespace {
bool Reachable(const Member& m) { return m.state == MemberState::kAlive || m.state == MemberState::kSuspect; }
}  // namespace

Membership::Membership(const NodeConfig& config, ReplicaId self_replica, std::mt19937_64& rng,
                       Outbox& outbox, BroadcastQueue& broadcasts)
    : config_(config), rng_(rng), outbox_(outbox), broadcasts_(broadcasts) {
  Member self;
  self.name = config.name;
  self.replica = self_replica;
  self.address = config.advertise;
  self.meta = config.meta;
  Insert(std::move(self));
}

void Membership::Start(uint64_t now_ms) {
  Member& self = members_[config_.name];
  self.incarnation = now_ms;
  self.state_since_ms = now_ms;
  Broadcast(AliveOf(self), self.name);
  next_probe_at_ = now_ms + config_.timing.probe_interval_ms;
}

const Member* Membership::Find(const std::string& name) const { return Lookup(name); }

Member* Membership::Lookup(std::string_view name) const {
  return by_name_.Find(name);
}

Member& Membership::Insert(Member m) {
  std::string name = m.name;
  Member& stored = members_.emplace(name, std::move(m)).first->second;
  by_name_.Insert(stored.name, &stored);
  by_replica_[stored.replica] = &stored;
  if (stored.name != config_.name) roster_.push_back(&stored);
  ++version_;
  return stored;
}

const Member* Membership::FindByReplica(ReplicaId replica) const {
  auto it = by_replica_.find(replica);
  return it == by_replica_.end() ? nullptr : it->second;
}

void Membership::UnindexReplica(const Member& m) {
  // Another member may hold the id now (a wiped data dir reused elsewhere):
  // only this member's entry goes.
  auto it = by_replica_.find(m.replica);
  if (it != by_replica_.end() && it->second == &m) by_replica_.erase(it);
}

size_t Membership::AliveCount() const {
  size_t n = 0;
  for (const auto& [name, m] : members_) n += Reachable(m) ? 1 : 0;
  return n;
}

bool Membership::HasReachablePeer() const {
  return std::any_of(roster_.begin(), roster_.end(), [](const Member* m) { return Reachable(*m); });
}

const std::vector<const Member*>& Membership::TreeNeighbors(size_t fanout) const {
  if (tree_version_ == version_ && tree_fanout_ == fanout) return tree_neighbors_;
  tree_version_ = version_;
  tree_fanout_ = fanout;
  std::vector<const Member*> ring;  // by name, as members_ is
  size_t self = 0;
  for (const auto& [name, m] : members_) {
    if (name == config_.name) self = ring.size();
    if (name == config_.name || Reachable(m)) ring.push_back(&m);
  }
  tree_neighbors_.clear();
  if (self > 0) tree_neighbors_.push_back(ring[(self - 1) / fanout]);  // parent
  for (size_t child = self * fanout + 1; child <= self * fanout + fanout && child < ring.size(); ++child) {
    tree_neighbors_.push_back(ring[child]);
  }
  return tree_neighbors_;
}

int Membership::TransmitLimit() const {
  return BroadcastQueue::TransmitLimit(config_.timing.retransmit_mult, members_.size());
}

std::vector<const Member*> Membership::RandomPeers(size_t n, const std::string& exclude, bool include_dead) {
  // Suspects are still members (they may refute); the dead are included
  // only for gossip, so that a wrongly declared node hears it and refutes.
  auto eligible = [&](const Member& m) {
    return m.name != exclude && (Reachable(m) || (include_dead && m.state == MemberState::kDead));
  };
  std::vector<const Member*> picked;
  // A large table: draw members at random, skipping the ineligible and
  // repeats (still a uniform sample without replacement). A bounded number of
  // draws, so a table of mostly dead members falls back to the scan below.
  const size_t draws = 4 * n + 16;
  if (roster_.size() >= draws) {
    std::uniform_int_distribution<size_t> pick(0, roster_.size() - 1);
    for (size_t i = 0; i < draws && picked.size() < n; ++i) {
      const Member* m = roster_[pick(rng_)];
      if (eligible(*m) && std::find(picked.begin(), picked.end(), m) == picked.end()) picked.push_back(m);
    }
    if (picked.size() == n) return picked;
    picked.clear();
  }
  for (const auto& [name, m] : members_) {
    if (name != config_.name && eligible(m)) picked.push_back(&m);
  }
  // Partial Fisher-Yates: the first n are a uniform sample.
  size_t take = std::min(n, picked.size());
  for (size_t i = 0; i < take; ++i) {
    std::uniform_int_distribution<size_t> pick(i, picked.size() - 1);
    std::swap(picked[i], picked[pick(rng_)]);
  }
  picked.resize(take);
  return picked;
}

// ---- time ----------------------------------------------------------------------

uint64_t Membership::NextDeadline() const {
  if (leaving_) return UINT64_MAX;  // a departing node only answers
  uint64_t next = next_probe_at_;
  if (probe_ && !probe_->acked && !probe_->indirect_sent) next = std::min(next, probe_->timeout_at);
  for (const auto& [seq, relay] : relays_) next = std::min(next, relay.deadline);
  for (const auto& [name, s] : suspicions_) next = std::min(next, s.Deadline());
  // Drivers ask after every input: the earliest reap time is kept, not
  // searched for among all members (the simulator's 1000-node profile).
  return std::min(next, earliest_reap_);
}

void Membership::Tick(uint64_t now_ms) {
  if (leaving_) return;
  if (probe_ && !probe_->acked && !probe_->indirect_sent && now_ms >= probe_->timeout_at) {
    // No direct ack: ask k others to try (they may have a path we lack).
    auto helpers = RandomPeers(static_cast<size_t>(config_.timing.indirect_checks), probe_->target);
    const Member* target = Find(probe_->target);
    if (target != nullptr) {
      for (const Member* h : helpers) {
        outbox_.Send(Transport::kDatagram, h->address, PingReqMessage{probe_->seq, target->name, target->address});
      }
    }
    probe_->indirect_sent = true;
    probe_->expected_nacks = static_cast<int>(helpers.size());
  }
  if (now_ms >= next_probe_at_) {
    FinishProbe(now_ms);
    StartProbe(now_ms);
  }
  for (auto it = relays_.begin(); it != relays_.end();) {
    if (now_ms >= it->second.deadline) {
      outbox_.Send(Transport::kDatagram, it->second.requester, NackMessage{it->second.their_seq});
      it = relays_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::string> expired;
  for (const auto& [name, s] : suspicions_) {
    if (now_ms >= s.Deadline()) expired.push_back(name);
  }
  for (const std::string& name : expired) {
    Member& m = *Lookup(name);
    DeadMessage dead{m.incarnation, name, config_.name};
    ApplyDead(dead, now_ms);
  }
  if (now_ms >= earliest_reap_) {
    earliest_reap_ = UINT64_MAX;
    for (auto it = members_.begin(); it != members_.end();) {
      const Member& m = it->second;
      bool gone = m.state == MemberState::kDead || m.state == MemberState::kLeft;
      uint64_t reap_at = m.state_since_ms + config_.timing.reap_after_ms;
      if (gone && it->first != config_.name && now_ms >= reap_at) {
        roster_.erase(std::find(roster_.begin(), roster_.end(), &m));
        by_name_.Erase(m.name);
        UnindexReplica(m);
        it = members_.erase(it);
        ++version_;
        continue;
      }
      if (gone && it->first != config_.name) earliest_reap_ = std::min(earliest_reap_, reap_at);
      ++it;
    }
  }
}

std::string Membership::NextProbeTarget() {
  for (int pass = 0; pass < 2; ++pass) {
    while (probe_index_ < probe_order_.size()) {
      const std::string& name = probe_order_[probe_index_++];
      const Member* m = Find(name);
      if (m != nullptr && Reachable(*m)) return name;
    }
    // One round done: a new random order over who is there now.
    probe_order_.clear();
    probe_index_ = 0;
    for (const auto& [name, m] : members_) {
      if (name != config_.name && Reachable(m)) probe_order_.push_back(name);
    }
    std::shuffle(probe_order_.begin(), probe_order_.end(), rng_);
  }
  return {};
}

void Membership::StartProbe(uint64_t now_ms) {
  next_probe_at_ = now_ms + Scaled(config_.timing.probe_interval_ms);
  probe_.reset();
  std::string target = NextProbeTarget();
  if (target.empty()) return;
  Probe p;
  p.target = target;
  p.seq = next_seq_++;
  p.timeout_at = now_ms + Scaled(config_.timing.probe_timeout_ms);
  outbox_.Send(Transport::kDatagram, Lookup(target)->address, PingMessage{p.seq, target});
  probe_ = p;
}

void Membership::FinishProbe(uint64_t now_ms) {
  if (!probe_) return;
  Probe p = *probe_;
  probe_.reset();
  if (p.acked) return;
  // Lifeguard: a failed probe, and helpers that did not even nack, hint that
  // the problem may be here.
  AdjustHealth(1);
  if (p.indirect_sent && p.nacks < p.expected_nacks) AdjustHealth(1);
  const Member* target = Lookup(p.target);
  if (target == nullptr || !Reachable(*target)) return;
  ApplySuspect(SuspectMessage{target->incarnation, p.target, config_.name}, now_ms);
}

void Membership::AdjustHealth(int delta) {
  health_ = std::clamp(health_ + delta, 0, config_.timing.max_local_health);
}

// ---- messages --------------------------------------------------------------------

void Membership::Handle(const std::string& sender, const Address& from, const Message& message,
                        uint64_t now_ms) {
  if (const auto* ping = std::get_if<PingMessage>(&message)) {
    // A probe meant for another node at this address (e.g. a stale entry
    // after a restart under a new name) must not be acked.
    if (!ping->target.empty() && ping->target != config_.name) return;
    outbox_.Send(Transport::kDatagram, from, AckMessage{ping->seq, std::nullopt});
  } else if (const auto* req = std::get_if<PingReqMessage>(&message)) {
    uint32_t seq = next_seq_++;
    relays_[seq] = Relay{from, req->seq, now_ms + config_.timing.probe_timeout_ms};
    outbox_.Send(Transport::kDatagram, req->target_address, PingMessage{seq, req->target});
  } else if (const auto* ack = std::get_if<AckMessage>(&message)) {
    if (probe_ && probe_->seq == ack->seq && !probe_->acked) {
      probe_->acked = true;
      AdjustHealth(-1);
    }
    auto relay = relays_.find(ack->seq);
    if (relay != relays_.end()) {
      outbox_.Send(Transport::kDatagram, relay->second.requester, AckMessage{relay->second.their_seq, std::nullopt});
      relays_.erase(relay);
    }
  } else if (const auto* nack = std::get_if<NackMessage>(&message)) {
    if (probe_ && probe_->seq == nack->seq) ++probe_->nacks;
  } else if (const auto* alive = std::get_if<AliveMessage>(&message)) {
    ApplyAlive(*alive, now_ms);
  } else if (const auto* suspect = std::get_if<SuspectMessage>(&message)) {
    ApplySuspect(*suspect, now_ms);
  } else if (const auto* dead = std::get_if<DeadMessage>(&message)) {
    ApplyDead(*dead, now_ms);
  } else if (const auto* leave = std::get_if<LeaveMessage>(&message)) {
    ApplyLeave(*leave, now_ms);
  } else if (const auto* push_pull = std::get_if<PushPullMessage>(&message)) {
    Merge(sender, *push_pull, now_ms);
  }
}

void Membership::Merge(const std::string& sender, const PushPullMessage& state, uint64_t now_ms) {
  for (const MemberRecord& r : state.members) {
    switch (r.state) {
      case MemberState::kAlive:
        ApplyAlive(AliveMessage{r.incarnation, r.name, r.replica, r.address, r.meta}, now_ms);
        break;
      case MemberState::kSuspect:
      case MemberState::kDead:
        // Another node's verdict is only a suspicion here (as memberlist
        // does): we check for ourselves before declaring anyone dead. An
        // unknown member is first learned as alive so it can be checked.
        if (Find(r.name) == nullptr && r.name != config_.name) {
          ApplyAlive(AliveMessage{r.incarnation, r.name, r.replica, r.address, r.meta}, now_ms);
        }
        ApplySuspect(SuspectMessage{r.incarnation, r.name, sender}, now_ms);
        break;
      case MemberState::kLeft:
        ApplyLeave(LeaveMessage{r.incarnation, r.name}, now_ms);
        break;
    }
  }
}

PushPullMessage Membership::Snapshot(bool join) const {
  PushPullMessage out;
  out.join = join;
  for (const auto& [name, m] : members_) {
    out.members.push_back(MemberRecord{m.name, m.replica, m.address, m.incarnation, m.state, m.meta});
  }
  return out;
}

AliveMessage Membership::AliveOf(const Member& m) const {
  return AliveMessage{m.incarnation, m.name, m.replica, m.address, m.meta};
}

void Membership::Broadcast(Message message, const std::string& subject) {
  broadcasts_.Push(EncodeMessage(message), subject);
}

void Membership::SetState(Member& m, MemberState state, uint64_t incarnation, uint64_t now_ms) {
  bool changed = m.state != state;
  m.incarnation = incarnation;
  if (changed) {
    m.state = state;
    m.state_since_ms = now_ms;
    ++version_;
  }
  if (state != MemberState::kSuspect) suspicions_.erase(m.name);
  if (changed) changes_.push_back(MemberChange{m.name, state, incarnation, now_ms});
  if (changed && (state == MemberState::kDead || state == MemberState::kLeft)) {
    earliest_reap_ = std::min(earliest_reap_, m.state_since_ms + config_.timing.reap_after_ms);
  }
}

void Membership::Refute(uint64_t accused_incarnation, uint64_t now_ms) {
  Member& self = members_[config_.name];
  self.incarnation = std::max(self.incarnation, accused_incarnation) + 1;
  self.state = MemberState::kAlive;
  (void)now_ms;
  AdjustHealth(1);  // being suspected hints that this node is slow
  Broadcast(AliveOf(self), self.name);
}

void Membership::ApplyAlive(const AliveMessage& a, uint64_t now_ms) {
  if (a.member == config_.name) {
    // Someone believes in a newer life of this name than ours: outrank it.
    if (!leaving_ && a.incarnation > self().incarnation) Refute(a.incarnation, now_ms);
    return;
  }
  Member* found = Lookup(a.member);
  if (found == nullptr) {
    Member m;
    m.name = a.member;
    m.replica = a.replica;
    m.address = a.address;
    m.meta = a.meta;
    m.incarnation = a.incarnation;
    m.state = MemberState::kAlive;
    m.state_since_ms = now_ms;
    Insert(std::move(m));
    changes_.push_back(MemberChange{a.member, MemberState::kAlive, a.incarnation, now_ms});
    arrivals_.push_back(a.member);
    Broadcast(a, a.member);
    return;
  }
  Member& m = *found;
  if (a.incarnation <= m.incarnation) return;
  if (m.replica != a.replica) {
    UnindexReplica(m);
    m.replica = a.replica;
    by_replica_[m.replica] = &m;
  }
  if (m.address != a.address) ++version_;
  m.address = a.address;
  m.meta = a.meta;
  if (!Reachable(m)) arrivals_.push_back(a.member);
  SetState(m, MemberState::kAlive, a.incarnation, now_ms);
  Broadcast(a, a.member);
}

void Membership::ApplySuspect(const SuspectMessage& s, uint64_t now_ms) {
  if (s.member == config_.name) {
    if (!leaving_ && s.incarnation >= self().incarnation) Refute(s.incarnation, now_ms);
    return;
  }
  Member* found = Lookup(s.member);
  if (found == nullptr) return;
  Member& m = *found;
  if (!Reachable(m) || s.incarnation < m.incarnation) return;
  if (m.state == MemberState::kSuspect && s.incarnation == m.incarnation) {
    auto sus = suspicions_.find(s.member);
    if (sus != suspicions_.end() && sus->second.Confirm(s.from)) Broadcast(s, s.member);
    return;
  }
  size_t n = AliveCount();
  uint64_t min_ms = Suspicion::MinTimeout(config_.timing.suspicion_mult, n, config_.timing.probe_interval_ms);
  auto max_ms = static_cast<uint64_t>(config_.timing.suspicion_max_mult * static_cast<double>(min_ms));
  SetState(m, MemberState::kSuspect, s.incarnation, now_ms);
  suspicions_.erase(s.member);
  suspicions_.emplace(s.member, Suspicion(s.from, now_ms, min_ms, max_ms, config_.timing.suspicion_confirmations));
  Broadcast(s, s.member);
}

void Membership::ApplyDead(const DeadMessage& d, uint64_t now_ms) {
  if (d.member == config_.name) {
    if (!leaving_) Refute(d.incarnation, now_ms);
    return;
  }
  Member* found = Lookup(d.member);
  if (found == nullptr) return;
  Member& m = *found;
  if (!Reachable(m) || d.incarnation < m.incarnation) return;
  SetState(m, MemberState::kDead, d.incarnation, now_ms);
  Broadcast(d, d.member);
}

void Membership::ApplyLeave(const LeaveMessage& l, uint64_t now_ms) {
  if (l.member == config_.name) {
    // An echo of our own leave from an earlier life: refute it.
    if (!leaving_ && l.incarnation >= self().incarnation) Refute(l.incarnation, now_ms);
    return;
  }
  Member* found = Lookup(l.member);
  if (found == nullptr) return;
  Member& m = *found;
  if (m.state == MemberState::kLeft || l.incarnation < m.incarnation) return;
  SetState(m, MemberState::kLeft, l.incarnation, now_ms);
  Broadcast(l, l.member);
}

void Membership::Leave(uint64_t now_ms) {
  Member& self = members_[config_.name];
  leaving_ = true;
  SetState(self, MemberState::kLeft, self.incarnation, now_ms);
  LeaveMessage leave{self.incarnation, self.name};
  for (const Member* peer : RandomPeers(static_cast<size_t>(config_.timing.gossip_fanout) + 1)) {
    outbox_.Send(Transport::kDatagram, peer->address, leave);
  }
  Broadcast(leave, self.name);
}

}  // namespace parley

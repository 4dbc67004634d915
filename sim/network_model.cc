// NetworkModel: latency, loss, duplication, reordering and cuts per link.
#include "sim/network_model.h"

#include <algorithm>
#include <cmath>

namespace parley::sim {

NetworkModel::NetworkModel(uint64_t seed, size_t nodes, LinkParams defaults)
    : seed_(seed), nodes_(nodes), defaults_(defaults), blocked_(nodes * nodes, 0), node_epoch_(nodes, 0) {}

NetworkModel::Link& NetworkModel::LinkOf(size_t from, size_t to) {
  uint64_t id = static_cast<uint64_t>(from) * nodes_ + to;
  auto it = links_.find(id);
  if (it == links_.end()) {
    it = links_.emplace(id, Link{}).first;
    it->second.random = SimRandom(DeriveSeed(seed_, Stream::kLink, id));
  }
  return it->second;
}

const NetworkModel::Link* NetworkModel::FindLink(size_t from, size_t to) const {
  auto it = links_.find(static_cast<uint64_t>(from) * nodes_ + to);
  return it == links_.end() ? nullptr : &it->second;
}

void NetworkModel::SetBlocked(size_t from, size_t to, bool blocked) {
  uint8_t& cell = blocked_[from * nodes_ + to];
  if ((cell != 0) == blocked) return;
  cell = blocked ? 1 : 0;
  cuts_ += blocked ? 1 : static_cast<size_t>(-1);
  // A TCP connection needs both directions: a cut either way breaks the
  // connection of both directions, and a healed one is a new connection.
  ++LinkOf(from, to).cut_epoch;
  ++LinkOf(to, from).cut_epoch;
}

void NetworkModel::SetDirectionalLoss(size_t from, size_t to, double loss) { LinkOf(from, to).extra_loss = loss; }

void NetworkModel::SetLinkParams(size_t from, size_t to, const LinkParams& params) {
  Link& link = LinkOf(from, to);
  link.has_params = true;
  link.params = params;
}

void NetworkModel::HealAll() {
  for (size_t from = 0; from < nodes_; ++from) {
    for (size_t to = 0; to < nodes_; ++to) SetBlocked(from, to, false);
  }
  for (auto& [id, link] : links_) {
    link.extra_loss = 0;
    link.has_params = false;
  }
}

uint64_t NetworkModel::ConnectionOf(size_t from, size_t to) const {
  // A connection is identified by the epochs that end it: either end's
  // crashes and the pair's cuts. Packed into one number (each part is small).
  const Link* link = FindLink(from, to);
  uint64_t cut = link != nullptr ? link->cut_epoch : 0;
  return (node_epoch_[from] << 42) ^ (node_epoch_[to] << 21) ^ cut;
}

bool NetworkModel::StillConnected(size_t from, size_t to, uint64_t connection) const {
  return !Blocked(from, to) && !Blocked(to, from) && ConnectionOf(from, to) == connection;
}

uint64_t NetworkModel::LatencyUs(Link& link, const LinkParams& p) {
  double ms = p.latency_ms;
  if (p.jitter_ms > 0) {
    ms += p.jitter == JitterKind::kUniform ? link.random.Unit() * p.jitter_ms
                                           : link.random.Exponential(p.jitter_ms);
  }
  return static_cast<uint64_t>(std::llround(std::max(ms, 0.001) * 1000));
}

NetworkModel::Route NetworkModel::Send(size_t from, size_t to, Transport transport, uint64_t now_us) {
  Route route;
  Link& link = LinkOf(from, to);
  const LinkParams& p = link.has_params ? link.params : defaults_;
  if (transport == Transport::kFrame) {
    if (Blocked(from, to) || Blocked(to, from)) {
      ++dropped_;  // connect fails or the connection is broken
      return route;
    }
    // In order per connection: never before the previous frame.
    uint64_t at = std::max(now_us + LatencyUs(link, p), link.last_frame_us + 1);
    link.last_frame_us = at;
    route.deliveries[route.count++] = Delivery{at, ConnectionOf(from, to)};
    return route;
  }
  if (Blocked(from, to) || link.random.Chance(p.loss) || link.random.Chance(link.extra_loss)) {
    ++dropped_;
    return route;
  }
  int copies = link.random.Chance(p.duplicate) ? 2 : 1;
  if (copies == 2) ++duplicated_;
  for (int i = 0; i < copies; ++i) {
    uint64_t at = now_us + LatencyUs(link, p);
    if (link.random.Chance(p.reorder)) at += static_cast<uint64_t>(p.reorder_ms * 1000);
    route.deliveries[route.count++] = Delivery{at, 0};
  }
  return route;
}

}  // namespace parley::sim

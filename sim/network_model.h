// NetworkModel: what happens to each packet between two simulated nodes.
//
// Datagrams (UDP) may be lost, duplicated, delayed by a random latency and
// therefore reordered; frames (TCP) are ordered and reliable per directed
// pair while the connection lives. A connection dies when the pair is cut
// in either direction (TCP needs both ways) or when either end crashes;
// frames still in flight on a dead connection are dropped, as the bytes in
// a broken socket's buffers are.
//
// Connectivity is a matrix of blocked directed pairs, so any partition shape
// can be expressed: groups, an isolated node, a one-way cut, a bridge node
// that sees both sides. Each directed link has its own random stream
// (DeriveSeed(seed, kLink, from * n + to)), created on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "protocol/envelope.h"  // Transport
#include "sim/random.h"

namespace parley::sim {

enum class JitterKind { kUniform, kExponential };

struct LinkParams {
  double latency_ms = 1.0;  // base one-way latency
  double jitter_ms = 0.0;   // uniform in [0, jitter) or exponential with this mean
  JitterKind jitter = JitterKind::kUniform;
  double loss = 0.0;        // datagrams only
  double duplicate = 0.0;   // datagrams only
  double reorder = 0.0;     // chance a datagram is held back by reorder_ms extra
  double reorder_ms = 5.0;
};

class NetworkModel {
 public:
  NetworkModel(uint64_t seed, size_t nodes, LinkParams defaults);

  // ---- connectivity -----------------------------------------------------
  void SetBlocked(size_t from, size_t to, bool blocked);
  bool Blocked(size_t from, size_t to) const { return blocked_[from * nodes_ + to] != 0; }
  // Extra datagram loss on one direction (asymmetric loss); 0 removes it.
  void SetDirectionalLoss(size_t from, size_t to, double loss);
  // Replaces the parameters of one directed link.
  void SetLinkParams(size_t from, size_t to, const LinkParams& params);
  // Removes every cut, every directional loss and every per-link override.
  void HealAll();
  bool AnyCut() const { return cuts_ > 0; }
  // Kills every connection of `node` (it crashed or restarted).
  void BreakConnections(size_t node) { ++node_epoch_[node]; }

  // ---- sending ----------------------------------------------------------
  // A packet's fate: up to two deliveries (a duplicate), each with its time
  // and the connection it was sent on.
  struct Delivery {
    uint64_t at_us;
    uint64_t connection;  // for frames; see StillConnected
  };
  struct Route {
    int count = 0;
    Delivery deliveries[2];
  };
  Route Send(size_t from, size_t to, Transport transport, uint64_t now_us);
  // Whether a frame sent on `connection` may still be delivered.
  bool StillConnected(size_t from, size_t to, uint64_t connection) const;

  uint64_t dropped() const { return dropped_; }
  uint64_t duplicated() const { return duplicated_; }

 private:
  struct Link {
    SimRandom random;
    uint64_t last_frame_us = 0;  // frames on one connection arrive in order
    uint64_t cut_epoch = 0;      // bumped whenever the pair is cut
    double extra_loss = 0;
    bool has_params = false;
    LinkParams params;
  };
  Link& LinkOf(size_t from, size_t to);
  const Link* FindLink(size_t from, size_t to) const;
  uint64_t ConnectionOf(size_t from, size_t to) const;
  uint64_t LatencyUs(Link& link, const LinkParams& p);

  uint64_t seed_;
  size_t nodes_;
  LinkParams defaults_;
  std::vector<uint8_t> blocked_;  // nodes x nodes
  size_t cuts_ = 0;
  std::vector<uint64_t> node_epoch_;
  std::unordered_map<uint64_t, Link> links_;
  uint64_t dropped_ = 0, duplicated_ = 0;
};

}  // namespace parley::sim

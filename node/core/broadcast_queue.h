// BroadcastQueue: messages that ride on other traffic a limited number of times.
//
// Membership updates (and small deltas) are not sent on their own: each
// outgoing datagram takes as many queued broadcasts as fit, least-sent first.
// A broadcast is dropped after `limit` transmissions, where the limit grows
// with log(cluster size) so an update reaches everyone with high probability
// (SWIM's infection-style dissemination). A newer broadcast about the same
// subject (a member's name) replaces an older one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/message.h"

namespace parley {

class BroadcastQueue {
 public:
  // Broadcasts without a subject (piggybacked deltas) beyond this many push
  // out the oldest: with no peers to take them (a node alone, or cut off)
  // the queue would otherwise grow without bound. Dropping a delta here is
  // safe: anti-entropy delivers it later.
  static constexpr size_t kMaxUnnamed = 1024;

  // Queues `message`. If `subject` is set, an earlier broadcast with the same
  // subject is dropped (it is superseded).
  void Push(Message message, size_t encoded_bytes, std::optional<std::string> subject);

  // Takes broadcasts totalling at most `budget` encoded bytes, preferring
  // those sent least, and counts one transmission for each. `limit` is the
  // number of transmissions after which a broadcast is retired.
  std::vector<Message> Take(size_t budget, int limit);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  // The transmit limit for a cluster of `members` nodes.
  static int TransmitLimit(int retransmit_mult, size_t members);

 private:
  struct Item {
    Message message;
    size_t bytes;
    std::optional<std::string> subject;
    int transmits = 0;
  };
  // (transmits, newest first): the order in which Take() offers items.
  using Rank = std::pair<int, uint64_t>;
  static Rank RankOf(uint64_t order, int transmits) { return {transmits, UINT64_MAX - order}; }
  void Remove(std::map<uint64_t, Item>::iterator it);

  // Every operation is O(log n) or O(taken): with 1000 members each node
  // holds about a thousand alive broadcasts at once, and sorting or scanning
  // them per datagram dominated the simulator's profile.
  std::map<uint64_t, Item> items_;  // by insertion order
  std::map<Rank, Item*> rank_;  // points into items_ (map nodes are stable)
  std::unordered_map<std::string, uint64_t> by_subject_;
  std::set<uint64_t> unnamed_;  // insertion orders of items without a subject
  uint64_t next_order_ = 0;
};

}  // namespace parley

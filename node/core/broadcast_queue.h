// BroadcastQueue: messages that ride on other traffic a limited number of times.
//
// Membership updates (and small deltas) are not sent on their own: each
// outgoing datagram takes as many queued broadcasts as fit, least-sent first.
// A broadcast is dropped after `limit` transmissions, where the limit grows
// with log(cluster size) so an update reaches everyone with high probability
// (SWIM's infection-style dissemination). A newer broadcast about the same
// subject (a member's name) replaces an older one.
//
// Broadcasts are queued in their wire form (message_codec.h): a packet body
// is messages back to back, so the packer appends them as they are. Each one
// goes out limit times (16 at 1000 members), so encoding it once spares a
// Message copy and an encode per transmission. (What Take() still costs in
// the 1000-node simulator is the walk down the tree: a cache miss per item.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace parley {

class BroadcastQueue {
 public:
  // Broadcasts without a subject (piggybacked deltas) beyond this many push
  // out the oldest: with no peers to take them (a node alone, or cut off)
  // the queue would otherwise grow without bound. Dropping a delta here is
  // safe: anti-entropy delivers it later.
  static constexpr size_t kMaxUnnamed = 1024;

  // Queues one encoded message (EncodeMessage). If `subject` is set, an
  // earlier broadcast with the same subject is dropped (it is superseded).
  void Push(std::string encoded, std::optional<std::string> subject);

  // Appends to `*out` encoded broadcasts totalling at most `budget` bytes,
  // preferring those sent least, and counts one transmission for each.
  // `limit` is the number of transmissions after which a broadcast is
  // retired. Returns how many were appended.
  size_t Take(size_t budget, int limit, std::vector<std::string>* out);

  size_t size() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }

  // The transmit limit for a cluster of `members` nodes.
  static int TransmitLimit(int retransmit_mult, size_t members);

 private:
  // (transmits, newest first): the order in which Take() offers items.
  using Rank = std::pair<int, uint64_t>;
  static Rank RankOf(uint64_t order, int transmits) { return {transmits, UINT64_MAX - order}; }
  static uint64_t OrderOf(const Rank& rank) { return UINT64_MAX - rank.second; }
  struct Item {
    std::string encoded;
    std::optional<std::string> subject;
  };
  using Queue = std::map<Rank, Item>;
  void Remove(Queue::iterator it);

  // Every operation is O(log n) or O(taken): with 1000 members each node
  // holds about a thousand alive broadcasts at once, and sorting or scanning
  // them per datagram dominated the simulator's profile. A transmission
  // re-ranks an item by moving its node (extract/insert), so Take allocates
  // nothing but the copies it hands out; the indexes below point at the
  // queue's elements, which stay put when their node moves.
  Queue queue_;
  std::unordered_map<std::string, Queue::value_type*> by_subject_;
  std::map<uint64_t, Queue::value_type*> unnamed_;  // by insertion order, oldest first
  uint64_t next_order_ = 0;
};

}  // namespace parley

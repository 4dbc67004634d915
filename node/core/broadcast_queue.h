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
// Message copy and an encode per transmission.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
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

  // Every item is in exactly one of the two indexes.
  size_t size() const { return by_subject_.size() + unnamed_.size(); }
  bool empty() const { return size() == 0; }

  // The transmit limit for a cluster of `members` nodes.
  static int TransmitLimit(int retransmit_mult, size_t members);

 private:
  struct Item {
    std::string encoded;
    std::optional<std::string> subject;
    uint64_t order = 0;  // Push() order: newer is larger
    int transmits = 0;
  };
  // An item in its bucket, which owns it, with what Take() checks before it
  // reads the item itself.
  struct Entry {
    uint64_t order;
    size_t bytes;
    std::unique_ptr<Item> item;
  };
  // The items sent `t` times, oldest first, so that Push() appends; Take()
  // walks bucket 0 from its end, then bucket 1 from its end, and so on.
  using Bucket = std::vector<Entry>;
  void Remove(Item* item);
  void Unindex(const Item& item);  // from by_subject_ or unnamed_
  // Moves the entries of bucket `t` at `positions` (ascending) into bucket
  // t + 1, in order, or retires them if they reach `limit`.
  void Promote(size_t t, const std::vector<size_t>& positions, int limit);

  // Take() reads the buckets' flat arrays and touches only the items it
  // takes: with 1000 members each node holds about a thousand alive
  // broadcasts at once, and the ordered map this replaces cost a cache miss
  // per item walked and a tree descent per re-ranked one (a fifth of a
  // 1000-node fleet's join). The indexes point at items, which stay put
  // when their entries move.
  std::vector<Bucket> buckets_;
  std::unordered_map<std::string, Item*> by_subject_;
  std::map<uint64_t, Item*> unnamed_;  // by insertion order, oldest first
  uint64_t next_order_ = 0;
};

}  // namespace parley

// BroadcastQueue: least-sent-first piggybacking with a transmit limit.
#include "node/core/broadcast_queue.h"

#include <algorithm>
#include <cmath>

namespace parley {
namespace {
// Take() stops looking for a smaller broadcast that still fits after this
// many in a row did not: the datagram is as good as full.
constexpr int kMaxMisses = 32;
}  // namespace

void BroadcastQueue::Push(Message message, size_t encoded_bytes, std::optional<std::string> subject) {
  uint64_t order = next_order_++;
  if (subject) {
    auto [it, fresh] = by_subject_.try_emplace(*subject, order);
    if (!fresh) {
      Remove(items_.find(it->second));
      by_subject_[*subject] = order;
    }
  } else {
    unnamed_.insert(order);
    if (unnamed_.size() > kMaxUnnamed) Remove(items_.find(*unnamed_.begin()));
  }
  Item& item = items_.emplace(order, Item{std::move(message), encoded_bytes, std::move(subject), 0}).first->second;
  rank_.emplace(RankOf(order, 0), &item);
}

void BroadcastQueue::Remove(std::map<uint64_t, Item>::iterator it) {
  rank_.erase(RankOf(it->first, it->second.transmits));
  if (it->second.subject) {
    by_subject_.erase(*it->second.subject);
  } else {
    unnamed_.erase(it->first);
  }
  items_.erase(it);
}

std::vector<Message> BroadcastQueue::Take(size_t budget, int limit) {
  std::vector<Message> out;
  std::vector<uint64_t> taken;
  int misses = 0;
  for (auto r = rank_.begin(); r != rank_.end() && budget > 0 && misses < kMaxMisses; ++r) {
    uint64_t order = UINT64_MAX - r->first.second;
    const Item& item = *r->second;
    if (item.bytes > budget) {
      ++misses;
      continue;
    }
    misses = 0;
    budget -= item.bytes;
    out.push_back(item.message);
    taken.push_back(order);
  }
  // Re-ranked after the walk, so an item is never offered twice in one Take.
  for (uint64_t order : taken) {
    auto it = items_.find(order);
    rank_.erase(RankOf(order, it->second.transmits));
    if (++it->second.transmits >= limit) {
      Remove(it);  // its rank is already gone
    } else {
      rank_.emplace(RankOf(order, it->second.transmits), &it->second);
    }
  }
  return out;
}

int BroadcastQueue::TransmitLimit(int retransmit_mult, size_t members) {
  double scale = std::ceil(std::log10(static_cast<double>(members) + 1));
  return std::max(1, retransmit_mult * static_cast<int>(std::max(1.0, scale)));
}

}  // namespace parley

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

void BroadcastQueue::Push(std::string encoded, std::optional<std::string> subject) {
  uint64_t order = next_order_++;
  if (subject) {
    auto old = by_subject_.find(*subject);
    if (old != by_subject_.end()) Remove(queue_.find(old->second->first));
  } else if (unnamed_.size() >= kMaxUnnamed) {
    Remove(queue_.find(unnamed_.begin()->second->first));
  }
  auto it = queue_.emplace(RankOf(order, 0), Item{std::move(encoded), std::move(subject)}).first;
  if (it->second.subject) {
    by_subject_[*it->second.subject] = &*it;
  } else {
    unnamed_.emplace(order, &*it);
  }
}

void BroadcastQueue::Remove(Queue::iterator it) {
  if (it->second.subject) {
    by_subject_.erase(*it->second.subject);
  } else {
    unnamed_.erase(OrderOf(it->first));
  }
  queue_.erase(it);
}

size_t BroadcastQueue::Take(size_t budget, int limit, std::vector<std::string>* out) {
  std::vector<Queue::iterator> taken;
  int misses = 0;
  for (auto it = queue_.begin(); it != queue_.end() && budget > 0 && misses < kMaxMisses; ++it) {
    const std::string& encoded = it->second.encoded;
    if (encoded.size() > budget) {
      ++misses;
      continue;
    }
    misses = 0;
    budget -= encoded.size();
    out->push_back(encoded);
    taken.push_back(it);
  }
  // Re-ranked after the walk, so an item is never offered twice in one Take.
  // Extracting one node leaves the other iterators valid.
  for (Queue::iterator it : taken) {
    if (it->first.first + 1 >= limit) {
      Remove(it);
      continue;
    }
    Queue::node_type node = queue_.extract(it);
    ++node.key().first;
    queue_.insert(std::move(node));
  }
  return taken.size();
}

int BroadcastQueue::TransmitLimit(int retransmit_mult, size_t members) {
  double scale = std::ceil(std::log10(static_cast<double>(members) + 1));
  return std::max(1, retransmit_mult * static_cast<int>(std::max(1.0, scale)));
}

}  // namespace parley

// BroadcastQueue: least-sent-first piggybacking with a transmit limit.
#include "node/core/broadcast_queue.h"

#include <algorithm>
#include <cmath>
#include <iterator>

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
    if (old != by_subject_.end()) Remove(old->second);
  } else if (unnamed_.size() >= kMaxUnnamed) {
    Remove(unnamed_.begin()->second);
  }
  auto item = std::make_unique<Item>();
  item->encoded = std::move(encoded);
  item->subject = std::move(subject);
  item->order = order;
  if (item->subject) {
    by_subject_[*item->subject] = item.get();
  } else {
    unnamed_.emplace(order, item.get());
  }
  if (buckets_.empty()) buckets_.emplace_back();
  const size_t bytes = item->encoded.size();
  buckets_[0].push_back(Entry{order, bytes, std::move(item)});  // the newest of all
}

void BroadcastQueue::Remove(Item* item) {
  Bucket& bucket = buckets_[static_cast<size_t>(item->transmits)];
  auto it = std::lower_bound(bucket.begin(), bucket.end(), item->order,
                             [](const Entry& e, uint64_t order) { return e.order < order; });
  Unindex(*item);
  bucket.erase(it);  // frees the item
}

void BroadcastQueue::Unindex(const Item& item) {
  if (item.subject) {
    by_subject_.erase(*item.subject);
  } else {
    unnamed_.erase(item.order);
  }
}

size_t BroadcastQueue::Take(size_t budget, int limit, std::vector<std::string>* out) {
  std::vector<std::pair<size_t, size_t>> taken;  // (bucket, position), as walked
  int misses = 0;
  for (size_t t = 0; t < buckets_.size() && budget > 0 && misses < kMaxMisses; ++t) {
    const Bucket& bucket = buckets_[t];
    for (size_t i = bucket.size(); i-- > 0 && budget > 0 && misses < kMaxMisses;) {
      if (bucket[i].bytes > budget) {
        ++misses;
        continue;
      }
      misses = 0;
      budget -= bucket[i].bytes;
      out->push_back(bucket[i].item->encoded);
      taken.emplace_back(t, i);
    }
  }
  // Re-ranked after the walk, so an item is never offered twice in one
  // Take; the highest bucket first, so that what moves up into a bucket is
  // not among the positions taken from it. Read backwards, each bucket's
  // positions come in ascending order.
  std::vector<size_t> positions;
  for (size_t end = taken.size(); end > 0;) {
    const size_t t = taken[end - 1].first;
    positions.clear();
    while (end > 0 && taken[end - 1].first == t) positions.push_back(taken[--end].second);
    Promote(t, positions, limit);
  }
  return taken.size();
}

void BroadcastQueue::Promote(size_t t, const std::vector<size_t>& positions, int limit) {
  // Out of bucket t in one pass that closes the gaps.
  std::vector<Entry> moving;
  moving.reserve(positions.size());
  {
    Bucket& from = buckets_[t];
    size_t next = 0;
    size_t kept = positions.front();
    for (size_t i = positions.front(); i < from.size(); ++i) {
      if (next < positions.size() && positions[next] == i) {
        moving.push_back(std::move(from[i]));
        ++next;
      } else {
        from[kept++] = std::move(from[i]);
      }
    }
    from.resize(kept);
    // Broadcasts pass through the buckets in waves (a fleet's join sends a
    // thousand through each), so a bucket gives back what a wave left.
    if (from.capacity() > 4 * from.size() + 16) {
      Bucket(std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())).swap(from);
    }
  }
  if (static_cast<int64_t>(t) + 1 >= limit) {
    for (const Entry& e : moving) Unindex(*e.item);
    return;  // `moving` frees them
  }
  if (buckets_.size() < t + 2) buckets_.resize(t + 2);
  Bucket& to = buckets_[t + 1];
  const auto mid = static_cast<std::ptrdiff_t>(to.size());
  for (Entry& e : moving) {
    e.item->transmits = static_cast<int>(t + 1);
    to.push_back(std::move(e));
  }
  std::inplace_merge(to.begin(), to.begin() + mid, to.end(),
                     [](const Entry& a, const Entry& b) { return a.order < b.order; });
}

int BroadcastQueue::TransmitLimit(int retransmit_mult, size_t members) {
  double scale = std::ceil(std::log10(static_cast<double>(members) + 1));
  return std::max(1, retransmit_mult * static_cast<int>(std::max(1.0, scale)));
}

}  // namespace parley

// SlotIndex: bucketed sorted sequences of (counter, slot) per replica.
#include "storage/slot_index.h"

#include <algorithm>
#include <cassert>

namespace parley {

size_t SlotIndex::FirstBucketFrom(const Buckets& buckets, uint64_t counter) {
  auto it = std::partition_point(buckets.begin(), buckets.end(),
                                 [counter](const Bucket& b) { return b.back().counter < counter; });
  return static_cast<size_t>(it - buckets.begin());
}

size_t SlotIndex::Probe(ReplicaId replica) const {
  size_t mask = table_.size() - 1;
  // Fibonacci hashing: replica ids are random, but a test's may be 1, 2, 3.
  size_t i = static_cast<size_t>((replica * 0x9E3779B97F4A7C15ull) >> 20) & mask;
  while (table_[i].first != replica && table_[i].first != 0) i = (i + 1) & mask;
  return i;
}

const SlotIndex::Buckets* SlotIndex::Find(ReplicaId replica) const {
  if (replica == 0) return &zero_;
  if (table_.empty()) return nullptr;
  const auto& place = table_[Probe(replica)];
  return place.first == replica ? &place.second : nullptr;
}

SlotIndex::Buckets& SlotIndex::Of(ReplicaId replica) {
  if (replica == 0) return zero_;
  if (2 * (replicas_ + 1) > table_.size()) {
    std::vector<std::pair<ReplicaId, Buckets>> old(std::max<size_t>(16, 2 * table_.size()));
    old.swap(table_);
    for (auto& place : old) {
      if (place.first != 0) table_[Probe(place.first)] = std::move(place);
    }
  }
  auto& place = table_[Probe(replica)];
  if (place.first == 0) {
    place.first = replica;
    ++replicas_;
  }
  return place.second;
}

void SlotIndex::Add(ReplicaId replica, uint64_t counter, Ref ref) { Insert(Of(replica), counter, ref); }

void SlotIndex::Insert(Buckets& buckets, uint64_t counter, Ref ref) {
  ++size_;
  if (buckets.empty() || buckets.back().back().counter <= counter) {
    // A new event: the replica's newest counter goes last.
    // A full bucket before this one means a busy replica: its next bucket
    // gets its full size at once. A replica's first bucket grows as needed,
    // because a map sees every writer of the fleet, most with a handful of
    // events: reserving 128 items (2 KB) for each of 1000 writers cost 2 MB
    // per replica of the map (2 GB in the 1000-node simulator).
    if (buckets.empty()) {
      buckets.emplace_back();
    } else if (buckets.back().size() >= kBucketMax) {
      buckets.emplace_back().reserve(kBucketMax);
    }
    buckets.back().push_back(Item{counter, ref});
    return;
  }
  // Out of order (a delta or chunk that arrived late): after the items with
  // the same counter, in the first bucket ending above it.
  auto b = std::partition_point(buckets.begin(), buckets.end(),
                                [counter](const Bucket& x) { return x.back().counter <= counter; });
  Bucket& bucket = *b;
  auto pos = std::partition_point(bucket.begin(), bucket.end(),
                                  [counter](const Item& item) { return item.counter <= counter; });
  bucket.insert(pos, Item{counter, ref});
  if (bucket.size() > kBucketMax) {
    Bucket tail(bucket.begin() + kBucketMax / 2, bucket.end());
    bucket.erase(bucket.begin() + kBucketMax / 2, bucket.end());
    buckets.insert(b + 1, std::move(tail));
  }
}

bool SlotIndex::Remove(Buckets& buckets, uint64_t counter, Ref ref) {
  // Items with one counter (the slots of one batch) may span buckets.
  for (size_t b = FirstBucketFrom(buckets, counter); b < buckets.size(); ++b) {
    Bucket& bucket = buckets[b];
    auto it = std::partition_point(bucket.begin(), bucket.end(),
                                   [counter](const Item& item) { return item.counter < counter; });
    for (; it != bucket.end() && it->counter == counter; ++it) {
      if (it->ref == ref) {
        bucket.erase(it);
        --size_;
        Rebalance(buckets, b);
        return true;
      }
    }
    if (it != bucket.end()) break;  // past `counter`
  }
  return false;
}

void SlotIndex::Rebalance(Buckets& buckets, size_t b) {
  if (buckets[b].empty()) {
    buckets.erase(buckets.begin() + static_cast<ptrdiff_t>(b));
    return;
  }
  if (buckets[b].size() > kBucketMax / 4) return;
  // Merge into a neighbour that has room; otherwise leave it.
  if (b + 1 < buckets.size() && buckets[b].size() + buckets[b + 1].size() <= kBucketMax) {
    buckets[b].insert(buckets[b].end(), buckets[b + 1].begin(), buckets[b + 1].end());
    buckets.erase(buckets.begin() + static_cast<ptrdiff_t>(b + 1));
  } else if (b > 0 && buckets[b - 1].size() + buckets[b].size() <= kBucketMax) {
    buckets[b - 1].insert(buckets[b - 1].end(), buckets[b].begin(), buckets[b].end());
    buckets.erase(buckets.begin() + static_cast<ptrdiff_t>(b));
  }
}

void SlotIndex::Move(ReplicaId replica, uint64_t old_counter, uint64_t counter, Ref ref) {
  Buckets& buckets = Of(replica);
  // A slot that was already the replica's newest event (a key one replica
  // keeps rewriting) stays last: change its counter in place.
  if (!buckets.empty()) {
    Item& newest = buckets.back().back();
    if (newest.ref == ref && newest.counter == old_counter && counter >= old_counter) {
      newest.counter = counter;
      return;
    }
  }
  bool removed = Remove(buckets, old_counter, ref);
  assert(removed && "a slot's old clock entry must be indexed");
  (void)removed;
  Insert(buckets, counter, ref);
}

}  // namespace parley

// SlotIndex: (replica, counter) -> slots, the index CrdtMap::Diff() walks.
//
// Every slot appears once per entry of its clock, at that entry's counter,
// so a peer lacking a range of a replica's counters gets exactly the slots
// whose newest event of that replica falls in the range (see crdt_map.h).
//
// Why not a std::multimap: a node per slot costs 80 bytes, the largest single
// item of a register key's footprint. Here each replica's items are one
// sorted sequence cut into buckets of at most kBucketMax (16 B per item, no
// per-item allocation). New events carry the replica's newest counter and
// append to the last bucket; an out-of-order insert or a removal moves at
// most one bucket's items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "storage/dot.h"

namespace parley {

class SlotIndex {
 public:
  // A slot handle chosen by the map: any non-zero value, stable while indexed.
  using Ref = uintptr_t;

  void Add(ReplicaId replica, uint64_t counter, Ref ref);
  // Moves `ref` from `old_counter` to `counter` (its clock entry grew).
  void Move(ReplicaId replica, uint64_t old_counter, uint64_t counter, Ref ref);

  // Calls fn(counter, ref) for every item of `replica` with counter in
  // [first, last], in counter order. The index must not change meanwhile.
  template <typename Fn>
  void ForEach(ReplicaId replica, uint64_t first, uint64_t last, Fn fn) const;

  // Calls fn(replica) once for every replica with items, in no set order.
  template <typename Fn>
  void ForEachReplica(Fn fn) const;

  size_t size() const { return size_; }

 private:
  static constexpr size_t kBucketMax = 128;
  struct Item {
    uint64_t counter;
    Ref ref;
  };
  // Sorted by counter (equal counters in insertion order), never empty.
  using Bucket = std::vector<Item>;
  using Buckets = std::vector<Bucket>;

  // First bucket whose last counter is >= `counter` (or buckets.size()).
  static size_t FirstBucketFrom(const Buckets& buckets, uint64_t counter);
  void Insert(Buckets& buckets, uint64_t counter, Ref ref);
  bool Remove(Buckets& buckets, uint64_t counter, Ref ref);
  // Joins bucket `b` with a neighbour once it has shrunk to a quarter.
  static void Rebalance(Buckets& buckets, size_t b);

  // The buckets of `replica`, created empty if absent.
  Buckets& Of(ReplicaId replica);
  // The buckets of `replica`, or null.
  const Buckets* Find(ReplicaId replica) const;
  size_t Probe(ReplicaId replica) const;  // its table position, or the free one

  // Hashed, not ordered: a slot state joined from anti-entropy indexes every
  // entry of its clock (up to every writer of the fleet), and descending a
  // 1000-replica tree per entry was 6% of the 1000-node simulator. Open
  // addressing, not std::unordered_map: every joined change looks its
  // writer up here, and a node-based table's bucket-then-node chase was
  // another 5% (a simulated fleet's maps are all cache-cold). Linear
  // probing over (replica, buckets) pairs, at most half full; replicas are
  // never removed, and replica 0 marks a free place (it is kept aside).
  std::vector<std::pair<ReplicaId, Buckets>> table_;
  size_t replicas_ = 0;
  Buckets zero_;
  size_t size_ = 0;
};

template <typename Fn>
void SlotIndex::ForEach(ReplicaId replica, uint64_t first, uint64_t last, Fn fn) const {
  const Buckets* found = Find(replica);
  if (found == nullptr) return;
  const Buckets& buckets = *found;
  for (size_t b = FirstBucketFrom(buckets, first); b < buckets.size(); ++b) {
    for (const Item& item : buckets[b]) {
      if (item.counter < first) continue;
      if (item.counter > last) return;
      fn(item.counter, item.ref);
    }
  }
}

template <typename Fn>
void SlotIndex::ForEachReplica(Fn fn) const {
  if (!zero_.empty()) fn(ReplicaId{0});
  for (const auto& [replica, buckets] : table_) {
    if (replica != 0 && !buckets.empty()) fn(replica);
  }
}

}  // namespace parley

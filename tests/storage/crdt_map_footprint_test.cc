// The heap bytes a register key costs in CrdtMap (issue #9: 1 M keys in at
// most 200 MB). Counts glibc's allocated bytes, not time or RSS, so it is
// exact and repeatable; bench/map_footprint gives the RSS figure.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "storage/crdt_map.h"

namespace parley {
namespace {

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// Big blocks (a hash table's array) are mmapped apart from the heap: count them too.
size_t HeapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}
#else
size_t HeapInUse() { return 0; }  // sanitizer or non-glibc allocator: no figure
#endif

TEST(CrdtMapFootprint, RegisterKeyCostsAtMost200HeapBytes) {
  if (HeapInUse() == 0) GTEST_SKIP() << "no glibc heap statistics in this build";
  constexpr int kKeys = 50000;
  size_t before = HeapInUse();
  CrdtMap map(1);
  char key[32];
  char value[32];
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(key, sizeof(key), "key%07d", i);
    std::snprintf(value, sizeof(value), "value%07d", i);
    ASSERT_TRUE(map.Apply(Op::Set(key, value), MakeTimestamp(1000 + i, 0)).ok());
  }
  double per_key = static_cast<double>(HeapInUse() - before) / kKeys;
  RecordProperty("heap_bytes_per_key", std::to_string(per_key));
  // ~125 B for the key's deque element (key string, inline slot; four to a
  // 512-byte block), 8 B in the sorted list (key_order.h), 16 B in the
  // slot index and 11-21 B in the key hash table (8 B a slot, 3/8 to 3/4
  // full): ~165 B at 50,000 keys.
  EXPECT_LE(per_key, 200.0);
  // Rewriting every key (the index moves each slot to a new counter) must
  // not grow the state.
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(key, sizeof(key), "key%07d", i);
    ASSERT_TRUE(map.Apply(Op::Set(key, "other"), MakeTimestamp(100000 + i, 0)).ok());
  }
  per_key = static_cast<double>(HeapInUse() - before) / kKeys;
  EXPECT_LE(per_key, 200.0);
}

// A map holds every writer of the fleet. With a key from each of 1000
// replicas, a key must not cost a reserved index bucket (2 KB) per replica:
// that was 2 GB over the 1000-node simulator's replicas.
TEST(CrdtMapFootprint, AKeyFromEachOfManyReplicasCostsNoReservedBucket) {
  if (HeapInUse() == 0) GTEST_SKIP() << "no glibc heap statistics in this build";
  constexpr int kReplicas = 1000;
  std::vector<Delta> deltas;
  for (int r = 1; r <= kReplicas; ++r) {
    CrdtMap writer(static_cast<ReplicaId>(r));
    Result<Delta> d = writer.Apply(Op::Set("reg/" + std::to_string(r), "v"), MakeTimestamp(1000 + r, 0));
    ASSERT_TRUE(d.ok());
    deltas.push_back(std::move(d).value());
  }
  size_t before = HeapInUse();
  CrdtMap map(kReplicas + 1);
  for (const Delta& d : deltas) ASSERT_TRUE(map.Join(d).ok());
  double per_key = static_cast<double>(HeapInUse() - before) / kReplicas;
  RecordProperty("heap_bytes_per_replica_key", std::to_string(per_key));
  // The key (~160 B), the replica's context entry and its index sequence.
  EXPECT_LE(per_key, 600.0);
}

}  // namespace
}  // namespace parley

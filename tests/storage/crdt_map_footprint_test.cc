// The heap bytes a register key costs in CrdtMap (issue #9: 1 M keys in at
// most 200 MB). Counts glibc's allocated bytes, not time or RSS, so it is
// exact and repeatable; bench/map_footprint gives the RSS figure.
#include <gtest/gtest.h>

#include <cstdio>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "storage/crdt_map.h"

namespace parley {
namespace {

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
size_t HeapInUse() { return mallinfo2().uordblks; }
#else
size_t HeapInUse() { return 0; }  // sanitizer or non-glibc allocator: no figure
#endif

TEST(CrdtMapFootprint, RegisterKeyCostsAtMost180HeapBytes) {
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
  // 160 B for the key's map node (key, inline slot) and 16 B in the index.
  EXPECT_LE(per_key, 180.0);
  // Rewriting every key (the index moves each slot to a new counter) must
  // not grow the state.
  for (int i = 0; i < kKeys; ++i) {
    std::snprintf(key, sizeof(key), "key%07d", i);
    ASSERT_TRUE(map.Apply(Op::Set(key, "other"), MakeTimestamp(100000 + i, 0)).ok());
  }
  per_key = static_cast<double>(HeapInUse() - before) / kKeys;
  EXPECT_LE(per_key, 180.0);
}

}  // namespace
}  // namespace parley

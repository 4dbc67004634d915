// Tests that the steady-state write path allocates nothing: a node applies
// writes into one reused delta, and a heap allocation per write was a
// measurable share of a pipelined INCR's cost. The file replaces the global
// operator new of the storage test binary with one that counts, only on a
// thread that asked and only while it asked; every other test is unaffected.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "storage/compact_delta.h"
#include "storage/crdt_map.h"

namespace {
thread_local bool counting = false;
thread_local size_t allocations = 0;

// Out of line, so that GCC does not see malloc and free through the inlined
// operators and warn (-Wmismatched-new-delete) where the tests pair new
// with delete.
[[gnu::noinline]] void* CountedAllocate(size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void Release(void* p) noexcept { std::free(p); }
}  // namespace

// Every plain form (not the over-aligned ones, which keep their own pairs),
// so that nothing allocated here is freed by the sanitizer's operators or
// the other way round.
void* operator new(size_t size) { return CountedAllocate(size); }
void* operator new[](size_t size) { return CountedAllocate(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return CountedAllocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, size_t) noexcept { Release(p); }
void operator delete[](void* p, size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }

namespace parley {
namespace {

// Allocations made by `n` calls of `write(i)` after `warm` calls to warm up.
template <typename Write>
size_t AllocationsOf(int warm, int n, Write write) {
  for (int i = 0; i < warm; ++i) write(i);
  allocations = 0;
  counting = true;
  for (int i = warm; i < warm + n; ++i) write(i);
  counting = false;
  return allocations;
}

const std::string kKey = "a key longer than the small-string buffer";

TEST(CrdtMapAllocations, RepeatedIncrOfOneCounterAllocatesNothing) {
  CrdtMap map(0xfedcba9876543210);
  Delta delta;
  const Op op = Op::Incr(kKey, 1);
  size_t n = AllocationsOf(10, 1000, [&](int i) {
    ASSERT_TRUE(map.Apply(std::span<const Op>(&op, 1), MakeTimestamp(1000 + i, 0), &delta).ok());
  });
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(map.GetCounter(kKey), 1010);
}

TEST(CrdtMapAllocations, RepeatedSetOfOneRegisterAllocatesNothing) {
  CrdtMap map(0xfedcba9876543210);
  Delta delta;
  const Op op = Op::Set(kKey, std::string(40, 'v'));
  EXPECT_EQ(AllocationsOf(10, 1000, [&](int i) {
              ASSERT_TRUE(map.Apply(std::span<const Op>(&op, 1), MakeTimestamp(1000 + i, 0), &delta).ok());
            }),
            0u);
}

// The logbook encodes every write's delta into a reused record buffer.
TEST(CrdtMapAllocations, EncodingAWriteIntoAReusedBufferAllocatesNothing) {
  CrdtMap map(0xfedcba9876543210);
  auto delta = map.Apply(Op::Incr(kKey, 1), MakeTimestamp(1000, 0));
  ASSERT_TRUE(delta.ok());
  std::string record;
  EXPECT_EQ(AllocationsOf(10, 1000, [&](int) {
              record.clear();
              EncodeCompactDelta(*delta, &record);
            }),
            0u);
}

}  // namespace
}  // namespace parley

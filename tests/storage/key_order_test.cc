// Tests for KeyOrder: entries appended between requests come back merged
// into name order, and earlier lists stay whole.
#include "storage/key_order.h"

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/seed.h"

namespace parley {
namespace {

const std::string& Name(const std::string& s) { return s; }

std::vector<std::string> Names(const std::vector<const std::string*>& sorted) {
  std::vector<std::string> out;
  for (const std::string* s : sorted) out.push_back(*s);
  return out;
}

TEST(KeyOrder, MergesWhatCameSinceTheLastRequest) {
  const uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  std::deque<std::string> entries;
  KeyOrder<std::string, &Name> order;
  EXPECT_TRUE(order.Sorted(entries).empty());
  for (int round = 0; round < 50; ++round) {
    // Batches of 0..40 names, some sharing prefixes, in no order.
    size_t batch = rng() % 41;
    for (size_t i = 0; i < batch; ++i) {
      entries.push_back("k" + std::to_string(rng() % 100000) + "/" + std::to_string(round));
    }
    std::vector<std::string> expected(entries.begin(), entries.end());
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(Names(order.Sorted(entries)), expected) << "round " << round;
  }
}

TEST(KeyOrder, AMovedOrderKeepsPointingAtTheMovedDeque) {
  std::deque<std::string> entries = {"b", "a"};
  KeyOrder<std::string, &Name> order;
  ASSERT_EQ(Names(order.Sorted(entries)), (std::vector<std::string>{"a", "b"}));
  std::deque<std::string> moved_entries = std::move(entries);
  KeyOrder<std::string, &Name> moved = std::move(order);
  moved_entries.push_back("0");
  EXPECT_EQ(Names(moved.Sorted(moved_entries)), (std::vector<std::string>{"0", "a", "b"}));
}

}  // namespace
}  // namespace parley

// BroadcastQueue: least-sent first, superseding by subject, bounded size.
#include "node/core/broadcast_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>

#include "tests/support/seed.h"

namespace parley {
namespace {

// A stand-in for an encoded message: `size` bytes, tagged by `tag`.
std::string Encoded(uint32_t tag, size_t size = 10) {
  std::string s = std::to_string(tag) + ":";
  s.resize(size, '.');
  return s;
}
uint32_t TagOf(const std::string& encoded) { return static_cast<uint32_t>(std::stoul(encoded)); }

std::vector<std::string> Take(BroadcastQueue& q, size_t budget, int limit) {
  std::vector<std::string> out;
  size_t n = q.Take(budget, limit, &out);
  EXPECT_EQ(n, out.size());
  return out;
}

TEST(BroadcastQueue, NewerBroadcastAboutTheSameSubjectReplacesTheOlder) {
  BroadcastQueue q;
  q.Push(Encoded(1), "n1");
  q.Push(Encoded(2), "n1");
  q.Push(Encoded(3), "n2");
  EXPECT_EQ(q.size(), 2u);
  std::vector<std::string> taken = Take(q, SIZE_MAX, 5);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(TagOf(taken[0]), 3u);
  EXPECT_EQ(TagOf(taken[1]), 2u);  // 1 was superseded
}

TEST(BroadcastQueue, RetiresAfterTheTransmitLimitAndRespectsTheBudget) {
  BroadcastQueue q;
  q.Push(Encoded(1), std::nullopt);
  q.Push(Encoded(2), std::nullopt);
  EXPECT_EQ(Take(q, 15, 2).size(), 1u);  // only one fits
  EXPECT_EQ(Take(q, 100, 2).size(), 2u);
  EXPECT_EQ(Take(q, 100, 2).size(), 1u);  // the first one is retired
  EXPECT_TRUE(q.empty());
}

TEST(BroadcastQueue, OffersTheLeastSentFirstAndTheNewestAmongEquals) {
  BroadcastQueue q;
  for (uint32_t tag = 1; tag <= 3; ++tag) q.Push(Encoded(tag), std::nullopt);
  EXPECT_EQ(TagOf(Take(q, 10, 5).at(0)), 3u);  // all unsent: the newest
  EXPECT_EQ(TagOf(Take(q, 10, 5).at(0)), 2u);  // 3 was sent once now
  EXPECT_EQ(TagOf(Take(q, 10, 5).at(0)), 1u);
  EXPECT_EQ(TagOf(Take(q, 10, 5).at(0)), 3u);  // all sent once: the newest again
  // A broadcast too big for what is left is skipped, not a stopper.
  q.Push(Encoded(4, 50), std::nullopt);
  std::vector<std::string> taken = Take(q, 30, 5);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(q.size(), 4u);
}

// Take() appends: what the caller already holds stays, in front.
TEST(BroadcastQueue, TakeAppendsTheBytesAsQueued) {
  BroadcastQueue q;
  q.Push(Encoded(7, 12), "n7");
  std::vector<std::string> out = {"probe"};
  EXPECT_EQ(q.Take(100, 3, &out), 1u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "probe");
  EXPECT_EQ(out[1], Encoded(7, 12));
}

// A superseded broadcast that had been sent is gone from every index: a
// later one about the same subject, and transmissions up to the limit,
// still work (its queue node moved when it was re-ranked).
TEST(BroadcastQueue, SupersedingAfterTransmissionsKeepsTheIndexesRight) {
  BroadcastQueue q;
  q.Push(Encoded(1), "n1");
  q.Push(Encoded(2), std::nullopt);
  EXPECT_EQ(Take(q, SIZE_MAX, 4).size(), 2u);
  EXPECT_EQ(Take(q, SIZE_MAX, 4).size(), 2u);
  q.Push(Encoded(3), "n1");  // replaces 1, sent twice
  EXPECT_EQ(q.size(), 2u);
  std::vector<std::string> taken = Take(q, SIZE_MAX, 4);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(TagOf(taken[0]), 3u);  // unsent first
  EXPECT_EQ(TagOf(taken[1]), 2u);
  EXPECT_EQ(Take(q, SIZE_MAX, 4).size(), 2u);  // 2 retires (4 sends)
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(Take(q, SIZE_MAX, 4).size(), 1u);
  EXPECT_EQ(Take(q, SIZE_MAX, 4).size(), 1u);  // 3 retires
  EXPECT_TRUE(q.empty());
}

// A node with no peers never takes its broadcasts: the queue must not grow
// without bound (found by redis-benchmark against a lone node).
TEST(BroadcastQueue, UnnamedBroadcastsAreBounded) {
  BroadcastQueue q;
  for (uint32_t i = 0; i < 10 * BroadcastQueue::kMaxUnnamed; ++i) q.Push(Encoded(i), std::nullopt);
  q.Push(Encoded(0), "member");
  EXPECT_EQ(q.size(), BroadcastQueue::kMaxUnnamed + 1);
  // The newest survive.
  std::vector<std::string> taken = Take(q, SIZE_MAX, 100);
  bool newest = false;
  for (const std::string& m : taken) {
    if (TagOf(m) == 10 * BroadcastQueue::kMaxUnnamed - 1) newest = true;
  }
  EXPECT_TRUE(newest);
}


// The queue against a plain model of its contract: offers in (times sent,
// newest first) order, skips what does not fit until 32 in a row did not,
// re-ranks after the walk, retires at the limit, supersedes by subject, and
// keeps at most kMaxUnnamed subjectless broadcasts. Any difference in what
// is offered, or in what order, fails (the simulator's trace hashes rest on
// that order too).
TEST(BroadcastQueue, AgreesWithAModelUnderRandomPushesAndTakes) {
  uint64_t seed = testing::TestSeed();
  SCOPED_TRACE(testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  struct ModelItem {
    uint64_t order;
    int transmits;
    std::string encoded;
    std::optional<std::string> subject;
    bool retired = false;
  };
  std::vector<ModelItem> model;
  BroadcastQueue q;
  uint64_t order = 0;
  uint32_t tag = 0;
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 3 != 0) {
      std::optional<std::string> subject;
      if (rng() % 4 != 0) subject = "n" + std::to_string(rng() % 40);
      std::string encoded = Encoded(++tag, 5 + rng() % 60);
      if (subject) {
        std::erase_if(model, [&](const ModelItem& m) { return m.subject == subject; });
      } else if (std::count_if(model.begin(), model.end(), [](const ModelItem& m) { return !m.subject; }) >=
                 static_cast<long>(BroadcastQueue::kMaxUnnamed)) {
        auto oldest = std::min_element(model.begin(), model.end(), [](const ModelItem& a, const ModelItem& b) {
          return (a.subject ? UINT64_MAX : a.order) < (b.subject ? UINT64_MAX : b.order);
        });
        model.erase(oldest);
      }
      model.push_back(ModelItem{order++, 0, encoded, subject, false});
      q.Push(encoded, subject);
    } else {
      const size_t budget = rng() % 4 == 0 ? 0 : rng() % 400;
      const int limit = 1 + static_cast<int>(rng() % 6);
      std::stable_sort(model.begin(), model.end(), [](const ModelItem& a, const ModelItem& b) {
        return a.transmits != b.transmits ? a.transmits < b.transmits : a.order > b.order;
      });
      std::vector<std::string> expected;
      std::vector<size_t> taken;
      size_t left = budget;
      int misses = 0;
      for (size_t i = 0; i < model.size() && left > 0 && misses < 32; ++i) {
        if (model[i].encoded.size() > left) {
          ++misses;
          continue;
        }
        misses = 0;
        left -= model[i].encoded.size();
        expected.push_back(model[i].encoded);
        taken.push_back(i);
      }
      for (size_t i : taken) {
        if (++model[i].transmits >= limit) model[i].retired = true;
      }
      std::erase_if(model, [](const ModelItem& m) { return m.retired; });
      std::vector<std::string> got;
      const size_t n = q.Take(budget, limit, &got);
      ASSERT_EQ(n, got.size());
      ASSERT_EQ(got, expected) << "step " << step;
    }
    ASSERT_EQ(q.size(), model.size()) << "step " << step;
  }
}

}  // namespace
}  // namespace parley

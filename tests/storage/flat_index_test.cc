// FlatIndex: finds what was inserted, forgets what was erased, whatever
// the collisions and the order of removals.
#include "storage/flat_index.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <string>

namespace parley {
namespace {

struct Named {
  std::string name;
};
const std::string& NameOf(const Named& n) { return n.name; }
using Index = FlatIndex<Named, &NameOf>;

TEST(FlatIndex, FindsInsertedAndForgetsErased) {
  Index index;
  Named a, b;
  a.name = "n1";
  b.name = "n2";
  EXPECT_EQ(index.Find("n1"), nullptr);
  index.Insert(a.name, &a);
  index.Insert(b.name, &b);
  EXPECT_EQ(index.Find("n1"), &a);
  EXPECT_EQ(index.Find("n2"), &b);
  EXPECT_EQ(index.Find("n3"), nullptr);
  index.Erase("n1");
  EXPECT_EQ(index.Find("n1"), nullptr);
  EXPECT_EQ(index.Find("n2"), &b);
  EXPECT_EQ(index.size(), 1u);
  index.Erase("n1");  // absent: nothing happens
  EXPECT_EQ(index.size(), 1u);
}

void ExpectAgreementUnderChurn(bool drop_tags) {
  std::mt19937_64 rng(7);
  std::deque<Named> storage;  // stable addresses
  std::map<std::string, Named*> model;
  Index index;
  for (int step = 0; step < 20000; ++step) {
    if (drop_tags && step == 10000) index.DropTagsForTesting();
    std::string name = "n" + std::to_string(rng() % 600);
    if (rng() % 3 != 0) {
      if (model.count(name) != 0) continue;
      storage.emplace_back().name = name;
      model[name] = &storage.back();
      index.Insert(storage.back().name, &storage.back());
    } else {
      auto it = model.find(name);
      if (it == model.end()) continue;
      index.Erase(it->second->name);
      model.erase(it);
    }
    if (step % 500 == 0) {
      for (int i = 0; i < 600; ++i) {
        std::string probe = "n" + std::to_string(i);
        auto it = model.find(probe);
        ASSERT_EQ(index.Find(probe), it == model.end() ? nullptr : it->second) << probe << " at step " << step;
      }
      ASSERT_EQ(index.size(), model.size());
    }
  }
}

// Random inserts and erases against a std::map: erasing from the middle of
// a probe run must keep every later member of the run findable. Also with
// the hash tags dropped halfway, as an object above 48-bit addresses would.
TEST(FlatIndex, AgreesWithAMapUnderChurn) {
  for (bool drop_tags : {false, true}) {
    SCOPED_TRACE(drop_tags ? "tags dropped at step 10000" : "tagged");
    ExpectAgreementUnderChurn(drop_tags);
  }
}

// Names are read only where the hash tag matches: a lookup of an absent
// name (each new member or key) reads no object, and a hit reads the one it
// finds. Reading every object along the probe run cost a 1000-node fleet a
// quarter of its join.
size_t g_names_read = 0;
const std::string& CountedNameOf(const Named& n) {
  ++g_names_read;
  return n.name;
}

TEST(FlatIndex, ReadsOnlyTheObjectWhoseTagMatches) {
  FlatIndex<Named, &CountedNameOf> index;
  std::deque<Named> storage;
  for (int i = 0; i < 3000; ++i) {
    storage.emplace_back().name = "member-" + std::to_string(i);
    index.Insert(storage.back().name, &storage.back());
  }
  g_names_read = 0;
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(index.Find("member-" + std::to_string(i)), &storage[i]);
  EXPECT_LE(g_names_read, 3000u + 5u);  // a rare tag collision may read one more
  g_names_read = 0;
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(index.Find("absent-" + std::to_string(i)), nullptr);
  EXPECT_LE(g_names_read, 5u);
}

}  // namespace
}  // namespace parley

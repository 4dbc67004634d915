// The lost-write checker on hand-made histories: fresh keys, and a bounded
// key space where later writes of the same node may supersede. And the
// description of two diverged states that a convergence violation carries.
#include "sim/checkers.h"

#include <gtest/gtest.h>

namespace parley::sim {
namespace {

WriteRecord Write(uint64_t id, WriteRecord::State state, std::vector<Op> ops) {
  WriteRecord w;
  w.node = 0;
  w.life = 1;
  w.id = id;
  w.ops = std::move(ops);
  w.state = state;
  w.done_us = 1000 * id;
  return w;
}

std::vector<std::string> Check(const std::vector<WriteRecord>& writes, const CrdtMap& map) {
  std::vector<std::string> violations;
  CheckAcknowledgedWrites(writes, DiskHistory{}, map, "n0", 10, &violations);
  return violations;
}

CrdtMap MapWith(std::vector<Op> ops) {
  CrdtMap map(7);
  EXPECT_TRUE(map.Apply(ops, MakeTimestamp(1000, 0)).ok());
  return map;
}

using State = WriteRecord::State;

TEST(CheckAcknowledgedWrites, AFreshKeyWriteMustBeVisible) {
  std::vector<WriteRecord> writes = {Write(1, State::kAcked, {Op::Set("reg/0/1", "v1")}),
                                     Write(2, State::kAcked, {Op::HSet("hash/0", "f2", "v2")})};
  EXPECT_TRUE(Check(writes, MapWith({Op::Set("reg/0/1", "v1"), Op::HSet("hash/0", "f2", "v2")})).empty());
  std::vector<std::string> v = Check(writes, MapWith({Op::Set("reg/0/1", "v1")}));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("hash field hash/0[f2]=v2"), std::string::npos) << v[0];
}

// checked_keys > 0: a register written three times. The last acknowledged
// write (2) may be superseded by a later one (3, still pending), but an
// older value (1) or none at all means write 2 was lost.
TEST(CheckAcknowledgedWrites, ABoundedKeyMayOnlyBeSupersededByALaterWrite) {
  std::vector<WriteRecord> writes = {Write(1, State::kAcked, {Op::Set("reg/0/0", "v1")}),
                                     Write(2, State::kAcked, {Op::Set("reg/0/0", "v2")}),
                                     Write(3, State::kPending, {Op::Set("reg/0/0", "v3")})};
  EXPECT_TRUE(Check(writes, MapWith({Op::Set("reg/0/0", "v2")})).empty());
  EXPECT_TRUE(Check(writes, MapWith({Op::Set("reg/0/0", "v3")})).empty());
  for (const CrdtMap& lost : {MapWith({Op::Set("reg/0/0", "v1")}), MapWith({Op::Set("other", "x")})}) {
    std::vector<std::string> v = Check(writes, lost);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_NE(v[0].find("write 2 "), std::string::npos) << v[0];
    EXPECT_NE(v[0].find("register reg/0/0=v2"), std::string::npos) << v[0];
  }
}

TEST(CheckAcknowledgedWrites, ARepeatedSetMemberMustStayWhileAnyAddWasAcknowledged) {
  std::vector<WriteRecord> writes = {Write(1, State::kAcked, {Op::SAdd("set/0", "m0")}),
                                     Write(2, State::kFailed, {Op::SAdd("set/0", "m0")})};
  EXPECT_TRUE(Check(writes, MapWith({Op::SAdd("set/0", "m0")})).empty());
  EXPECT_EQ(Check(writes, MapWith({Op::SAdd("set/0", "m1")})).size(), 1u);
}

// The detail a convergence violation carries: the slots that differ, as
// each side holds them, and whether the contexts do.
TEST(DescribeDifference, NamesTheSlotsThatDifferAsEachSideHoldsThem) {
  CrdtMap a(7), b(7);
  ASSERT_TRUE(a.Apply(std::vector{Op::Set("same", "x")}, MakeTimestamp(1000, 0)).ok());
  ASSERT_TRUE(b.Apply(std::vector{Op::Set("same", "x")}, MakeTimestamp(1000, 0)).ok());
  ASSERT_TRUE(a.Apply(std::vector{Op::Incr("c", 5)}, MakeTimestamp(2000, 0)).ok());
  ASSERT_TRUE(b.Apply(std::vector{Op::Incr("c", 3)}, MakeTimestamp(2000, 0)).ok());
  ASSERT_TRUE(a.Apply(std::vector{Op::SAdd("s", "m")}, MakeTimestamp(3000, 0)).ok());
  const std::string d = DescribeDifference(a, b, 3);
  EXPECT_EQ(d.rfind("contexts differ; ", 0), 0u) << d;
  EXPECT_EQ(d.find("same"), std::string::npos) << "an equal slot shown: " << d;
  EXPECT_NE(d.find("c/counter: clock{"), std::string::npos) << d;
  EXPECT_NE(d.find("+5-0"), std::string::npos) << d;
  EXPECT_NE(d.find("+3-0"), std::string::npos) << d;
  EXPECT_NE(d.find("s/set/m: clock{"), std::string::npos) << d;
  EXPECT_NE(d.find(" vs -"), std::string::npos) << "a slot one side lacks: " << d;
  EXPECT_EQ(DescribeDifference(a, b, 1).find("s/set"), std::string::npos) << "more slots than asked for";
  EXPECT_EQ(DescribeDifference(a, a, 3), "contexts equal");
}

}  // namespace
}  // namespace parley::sim

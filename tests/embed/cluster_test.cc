// libparley: embedded nodes in one process find each other through a seed,
// converge, and acknowledge quorum writes.
#include <gtest/gtest.h>

#include "tests/embed/embed_test_util.h"

namespace parley::embed {
namespace {

using testing::LocalOptions;
using testing::OpenOrDie;
using testing::WaitFor;

TEST(EmbedCluster, TwoNodesConverge) {
  std::unique_ptr<Node> a = OpenOrDie(LocalOptions("a"));
  ASSERT_NE(a, nullptr);
  Options ob = LocalOptions("b");
  ob.seeds = {a->gossip_address()};
  std::unique_ptr<Node> b = OpenOrDie(ob);
  ASSERT_NE(b, nullptr);

  ASSERT_TRUE(WaitFor([&] { return b->GetStatus()->alive_members == 2 && a->GetStatus()->alive_members == 2; }));
  ASSERT_TRUE(a->Set("from-a", "1").ok());
  ASSERT_TRUE(b->Incr("hits", 2).ok());
  ASSERT_TRUE(a->Incr("hits", 3).ok());
  ASSERT_TRUE(b->SAdd("seen", "b").ok());
  ASSERT_TRUE(a->SAdd("seen", "a").ok());
  ASSERT_TRUE(WaitFor([&] { return a->GetStatus()->digest == b->GetStatus()->digest; }));
  EXPECT_EQ(b->Get("from-a").value(), "1");
  EXPECT_EQ(a->GetCounter("hits").value(), 5);
  EXPECT_EQ(b->SetMembers("seen").value(), (std::vector<std::string>{"a", "b"}));

  // Quorum of two: acknowledged once b has it too.
  Status quorum = a->Set("both", "yes", Durability::Quorum(2, 5000));
  EXPECT_TRUE(quorum.ok()) << quorum.ToString();
  EXPECT_TRUE(WaitFor([&] { return b->Get("both").ok(); }));
  // Quorum of three with two nodes cannot be met: TimedOut, applied locally.
  Status missing = a->Set("three", "no", Durability::Quorum(3, 200));
  EXPECT_EQ(missing.code(), Status::Code::kTimedOut) << missing.ToString();
  EXPECT_EQ(a->Get("three").value(), "no");

  // A graceful close is seen by the peer as a leave, not a failure.
  ASSERT_TRUE(a->Close().ok());
  EXPECT_TRUE(WaitFor([&] {
    Result<std::vector<MemberInfo>> members = b->Members();
    for (const MemberInfo& m : members.value()) {
      if (m.name == "a") return m.state == "left";
    }
    return true;
  }));
}

}  // namespace
}  // namespace parley::embed

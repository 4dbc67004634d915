// A five-node fleet of real processes: writes of every type on every node
// converge to one state (same digest everywhere), and the client commands
// read it back redis-cli style from any node.
#include <gtest/gtest.h>

#include <set>

#include "tests/fleet/fleet_harness.h"

namespace parley::testing {
namespace {

using std::chrono::seconds;

TEST(FleetConvergence, FiveNodesWritingEverywhereConverge) {
  FleetHarness fleet;
  PARLEY_ASSERT_OK(fleet.Up(5));
  std::vector<std::string> names = {"n1", "n2", "n3", "n4", "n5"};
  ASSERT_EQ(fleet.RunningNodes(), names);

  for (size_t i = 0; i < names.size(); ++i) {
    cli::NodeApi api = fleet.Api(names[i]);
    std::string n = names[i];
    ASSERT_TRUE(api.SetRegister("reg/" + n, "written on " + n).ok());
    ASSERT_TRUE(api.Increment("visits", static_cast<int64_t>(i + 1)).ok());
    ASSERT_TRUE(api.AddToSet("crew", {n}).ok());
    ASSERT_TRUE(api.SetHashFields("where", {{n, "port " + std::to_string(i)}}).ok());
    ASSERT_TRUE(api.SetRegister("contested", "last word from " + n).ok());
  }
  auto digest = fleet.WaitForSameDigest(seconds(30));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();

  for (const std::string& name : names) {
    cli::NodeApi api = fleet.Api(name);
    for (const std::string& writer : names) {
      auto reg = api.Get("reg/" + writer);
      ASSERT_TRUE(reg.ok() && reg->has_value()) << name << " lacks reg/" << writer;
      EXPECT_EQ((*reg)->value, "written on " + writer);
    }
    auto visits = api.Get("visits");
    ASSERT_TRUE(visits.ok() && visits->has_value());
    EXPECT_EQ((*visits)->value, 15) << "on " << name;  // 1+2+3+4+5: no increment lost
    auto crew = api.GetAs("crew", "set", nullptr);
    ASSERT_TRUE(crew.ok());
    EXPECT_EQ(crew->get<std::set<std::string>>(), std::set<std::string>(names.begin(), names.end()));
    auto where = api.GetAs("where", "hash", nullptr);
    ASSERT_TRUE(where.ok());
    EXPECT_EQ(where->size(), 5u);
  }

  // The client commands see the same state from any node.
  CommandResult got = fleet.Parley({"get", "reg/n1", "--fleet", fleet.dir(), "--on", "n5"});
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, "\"written on n1\"\n");
  got = fleet.Parley({"get", "visits", "--fleet", fleet.dir(), "--on", "n3"});
  EXPECT_EQ(got.output, "(integer) 15\n");
  got = fleet.Parley({"hget", "where", "n2", "--fleet", fleet.dir(), "--on", "n4"});
  EXPECT_EQ(got.output, "\"port 1\"\n");
  got = fleet.Parley({"get", "no such key", "--fleet", fleet.dir(), "--on", "n2"});
  EXPECT_EQ(got.output, "(nil)\n");
  got = fleet.Parley({"members", "--fleet", fleet.dir(), "--on", "n1"});
  EXPECT_EQ(got.exit_code, 0) << got.output;
  for (const std::string& name : names) EXPECT_NE(got.output.find(name), std::string::npos) << got.output;
  got = fleet.Parley({"fleet", "status", "--dir", fleet.dir()});
  EXPECT_NE(got.output.find("5 of 5 nodes running"), std::string::npos) << got.output;
  EXPECT_NE(got.output.find(digest->substr(0, 12)), std::string::npos) << got.output;

  PARLEY_ASSERT_OK(fleet.Fleet({"down"}));
  EXPECT_TRUE(fleet.RunningNodes().empty());
}

}  // namespace
}  // namespace parley::testing

// Partitions through the admin fault switch: both sides keep accepting
// writes while cut off — long enough to declare each other dead — and after
// healing every acknowledged write is on every node (no acknowledged write
// lost; convergence once the network heals).
#include <gtest/gtest.h>

#include <thread>

#include "tests/fleet/fleet_harness.h"

namespace parley::testing {
namespace {

using std::chrono::seconds;

TEST(FleetPartition, BothSidesWriteThenHealWithoutLoss) {
  FleetHarness fleet;
  PARLEY_ASSERT_OK(fleet.Up(4));
  PARLEY_ASSERT_OK(fleet.Fleet({"partition", "n1,n2", "/", "n3,n4"}));

  const std::vector<std::pair<std::string, std::string>> writers = {
      {"n1", "a"}, {"n2", "a"}, {"n3", "b"}, {"n4", "b"}};
  constexpr int kWritesPerNode = 25;
  int64_t increments = 0;
  for (const auto& [name, side] : writers) {
    cli::NodeApi api = fleet.Api(name);
    for (int i = 0; i < kWritesPerNode; ++i) {
      std::string key = side + "/" + name + "/" + std::to_string(i);
      ASSERT_TRUE(api.SetRegister(key, "v" + std::to_string(i)).ok()) << key;
    }
    ASSERT_TRUE(api.Increment("total", 2).ok());
    increments += 2;
    ASSERT_TRUE(api.AddToSet("sides", {side + ":" + name}).ok());
    ASSERT_TRUE(api.SetRegister("contested", "side " + side).ok());
  }

  // The cut is real: after a while side b still has not seen side a's keys.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto seen = fleet.Api("n3").Get("a/n1/0");
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->has_value()) << "n3 saw a write from across the partition";
  auto same_side = fleet.Api("n2").Get("a/n1/0");
  ASSERT_TRUE(same_side.ok());
  EXPECT_TRUE(same_side->has_value()) << "n2 should hear n1 (same side)";

  // Keep the cut until each side has declared the other dead: healing must
  // also work after a long partition, when no side probes the other anymore.
  auto declared_dead = [&](const std::string& observer, const std::string& member) {
    auto members = fleet.Api(observer).GetMembers();
    if (!members.ok()) return false;
    for (const auto& m : *members) {
      if (cli::JsonText(m, "name") == member) return cli::JsonText(m, "state") == "dead";
    }
    return true;  // already reaped
  };
  auto cut_at = std::chrono::steady_clock::now();
  while (!(declared_dead("n1", "n3") && declared_dead("n4", "n2")) &&
         std::chrono::steady_clock::now() - cut_at < seconds(15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(declared_dead("n1", "n3")) << "the partition never made n1 declare n3 dead";

  PARLEY_ASSERT_OK(fleet.Fleet({"heal"}));
  auto digest = fleet.WaitForSameDigest(seconds(30));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();

  for (const char* reader : {"n1", "n2", "n3", "n4"}) {
    cli::NodeApi api = fleet.Api(reader);
    for (const auto& [name, side] : writers) {
      for (int i = 0; i < kWritesPerNode; ++i) {
        std::string key = side + "/" + name + "/" + std::to_string(i);
        auto value = api.Get(key);
        ASSERT_TRUE(value.ok() && value->has_value()) << reader << " lost acknowledged write " << key;
        EXPECT_EQ((*value)->value, "v" + std::to_string(i));
      }
    }
    auto total = api.Get("total");
    ASSERT_TRUE(total.ok() && total->has_value());
    EXPECT_EQ((*total)->value, increments) << "on " << reader;
    auto sides = api.GetAs("sides", "set", nullptr);
    ASSERT_TRUE(sides.ok());
    EXPECT_EQ(sides->size(), 4u);
    auto contested = api.Get("contested");  // one winner, the same everywhere
    ASSERT_TRUE(contested.ok() && contested->has_value());
  }
}

}  // namespace
}  // namespace parley::testing

// SIGKILL a node in the middle of a stream of writes, restart it on the same
// data directory: every write it acknowledged before the kill is still there
// (recovered from its own logbook, since its peers never saw them), and it
// catches up with what the fleet wrote while it was down.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/fleet/fleet_harness.h"

namespace parley::testing {
namespace {

using std::chrono::seconds;

TEST(FleetCrash, KilledNodeRecoversAcknowledgedWritesAndCatchesUp) {
  FleetHarness fleet;
  PARLEY_ASSERT_OK(fleet.Up(3));
  // Cut n2 off first, so its writes exist only on its own disk: anything it
  // serves after the restart came from its logbook, not from a peer.
  PARLEY_ASSERT_OK(fleet.Fleet({"partition", "n2"}));

  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    cli::NodeApi n2 = fleet.Api("n2");
    for (int i = 0; !stop; ++i) {
      if (!n2.SetRegister("crash/" + std::to_string(i), "v" + std::to_string(i)).ok()) break;
      acknowledged = i + 1;  // only after the node said OK
    }
  });
  auto start = std::chrono::steady_clock::now();
  while (acknowledged < 150 && std::chrono::steady_clock::now() - start < seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Status killed = fleet.Fleet({"kill", "n2"});  // mid-stream: the writer is still going
  stop = true;
  writer.join();
  PARLEY_ASSERT_OK(killed);
  int acked = acknowledged;
  ASSERT_GE(acked, 150) << "the writer was too slow to make the test meaningful";

  // While n2 is down the others keep writing; heal so the restart rejoins.
  PARLEY_ASSERT_OK(fleet.Fleet({"heal"}));
  ASSERT_TRUE(fleet.Api("n1").SetRegister("while-down", "n2 must catch up").ok());
  ASSERT_TRUE(fleet.Api("n3").Increment("downtime", 7).ok());

  PARLEY_ASSERT_OK(fleet.Fleet({"restart", "n2"}));
  cli::NodeApi n2 = fleet.Api("n2");
  for (int i = 0; i < acked; ++i) {
    auto value = n2.Get("crash/" + std::to_string(i));
    ASSERT_TRUE(value.ok() && value->has_value()) << "n2 lost acknowledged write crash/" << i << " of " << acked;
    EXPECT_EQ((*value)->value, "v" + std::to_string(i));
  }

  auto digest = fleet.WaitForSameDigest(seconds(30));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  auto caught_up = n2.Get("while-down");
  ASSERT_TRUE(caught_up.ok() && caught_up->has_value());
  EXPECT_EQ((*caught_up)->value, "n2 must catch up");
  auto on_n1 = fleet.Api("n1").Get("crash/" + std::to_string(acked - 1));
  ASSERT_TRUE(on_n1.ok() && on_n1->has_value()) << "n2's writes did not spread after the restart";
}

}  // namespace
}  // namespace parley::testing

// Tests for WallClock: one system-clock reading per event-loop time tick.
#include "node/runtime/wall_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace parley {
namespace {

uint64_t SystemMs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

TEST(WallClock, TheFirstReadingIsTheSystemClockEvenAtLoopTimeZero) {
  WallClock clock;
  const uint64_t before = SystemMs();
  const uint64_t now = clock.NowMs(0);
  EXPECT_GE(now, before);
  EXPECT_LE(now, SystemMs());
}

// The writes of one loop iteration share a reading: the loop time did not
// move, so neither does the clock, however long the iteration takes.
TEST(WallClock, ReadingsWithinOneLoopTickAreShared) {
  WallClock clock;
  const uint64_t first = clock.NowMs(1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(clock.NowMs(1000), first);
}

// A new loop time reads the system clock again, and the reading never goes
// below an earlier one (the hybrid logical clock expects that).
TEST(WallClock, ANewLoopTickReadsTheSystemClockAgain) {
  WallClock clock;
  const uint64_t first = clock.NowMs(1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const uint64_t before = SystemMs();
  const uint64_t second = clock.NowMs(1001);
  EXPECT_GE(second, before);
  EXPECT_GE(second, first + 20);
  EXPECT_LE(second, SystemMs());
  EXPECT_GE(clock.NowMs(1002), second);
}

}  // namespace
}  // namespace parley

// WallClock: the time the runtime hands to the node core.
//
// The core takes a single `now_ms` for both its timers and its hybrid
// logical clock, and the HLC needs wall-clock time (so timestamps of writes
// on different machines are comparable). The runtime therefore passes
// system_clock milliseconds, but never lets them go backwards: if the wall
// clock is stepped back, time stands still until it catches up, so timers
// never see a negative interval (the HLC copes with skew on its own).
#pragma once

#include <chrono>
#include <cstdint>

namespace parley {

class WallClock {
 public:
  uint64_t NowMs() {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    uint64_t ms = now > 0 ? static_cast<uint64_t>(now) : 0;
    if (ms > last_) last_ = ms;
    return last_;
  }

 private:
  uint64_t last_ = 0;
};

}  // namespace parley

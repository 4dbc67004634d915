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
  // `loop_ms` is the event loop's cached time (uv_now), which libuv renews
  // when a poll returns. The system clock is read only when that moved, so
  // the writes of one burst share one reading instead of paying a
  // clock_gettime each (~2% of a pipelined SET on a VM whose clock source
  // is slow). A reading is thus at most one loop iteration old, which the
  // HLC takes like any other clock lag.
  uint64_t NowMs(uint64_t loop_ms) {
    if (loop_ms == last_loop_ms_ && last_ != 0) return last_;
    last_loop_ms_ = loop_ms;
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    uint64_t ms = now > 0 ? static_cast<uint64_t>(now) : 0;
    if (ms > last_) last_ = ms;
    return last_;
  }

 private:
  uint64_t last_ = 0;
  uint64_t last_loop_ms_ = 0;
};

}  // namespace parley

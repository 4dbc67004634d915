// Backoff: the delays between reconnection attempts to Redis.
//
// Doubling from a minimum to a cap (100 ms → 5 s by default): a Redis that
// restarts is found again quickly, one that stays down costs a connection
// attempt every few seconds, not a busy loop.
#pragma once

#include <cstdint>

namespace parley {

class Backoff {
 public:
  Backoff(uint64_t min_ms, uint64_t max_ms) : min_ms_(min_ms), max_ms_(max_ms < min_ms ? min_ms : max_ms) {}

  // The delay before the next attempt; each call doubles the following one.
  uint64_t Next();
  // After a successful connection: the next failure retries quickly again.
  void Reset() { next_ms_ = 0; }

 private:
  uint64_t min_ms_;
  uint64_t max_ms_;
  uint64_t next_ms_ = 0;  // 0: start at min
};

}  // namespace parley

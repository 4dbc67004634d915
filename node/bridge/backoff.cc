// Backoff: exponential reconnection delays with a cap.
#include "node/bridge/backoff.h"

#include <algorithm>

namespace parley {

uint64_t Backoff::Next() {
  uint64_t delay = next_ms_ == 0 ? min_ms_ : next_ms_;
  next_ms_ = std::min(max_ms_, delay > max_ms_ / 2 ? max_ms_ : delay * 2);
  return delay;
}

}  // namespace parley

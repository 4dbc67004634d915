// HybridClock: Kulkarni et al.'s hybrid logical clock, fed physical time.
#include "storage/hybrid_clock.h"

#include <algorithm>

namespace parley {

Timestamp HybridClock::Now(uint64_t physical_ms) {
  Timestamp candidate = MakeTimestamp(physical_ms, 0);
  // Physical time ran ahead: take it. Otherwise (clock stalled or went back,
  // or a peer's clock is ahead) count logically past the last timestamp; the
  // logical field overflowing simply carries into the millisecond field.
  last_ = std::max(candidate, last_ + 1);
  return last_;
}

void HybridClock::Observe(Timestamp remote) { last_ = std::max(last_, remote); }

}  // namespace parley

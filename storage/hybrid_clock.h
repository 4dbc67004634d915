// HybridClock: hybrid logical clock timestamps for last-writer-wins.
//
// A Timestamp packs 48 bits of milliseconds and 16 bits of logical counter,
// so timestamps compare as plain integers. The clock never reads the system
// time: the caller passes physical milliseconds in (the node core is sans-IO;
// the simulator passes virtual, skewed time).
#pragma once

#include <cstdint>

namespace parley {

using Timestamp = uint64_t;

inline uint64_t TimestampMillis(Timestamp ts) { return ts >> 16; }
inline uint64_t TimestampLogical(Timestamp ts) { return ts & 0xFFFF; }
inline Timestamp MakeTimestamp(uint64_t millis, uint64_t logical) {
  return (millis << 16) | (logical & 0xFFFF);
}

class HybridClock {
 public:
  // A timestamp for a local event, greater than every timestamp this clock
  // has issued or observed.
  Timestamp Now(uint64_t physical_ms);
  // Takes note of a timestamp seen in a message, so later local events order
  // after it.
  void Observe(Timestamp remote);
  Timestamp last() const { return last_; }

 private:
  Timestamp last_ = 0;
};

}  // namespace parley

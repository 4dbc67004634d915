// Dots: the unique names of write events.
//
// Every write a replica makes gets a dot (replica id, counter), with counters
// starting at 1 and increasing by one per event. A replica id is a random
// 64-bit number chosen when a data directory is created (never reused, so a
// node that loses its disk comes back as a new replica). Id 0 means "none".
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace parley {

using ReplicaId = uint64_t;

struct Dot {
  ReplicaId replica = 0;
  uint64_t counter = 0;

  auto operator<=>(const Dot&) const = default;
  std::string ToString() const;  // "r<hex>:<counter>"
};

// An inclusive run of counters of one replica: [first, last].
struct DotRange {
  ReplicaId replica = 0;
  uint64_t first = 0;
  uint64_t last = 0;

  uint64_t size() const { return last - first + 1; }
  bool operator==(const DotRange&) const = default;
};

}  // namespace parley

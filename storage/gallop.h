// GallopPartitionPoint: std::partition_point for a search that moves forward
// in small steps.
//
// It probes 1, 2, 4, ... items ahead of `first`, then binary-searches the
// last step, so an answer d items ahead costs O(log d) comparisons instead
// of O(log n). Walks that visit sorted keys in order use it: a small causal
// context walking a large one (causal_context.cc), and the replicas of a
// clock looked up in a snapshot's replica table (compact_encoder.h).
#pragma once

#include <algorithm>
#include <cstddef>

namespace parley {

// The first item of [first, last) for which before(item) is false, where
// `before` is true for a prefix of the range (as for std::partition_point).
template <typename It, typename Before>
It GallopPartitionPoint(It first, It last, Before before) {
  if (first == last || !before(*first)) return first;
  size_t step = 1;
  while (true) {  // invariant: before(*first)
    if (static_cast<size_t>(last - first) <= step) return std::partition_point(first + 1, last, before);
    It probe = first + static_cast<std::ptrdiff_t>(step);
    if (!before(*probe)) return std::partition_point(first + 1, probe, before);
    first = probe;
    step *= 2;
  }
}

}  // namespace parley

// LatencyStats: percentiles of a set of latency samples.
//
// The fleet benchmark reports p50/p99/max of propagation and read times.
// Samples are kept whole (at most a few hundred thousand) and sorted once,
// so the percentiles are exact rather than histogram estimates.
#pragma once

#include <cstddef>
#include <vector>

namespace parley::bench {

struct LatencySummary {
  size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
  double mean = 0;
};

// Nearest-rank percentiles of `samples` (any unit; the result has the same).
// An empty input gives all zeros.
LatencySummary Summarize(std::vector<double> samples);

}  // namespace parley::bench

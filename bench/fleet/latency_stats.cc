// LatencyStats: nearest-rank percentiles over sorted samples.
#include "bench/fleet/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace parley::bench {
namespace {

// Nearest rank: the smallest sample with at least q of the samples at or
// below it, so p99 of 200 samples is the 198th, not an interpolation.
double Rank(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

LatencySummary Summarize(std::vector<double> samples) {
  LatencySummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.count = samples.size();
  s.p50 = Rank(samples, 0.50);
  s.p99 = Rank(samples, 0.99);
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  return s;
}

}  // namespace parley::bench

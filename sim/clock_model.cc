// ClockModel: drift and offset on top of true virtual time.
#include "sim/clock_model.h"

#include <algorithm>
#include <cmath>

namespace parley::sim {

uint64_t ClockModel::RawLocalUs(uint64_t true_us) const {
  // Drift in integer arithmetic where possible: rounding must not depend on
  // the platform's floating point for the run to stay reproducible.
  auto drift = static_cast<int64_t>(std::llround(drift_ppm_ * 1000));  // parts per 1e9
  int64_t skew = static_cast<int64_t>((static_cast<__int128>(true_us) * drift) / 1'000'000'000);
  return static_cast<uint64_t>(static_cast<int64_t>(kEpochMs * 1000 + true_us) + skew + offset_us_);
}

uint64_t ClockModel::LocalMs(uint64_t true_us) {
  last_ms_ = std::max(last_ms_, RawLocalUs(true_us) / 1000);
  return last_ms_;
}

uint64_t ClockModel::TrueUsAt(uint64_t local_ms) const {
  int64_t target = static_cast<int64_t>(local_ms * 1000);
  int64_t base = static_cast<int64_t>(RawLocalUs(0));
  if (target <= base) return 0;
  double rate = 1.0 + drift_ppm_ / 1e6;
  auto guess = static_cast<uint64_t>(static_cast<double>(target - base) / rate);
  // Correct the floating point guess to the exact first microsecond.
  guess = guess > 2 ? guess - 2 : 0;
  while (static_cast<int64_t>(RawLocalUs(guess)) < target) ++guess;
  return guess;
}

}  // namespace parley::sim

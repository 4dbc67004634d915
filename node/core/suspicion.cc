// Suspicion: the confirmation-scaled timeout of Lifeguard.
#include "node/core/suspicion.h"

#include <algorithm>
#include <cmath>

namespace parley {

uint64_t Suspicion::Deadline() const {
  if (expected_ < 1 || max_ <= min_) return start_ + min_;
  double c = static_cast<double>(std::min<size_t>(confirmations(), static_cast<size_t>(expected_)));
  double frac = std::log(c + 1) / std::log(static_cast<double>(expected_) + 1);
  auto timeout = static_cast<uint64_t>(static_cast<double>(max_) - static_cast<double>(max_ - min_) * frac);
  return start_ + std::max(min_, timeout);
}

uint64_t Suspicion::MinTimeout(double mult, size_t members, uint64_t probe_interval_ms) {
  double scale = std::max(1.0, std::log10(std::max<double>(1.0, static_cast<double>(members))));
  return static_cast<uint64_t>(mult * scale * static_cast<double>(probe_interval_ms));
}

}  // namespace parley

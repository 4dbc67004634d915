// Suspicion: Lifeguard's dynamic suspicion timeout.
//
// A suspected member is declared dead when its suspicion times out. The
// timeout starts at `max` and shrinks towards `min` as independent members
// confirm the suspicion: with c confirmations out of k expected it is
//   max - (max - min) * log(c + 1) / log(k + 1),
// so a member suspected by many is declared dead quickly, and a member whose
// only accuser is itself struggling gets the full time to refute.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace parley {

class Suspicion {
 public:
  Suspicion(std::string first_accuser, uint64_t start_ms, uint64_t min_ms, uint64_t max_ms, int expected)
      : start_(start_ms), min_(min_ms), max_(max_ms), expected_(expected) {
    accusers_.insert(std::move(first_accuser));
  }

  // Records an accuser; returns true if it was a new, independent one.
  bool Confirm(const std::string& accuser) { return accusers_.insert(accuser).second; }
  size_t confirmations() const { return accusers_.size() - 1; }
  uint64_t Deadline() const;

  // The minimum timeout for a cluster of `members`: mult * log10(n) probe intervals.
  static uint64_t MinTimeout(double mult, size_t members, uint64_t probe_interval_ms);

 private:
  uint64_t start_, min_, max_;
  int expected_;
  std::set<std::string> accusers_;
};

}  // namespace parley

// VersionVector: small sorted vector of (replica, counter).
#include "storage/version_vector.h"

#include <algorithm>

namespace parley {

namespace {
bool ReplicaLess(const VersionVector::Entry& e, ReplicaId r) { return e.first < r; }
}  // namespace

uint64_t VersionVector::get(ReplicaId replica) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), replica, ReplicaLess);
  return (it != entries_.end() && it->first == replica) ? it->second : 0;
}

void VersionVector::Raise(ReplicaId replica, uint64_t counter) {
  if (counter == 0) return;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), replica, ReplicaLess);
  if (it != entries_.end() && it->first == replica) {
    it->second = std::max(it->second, counter);
  } else {
    entries_.insert(it, {replica, counter});
  }
}

void VersionVector::Join(const VersionVector& other) {
  if (other.entries_.empty()) return;
  if (entries_.empty()) {
    entries_ = other.entries_;
    return;
  }
  if (8 * other.entries_.size() <= entries_.size()) {
    // A few entries into a clock that may name a whole fleet: in place, by
    // binary search, not a pass and a new vector.
    for (const Entry& e : other.entries_) Raise(e.first, e.second);
    return;
  }
  std::vector<Entry> merged;
  merged.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.begin();
  auto b = other.entries_.begin();
  while (a != entries_.end() || b != other.entries_.end()) {
    if (b == other.entries_.end() || (a != entries_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == entries_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.push_back({a->first, std::max(a->second, b->second)});
      ++a;
      ++b;
    }
  }
  entries_ = std::move(merged);
}

bool VersionVector::IsCanonical(const std::vector<Entry>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].second == 0) return false;
    if (i > 0 && entries[i - 1].first >= entries[i].first) return false;
  }
  return true;
}

VersionVector VersionVector::FromCanonical(std::vector<Entry> entries) {
  VersionVector vv;
  vv.entries_ = std::move(entries);
  return vv;
}

}  // namespace parley

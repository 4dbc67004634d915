// VersionVector: replica id -> highest counter, as a small sorted vector.
//
// Used as the clock of each slot of the map (see slot.h): clock[r] = c means
// the slot reflects every event of replica r on it up to counter c. Entries
// with counter 0 are never stored, so equal vectors compare equal.
#pragma once

#include <cstdint>
#include <utility>
#include <span>
#include <vector>

#include "storage/dot.h"

namespace parley {

class VersionVector {
 public:
  using Entry = std::pair<ReplicaId, uint64_t>;

  uint64_t get(ReplicaId replica) const;
  // Raises the entry of `replica` to at least `counter`.
  void Raise(ReplicaId replica, uint64_t counter);
  // Empties the vector and keeps its memory, for reuse.
  void Clear() { entries_.clear(); }
  bool Dominates(const Dot& dot) const { return get(dot.replica) >= dot.counter; }
  // Pointwise maximum.
  void Join(const VersionVector& other);

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool operator==(const VersionVector&) const = default;

  // For decoders: entries must be strictly increasing by replica, counters > 0.
  static bool IsCanonical(const std::vector<Entry>& entries);
  static VersionVector FromCanonical(std::vector<Entry> entries);
  // Replaces the entries with canonical ones, reusing this vector's buffer.
  void AssignCanonical(std::span<const Entry> entries) { entries_.assign(entries.begin(), entries.end()); }

 private:
  std::vector<Entry> entries_;  // sorted by replica, counters > 0
};

}  // namespace parley

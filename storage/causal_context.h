// CausalContext: the set of dots a replica has seen.
//
// Kept per replica as sorted, disjoint, non-adjacent intervals of counters.
// The first interval of a replica, when it starts at 1, is the version-vector
// part; the others are the "dot cloud" of events seen out of order. Inserting
// a dot that closes a gap merges intervals, which is the compaction of the
// cloud into the vector. Intervals (not single dots) keep memory bounded even
// when a peer sends a huge range.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "storage/dot.h"

namespace parley {

class CausalContext {
 public:
  using Interval = std::pair<uint64_t, uint64_t>;  // inclusive [first, last]

  bool Contains(const Dot& dot) const;
  void Insert(const Dot& dot) { InsertRange({dot.replica, dot.counter, dot.counter}); }
  void InsertRange(const DotRange& range);
  void Join(const CausalContext& other);

  // Highest counter seen for `replica` (0 if none).
  uint64_t MaxCounter(ReplicaId replica) const;
  // Contiguous prefix [1, n] seen for `replica`: the version-vector entry.
  uint64_t VectorEntry(ReplicaId replica) const;
  // Number of dots held outside the vector part (the cloud).
  uint64_t CloudSize() const;

  // Dots in this context that `peer` lacks, as ranges sorted by (replica, first).
  std::vector<DotRange> Missing(const CausalContext& peer) const;

  bool empty() const { return intervals_.empty(); }
  const std::map<ReplicaId, std::vector<Interval>>& intervals() const { return intervals_; }
  bool operator==(const CausalContext&) const = default;
  std::string ToString() const;

  // For decoders: every replica non-zero, intervals non-empty, sorted,
  // disjoint and non-adjacent, counters > 0.
  static bool IsCanonical(const std::vector<Interval>& intervals);

 private:
  std::map<ReplicaId, std::vector<Interval>> intervals_;
};

}  // namespace parley

// CausalContext: the set of dots a replica has seen.
//
// Kept per replica as sorted, disjoint, non-adjacent intervals of counters.
// The first interval of a replica, when it starts at 1, is the version-vector
// part; the others are the "dot cloud" of events seen out of order. Inserting
// a dot that closes a gap merges intervals, which is the compaction of the
// cloud into the vector. Intervals (not single dots) keep memory bounded even
// when a peer sends a huge range.
//
// All replicas' intervals live in one flat vector of DotRanges sorted by
// (replica, first), not in a map of per-replica vectors: with 1000 replicas
// (the simulator) a copy is one allocation instead of ~2000, iteration is a
// linear scan, and Join/Missing/Includes are linear merges of two sorted
// vectors. Lookups of one replica are binary searches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage/dot.h"

namespace parley {

class CausalContext {
 public:
  bool Contains(const Dot& dot) const;
  void Insert(const Dot& dot) { InsertRange({dot.replica, dot.counter, dot.counter}); }
  // Ignores an invalid range (replica 0, counter 0, first > last).
  void InsertRange(const DotRange& range);
  void Join(const CausalContext& other);
  // Empties the context and keeps its memory, for reuse.
  void Clear() {
    ranges_.clear();
    replica_count_ = 0;
  }

  // True iff every dot of `other` is in this context. Does not allocate.
  bool Includes(const CausalContext& other) const;

  // Highest counter seen for `replica` (0 if none).
  uint64_t MaxCounter(ReplicaId replica) const;
  // Contiguous prefix [1, n] seen for `replica`: the version-vector entry.
  uint64_t VectorEntry(ReplicaId replica) const;
  // Number of dots held outside the vector part (the cloud).
  uint64_t CloudSize() const;

  // Dots in this context that `peer` lacks, as ranges sorted by (replica, first).
  std::vector<DotRange> Missing(const CausalContext& peer) const;
  // Like Missing(), but for each replica every dot of this context from the
  // first one `peer` lacks onward, whether `peer` has it or not.
  std::vector<DotRange> MissingOnward(const CausalContext& peer) const;

  bool empty() const { return ranges_.empty(); }
  // Every interval, sorted by (replica, first); canonical (see IsCanonical).
  const std::vector<DotRange>& ranges() const { return ranges_; }
  // Number of distinct replicas in ranges().
  size_t replica_count() const { return replica_count_; }
  // The intervals of one replica (empty if it has none).
  std::span<const DotRange> RangesOf(ReplicaId replica) const;
  // Calls fn(ReplicaId, std::span<const DotRange>) once per replica, in
  // increasing replica order, with that replica's intervals.
  template <typename Fn>
  void ForEachReplica(Fn&& fn) const;

  bool operator==(const CausalContext&) const = default;
  std::string ToString() const;

  // For decoders: every replica non-zero, sorted by replica; each replica's
  // intervals sorted, disjoint and non-adjacent; counters > 0, first <= last.
  // An empty span is canonical (the empty context); decoders that forbid a
  // replica with no intervals check that themselves.
  static bool IsCanonical(std::span<const DotRange> ranges);
  // Adopts `ranges`, which must satisfy IsCanonical (decoders check first).
  static CausalContext FromCanonical(std::vector<DotRange> ranges);

 private:
  void MergeFrom(const std::vector<DotRange>& other);

  std::vector<DotRange> ranges_;  // sorted by (replica, first), canonical
  size_t replica_count_ = 0;      // distinct replicas in ranges_
};

template <typename Fn>
void CausalContext::ForEachReplica(Fn&& fn) const {
  size_t i = 0;
  while (i < ranges_.size()) {
    size_t j = i + 1;
    while (j < ranges_.size() && ranges_[j].replica == ranges_[i].replica) ++j;
    fn(ranges_[i].replica, std::span<const DotRange>(ranges_.data() + i, j - i));
    i = j;
  }
}

}  // namespace parley

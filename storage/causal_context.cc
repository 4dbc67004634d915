// CausalContext: the seen dots of every replica as one sorted vector of intervals.
#include "storage/causal_context.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "storage/gallop.h"

namespace parley {

namespace {

// Joins of at most this many ranges insert them one by one (binary search and
// usually an in-place update); larger ones merge the two vectors in one pass.
// A write's delta carries one or two ranges; a peer's full context carries
// about one per replica.
constexpr size_t kSmallJoin = 8;

using Iter = std::vector<DotRange>::const_iterator;

// True iff range `x` lies wholly before counter `c` of replica `r` in
// (replica, counter) order: an earlier replica, or the same one ending below c.
bool EndsBefore(const DotRange& x, ReplicaId r, uint64_t c) {
  return x.replica < r || (x.replica == r && x.last < c);
}

// First range in [it, end) that does not end before (r, c), by binary search.
Iter FindEnding(Iter it, Iter end, ReplicaId r, uint64_t c) {
  return std::partition_point(it, end, [r, c](const DotRange& x) { return EndsBefore(x, r, c); });
}

// The same, galloping from `it` (gallop.h): a walk that moves forward in
// small steps pays O(log step) per call, and a small context walking a large
// one pays O(log n) per range instead of O(n) in total. Walks start with
// FindEnding, which for a single seek from the start costs half as many
// comparisons.
Iter SeekEnding(Iter it, Iter end, ReplicaId r, uint64_t c) {
  return GallopPartitionPoint(it, end, [r, c](const DotRange& x) { return EndsBefore(x, r, c); });
}

bool OrderedBefore(const DotRange& a, const DotRange& b) {
  return a.replica < b.replica || (a.replica == b.replica && a.first < b.first);
}

}  // namespace

bool CausalContext::Contains(const Dot& dot) const {
  Iter it = FindEnding(ranges_.begin(), ranges_.end(), dot.replica, dot.counter);
  return it != ranges_.end() && it->replica == dot.replica && it->first <= dot.counter;
}

void CausalContext::InsertRange(const DotRange& range) {
  if (range.replica == 0 || range.first == 0 || range.first > range.last) return;
  const ReplicaId r = range.replica;
  uint64_t first = range.first;
  uint64_t last = range.last;
  // First interval that could touch [first, last]: its end >= first - 1.
  // (first > 0, and the far side is written as "hi->first - 1" rather than
  // "last + 1", so UINT64_MAX cannot wrap.)
  auto lo = std::partition_point(ranges_.begin(), ranges_.end(),
                                 [&](const DotRange& x) { return EndsBefore(x, r, first - 1); });
  auto hi = lo;
  while (hi != ranges_.end() && hi->replica == r && hi->first - 1 <= last) {
    first = std::min(first, hi->first);
    last = std::max(last, hi->last);
    ++hi;
  }
  if (lo == hi) {
    bool known = (lo != ranges_.end() && lo->replica == r) ||
                 (lo != ranges_.begin() && std::prev(lo)->replica == r);
    if (!known) ++replica_count_;
    ranges_.insert(lo, {r, first, last});
    return;
  }
  // The common case (extending a replica's newest interval) ends here with
  // an in-place update and nothing to erase or shift.
  lo->first = first;
  lo->last = last;
  if (hi - lo > 1) ranges_.erase(lo + 1, hi);
}

void CausalContext::Join(const CausalContext& other) {
  if (&other == this || other.ranges_.empty()) return;
  if (ranges_.empty()) {
    *this = other;
    return;
  }
  if (other.ranges_.size() <= kSmallJoin) {
    for (const DotRange& r : other.ranges_) InsertRange(r);
    return;
  }
  MergeFrom(other.ranges_);
}

// Merges two canonical vectors into a new one in a single pass: ranges are
// taken in (replica, first) order and each is either appended or, when it
// overlaps or touches the last one of the same replica, folded into it.
void CausalContext::MergeFrom(const std::vector<DotRange>& other) {
  std::vector<DotRange> out;
  out.reserve(ranges_.size() + other.size());
  size_t replicas = 0;
  auto take = [&out, &replicas](const DotRange& r) {
    if (!out.empty() && out.back().replica == r.replica) {
      if (r.first - 1 <= out.back().last) {  // r.first > 0: no wrap
        out.back().last = std::max(out.back().last, r.last);
        return;
      }
    } else {
      ++replicas;
    }
    out.push_back(r);
  };
  size_t i = 0;
  size_t j = 0;
  while (i < ranges_.size() && j < other.size()) {
    take(OrderedBefore(other[j], ranges_[i]) ? other[j++] : ranges_[i++]);
  }
  for (; i < ranges_.size(); ++i) take(ranges_[i]);
  for (; j < other.size(); ++j) take(other[j]);
  ranges_ = std::move(out);
  replica_count_ = replicas;
}

bool CausalContext::Includes(const CausalContext& other) const {
  if (other.replica_count_ > replica_count_) return false;
  if (other.ranges_.empty()) return true;
  const DotRange& front = other.ranges_.front();
  Iter it = FindEnding(ranges_.begin(), ranges_.end(), front.replica, front.first);
  for (const DotRange& o : other.ranges_) {
    // Intervals are non-adjacent, so a range of `other` is included only if
    // the one interval of ours reaching o.first covers all of it.
    it = SeekEnding(it, ranges_.end(), o.replica, o.first);
    if (it == ranges_.end() || it->replica != o.replica || it->first > o.first || it->last < o.last) {
      return false;
    }
  }
  return true;
}

std::span<const DotRange> CausalContext::RangesOf(ReplicaId replica) const {
  auto lo = std::partition_point(ranges_.begin(), ranges_.end(),
                                 [replica](const DotRange& x) { return x.replica < replica; });
  auto hi = std::partition_point(lo, ranges_.end(),
                                 [replica](const DotRange& x) { return x.replica == replica; });
  return {lo, hi};
}

uint64_t CausalContext::MaxCounter(ReplicaId replica) const {
  auto ranges = RangesOf(replica);
  return ranges.empty() ? 0 : ranges.back().last;
}

uint64_t CausalContext::VectorEntry(ReplicaId replica) const {
  auto ranges = RangesOf(replica);
  if (ranges.empty() || ranges.front().first != 1) return 0;
  return ranges.front().last;
}

uint64_t CausalContext::CloudSize() const {
  uint64_t n = 0;
  // Only a replica's first interval can start at 1, and that one (when it
  // does) is the vector part.
  for (const DotRange& r : ranges_) {
    if (r.first != 1) n += r.last - r.first + 1;
  }
  return n;
}

std::vector<DotRange> CausalContext::MissingOnward(const CausalContext& peer) const {
  const std::vector<DotRange> missing = Missing(peer);
  std::vector<DotRange> out;
  for (size_t i = 0; i < missing.size();) {
    const ReplicaId replica = missing[i].replica;
    const uint64_t from = missing[i].first;
    for (const DotRange& mine : RangesOf(replica)) {
      if (mine.last >= from) out.push_back({replica, std::max(mine.first, from), mine.last});
    }
    while (i < missing.size() && missing[i].replica == replica) ++i;
  }
  return out;
}

std::vector<DotRange> CausalContext::Missing(const CausalContext& peer) const {
  std::vector<DotRange> out;
  const auto& theirs = peer.ranges_;
  if (ranges_.empty()) return out;
  Iter j = FindEnding(theirs.begin(), theirs.end(), ranges_.front().replica, ranges_.front().first);
  for (const DotRange& iv : ranges_) {
    // Skip the peer's intervals that end before this one starts; the rest of
    // this replica's, from j on, are walked alongside it.
    j = SeekEnding(j, theirs.end(), iv.replica, iv.first);
    auto covers_from = [&](Iter k, uint64_t c) {
      return k != theirs.end() && k->replica == iv.replica && k->first <= c;
    };
    uint64_t cur = iv.first;
    Iter k = j;
    while (cur <= iv.last) {
      if (covers_from(k, cur)) {
        // Covered by the peer up to k->last.
        if (k->last >= iv.last) break;
        cur = k->last + 1;
        ++k;
        continue;
      }
      uint64_t end = iv.last;
      if (covers_from(k, end)) end = k->first - 1;
      out.push_back({iv.replica, cur, end});
      if (end == iv.last) break;
      cur = end + 1;
    }
  }
  return out;
}

std::string CausalContext::ToString() const {
  std::string s = "{";
  ForEachReplica([&s](ReplicaId replica, std::span<const DotRange> ranges) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "r%llx:", static_cast<unsigned long long>(replica));
    s += buf;
    for (const DotRange& r : ranges) {
      std::snprintf(buf, sizeof(buf), "[%llu,%llu]", static_cast<unsigned long long>(r.first),
                    static_cast<unsigned long long>(r.last));
      s += buf;
    }
    s += " ";
  });
  s += "}";
  return s;
}

bool CausalContext::IsCanonical(std::span<const DotRange> ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    const DotRange& r = ranges[i];
    if (r.replica == 0 || r.first == 0 || r.first > r.last) return false;
    if (i == 0) continue;
    const DotRange& p = ranges[i - 1];
    if (r.replica < p.replica) return false;
    // Same replica: a gap of at least one counter. Written as a difference
    // so that p.last == UINT64_MAX cannot wrap into "disjoint".
    if (r.replica == p.replica && (r.first <= p.last || r.first - p.last < 2)) return false;
  }
  return true;
}

CausalContext CausalContext::FromCanonical(std::vector<DotRange> ranges) {
  CausalContext c;
  c.ranges_ = std::move(ranges);
  for (size_t i = 0; i < c.ranges_.size(); ++i) {
    if (i == 0 || c.ranges_[i].replica != c.ranges_[i - 1].replica) ++c.replica_count_;
  }
  return c;
}

}  // namespace parley

// CausalContext: per-replica interval sets of seen dots.
#include "storage/causal_context.h"

#include <algorithm>
#include <cstdio>

namespace parley {

namespace {

using Interval = CausalContext::Interval;

// Inserts [first, last] into sorted disjoint non-adjacent `v`, merging.
void InsertInterval(std::vector<Interval>& v, uint64_t first, uint64_t last) {
  // First interval that could touch [first, last]: its end >= first - 1.
  // (Written without "+ 1" on the far side so UINT64_MAX cannot wrap.)
  auto lo = std::lower_bound(v.begin(), v.end(), first, [](const Interval& iv, uint64_t f) {
    return iv.second < f - 1;
  });
  auto hi = lo;
  while (hi != v.end() && hi->first - 1 <= last) {
    first = std::min(first, hi->first);
    last = std::max(last, hi->second);
    ++hi;
  }
  if (lo == hi) {
    v.insert(lo, {first, last});
  } else {
    *lo = {first, last};
    v.erase(lo + 1, hi);
  }
}

bool IntervalsContain(const std::vector<Interval>& v, uint64_t c) {
  auto it = std::upper_bound(v.begin(), v.end(), c,
                             [](uint64_t x, const Interval& iv) { return x < iv.first; });
  if (it == v.begin()) return false;
  --it;
  return c <= it->second;
}

}  // namespace

bool CausalContext::Contains(const Dot& dot) const {
  auto it = intervals_.find(dot.replica);
  return it != intervals_.end() && IntervalsContain(it->second, dot.counter);
}

void CausalContext::InsertRange(const DotRange& range) {
  if (range.replica == 0 || range.first == 0 || range.first > range.last) return;
  InsertInterval(intervals_[range.replica], range.first, range.last);
}

void CausalContext::Join(const CausalContext& other) {
  for (const auto& [replica, ivs] : other.intervals_) {
    auto& mine = intervals_[replica];
    if (mine.empty()) {
      mine = ivs;
      continue;
    }
    for (const auto& iv : ivs) InsertInterval(mine, iv.first, iv.second);
  }
}

uint64_t CausalContext::MaxCounter(ReplicaId replica) const {
  auto it = intervals_.find(replica);
  return it == intervals_.end() ? 0 : it->second.back().second;
}

uint64_t CausalContext::VectorEntry(ReplicaId replica) const {
  auto it = intervals_.find(replica);
  if (it == intervals_.end() || it->second.front().first != 1) return 0;
  return it->second.front().second;
}

uint64_t CausalContext::CloudSize() const {
  uint64_t n = 0;
  for (const auto& [replica, ivs] : intervals_) {
    for (size_t i = 0; i < ivs.size(); ++i) {
      if (i == 0 && ivs[i].first == 1) continue;
      n += ivs[i].second - ivs[i].first + 1;
    }
  }
  return n;
}

std::vector<DotRange> CausalContext::Missing(const CausalContext& peer) const {
  std::vector<DotRange> out;
  for (const auto& [replica, mine] : intervals_) {
    auto pit = peer.intervals_.find(replica);
    static const std::vector<Interval> kNone;
    const std::vector<Interval>& theirs = pit == peer.intervals_.end() ? kNone : pit->second;
    size_t j = 0;
    for (const auto& iv : mine) {
      uint64_t cur = iv.first;
      while (j < theirs.size() && theirs[j].second < cur) ++j;
      size_t k = j;
      while (cur <= iv.second) {
        if (k < theirs.size() && theirs[k].first <= cur) {
          // Covered by the peer up to theirs[k].second.
          if (theirs[k].second >= iv.second) break;
          cur = theirs[k].second + 1;
          ++k;
          continue;
        }
        uint64_t end = iv.second;
        if (k < theirs.size() && theirs[k].first <= end) end = theirs[k].first - 1;
        out.push_back({replica, cur, end});
        if (end == iv.second) break;
        cur = end + 1;
      }
    }
  }
  return out;
}

std::string CausalContext::ToString() const {
  std::string s = "{";
  for (const auto& [replica, ivs] : intervals_) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "r%llx:", static_cast<unsigned long long>(replica));
    s += buf;
    for (const auto& iv : ivs) {
      std::snprintf(buf, sizeof(buf), "[%llu,%llu]", static_cast<unsigned long long>(iv.first),
                    static_cast<unsigned long long>(iv.second));
      s += buf;
    }
    s += " ";
  }
  s += "}";
  return s;
}

bool CausalContext::IsCanonical(const std::vector<Interval>& intervals) {
  if (intervals.empty()) return false;
  for (size_t i = 0; i < intervals.size(); ++i) {
    if (intervals[i].first == 0 || intervals[i].first > intervals[i].second) return false;
    if (i > 0 && intervals[i - 1].second + 1 >= intervals[i].first) return false;
  }
  return true;
}

}  // namespace parley

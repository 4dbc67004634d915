// KeyOrder: the entries of an append-only deque in name order, sorted only
// when someone asks for the order.
//
// CrdtMap keeps its keys in a deque (stable addresses, no per-key tree
// node) and finds them through a hash index (flat_index.h). Creating a key
// in an ordered map walked ~13 cold tree levels with a string compare at
// each: in the 1000-node simulator every node creates every key once, and
// that walk was 11% of the run. Order is needed far less often (snapshots,
// KEYS/SCAN, the canonical encoding), so the entries added since the last
// request are sorted there and merged into the sorted list.
//
// Entries are never removed (CrdtMap never erases a key). Sorted() may be
// called from several reader threads at once (the embedding API reads the
// map under a shared lock), so the merge holds a mutex. A writer appends
// entries only while no reader runs, so a list a reader got stays valid for
// as long as that reader holds its lock.
#pragma once

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace parley {

template <typename Entry, const std::string& (*NameOf)(const Entry&)>
class KeyOrder {
 public:
  KeyOrder() = default;
  // The list points into the deque's elements, which a deque's move keeps
  // where they are; the mutex is not moved.
  KeyOrder(KeyOrder&& other) noexcept : sorted_(std::move(other.sorted_)) { other.sorted_.clear(); }
  KeyOrder& operator=(KeyOrder&& other) noexcept {
    sorted_ = std::move(other.sorted_);
    other.sorted_.clear();
    return *this;
  }

  // Every entry of `entries` (the deque this order was always given), by name.
  const std::vector<const Entry*>& Sorted(const std::deque<Entry>& entries) const {
    std::lock_guard lock(mutex_);
    size_t old = sorted_.size();
    if (old == entries.size()) return sorted_;
    for (auto it = entries.begin() + static_cast<std::ptrdiff_t>(old); it != entries.end(); ++it) {
      sorted_.push_back(&*it);
    }
    auto by_name = [](const Entry* a, const Entry* b) { return NameOf(*a) < NameOf(*b); };
    auto middle = sorted_.begin() + static_cast<std::ptrdiff_t>(old);
    std::sort(middle, sorted_.end(), by_name);
    std::inplace_merge(sorted_.begin(), middle, sorted_.end(), by_name);
    return sorted_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::vector<const Entry*> sorted_;
};

}  // namespace parley

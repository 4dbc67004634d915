// FlatIndex: objects by name, in one flat open-addressed hash table.
//
// For tables whose objects live elsewhere at stable addresses (std::map
// nodes) and are looked up by name far more often than they come and go:
// a node's members (every piggybacked alive/suspect/dead message names one)
// and the keys of its map (every joined delta and every RESP command names
// one). A lookup reads one 8-byte slot and the object it points to, which
// it would read anyway; a node-based hash map costs a miss for the bucket,
// one for the node and one for the name, and an ordered map ~log2(n) of them
// (a 10,000-key map was 16% of the 1000-node simulator). Slots hold only the
// pointer, 8-17 bytes an object, so that an embedded map of a million keys
// stays within its memory budget (at most 3/4 full: 11-21 bytes a key);
// names are compared on every probe, which reads the object a lookup
// would read anyway, and a hit takes 1.5-2.5 probes on average.
//
// Linear probing; erasing shifts the following slots back, so there are no
// tombstones and the table never needs cleaning. `NameOf` gives an indexed
// object's name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley {

template <typename T, const std::string& (*NameOf)(const T&)>
class FlatIndex {
 public:
  FlatIndex() = default;
  // A copy would point into the original's objects.
  FlatIndex(const FlatIndex&) = delete;
  FlatIndex& operator=(const FlatIndex&) = delete;
  FlatIndex(FlatIndex&& other) noexcept { *this = std::move(other); }
  FlatIndex& operator=(FlatIndex&& other) noexcept {
    slots_ = std::move(other.slots_);
    size_ = std::exchange(other.size_, 0);
    other.slots_.clear();
    return *this;
  }

  T* Find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    return slots_[Probe(name)];
  }

  // Adds or replaces the object stored under `name`.
  void Insert(std::string_view name, T* object) {
    if (4 * (size_ + 1) > 3 * slots_.size()) Grow();
    T*& slot = slots_[Probe(name)];
    if (slot == nullptr) ++size_;
    slot = object;
  }

  void Erase(std::string_view name) {
    if (slots_.empty()) return;
    size_t mask = slots_.size() - 1;
    size_t hole = Probe(name);
    if (slots_[hole] == nullptr) return;
    --size_;
    // Move back every later slot of the run that may live in the hole, so a
    // probe never stops early at it.
    for (size_t i = (hole + 1) & mask; slots_[i] != nullptr; i = (i + 1) & mask) {
      size_t home = Hash(NameOf(*slots_[i])) & mask;
      // The slot may move to `hole` unless its home lies cyclically in (hole, i].
      bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!stays) {
        slots_[hole] = slots_[i];
        hole = i;
      }
    }
    slots_[hole] = nullptr;
  }

  size_t size() const { return size_; }

 private:
  static uint64_t Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

  // The slot holding `name`, or the empty one that ends its run.
  size_t Probe(std::string_view name) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(name) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == nullptr || NameOf(*slots_[i]) == name) return i;
    }
  }

  void Grow() {
    std::vector<T*> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : 2 * old.size(), nullptr);
    size_t mask = slots_.size() - 1;
    for (T* object : old) {
      if (object == nullptr) continue;
      size_t i = Hash(NameOf(*object)) & mask;
      while (slots_[i] != nullptr) i = (i + 1) & mask;
      slots_[i] = object;
    }
  }

  std::vector<T*> slots_;  // a power of two, at most 3/4 full; null: empty
  size_t size_ = 0;
};

}  // namespace parley

// FlatIndex: objects by name, in one flat open-addressed hash table.
//
// For tables whose objects live elsewhere at stable addresses (std::map
// nodes) and are looked up by name far more often than they come and go:
// a node's members (every piggybacked alive/suspect/dead message names one)
// and the keys of its map (every joined delta and every RESP command names
// one). A lookup reads one 16-byte slot (the name's hash and the object)
// and then the object itself; a node-based hash map costs a miss for the
// bucket, one for the node and one for the name, and an ordered map ~log2(n)
// of them (a 10,000-key map was 16% of the 1000-node simulator).
//
// Linear probing, at most half full; erasing shifts the following slots
// back, so there are no tombstones and the table never needs cleaning.
// `NameOf` gives an indexed object's name, which the table compares with.
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
    return slots_[Probe(name, Hash(name))].object;
  }

  // Adds or replaces the object stored under `name`.
  void Insert(std::string_view name, T* object) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    uint64_t hash = Hash(name);
    Slot& s = slots_[Probe(name, hash)];
    if (s.object == nullptr) ++size_;
    s = Slot{hash, object};
  }

  void Erase(std::string_view name) {
    if (slots_.empty()) return;
    size_t mask = slots_.size() - 1;
    size_t hole = Probe(name, Hash(name));
    if (slots_[hole].object == nullptr) return;
    --size_;
    // Move back every later slot of the run that may live in the hole, so a
    // probe never stops early at it.
    for (size_t i = (hole + 1) & mask; slots_[i].object != nullptr; i = (i + 1) & mask) {
      size_t home = slots_[i].hash & mask;
      // The slot may move to `hole` unless its home lies cyclically in (hole, i].
      bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!stays) {
        slots_[hole] = slots_[i];
        hole = i;
      }
    }
    slots_[hole] = Slot{};
  }

  void Clear() {
    slots_.clear();
    size_ = 0;
  }
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t hash = 0;
    T* object = nullptr;  // null: empty
  };

  static uint64_t Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

  // The slot holding `name`, or the empty one that ends its run.
  size_t Probe(std::string_view name, uint64_t hash) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.object == nullptr || (s.hash == hash && NameOf(*s.object) == name)) return i;
    }
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.object == nullptr) continue;
      size_t i = s.hash & mask;
      while (slots_[i].object != nullptr) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // a power of two, at most half full
  size_t size_ = 0;
};

}  // namespace parley

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
// stays within its memory budget (at most 3/4 full: 11-21 bytes a key).
//
// Each slot also keeps 16 bits of its name's hash in the pointer's unused
// top bits, and a probe reads an object only when those match. Without them
// every probe read the object it passed: a lookup of an absent name (every
// new member or key) walks the whole probe run, ~8 slots at 3/4 full, and
// took ~8 cache misses; joining 1000 nodes into a fleet spent a quarter of
// its time there. With them, a probe run costs the slots' own cache line or
// two and the one object that matches. Should an object ever lie above the
// 48-bit addresses that x86-64 and AArch64 user space use, the table drops
// the tags and compares names on every probe, as before.
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
    tagged_ = std::exchange(other.tagged_, true);
    other.slots_.clear();
    return *this;
  }

  T* Find(std::string_view name) const {
    if (slots_.empty()) return nullptr;
    return ObjectOf(slots_[Probe(name, Hash(name))]);
  }

  // Adds or replaces the object stored under `name`.
  void Insert(std::string_view name, T* object) {
    if (4 * (size_ + 1) > 3 * slots_.size()) Grow();
    if (tagged_ && (reinterpret_cast<uintptr_t>(object) >> kTagShift) != 0) DropTags();
    const uint64_t hash = Hash(name);
    uintptr_t& slot = slots_[Probe(name, hash)];
    if (slot == 0) ++size_;
    slot = SlotFor(object, hash);
  }

  void Erase(std::string_view name) {
    if (slots_.empty()) return;
    size_t mask = slots_.size() - 1;
    size_t hole = Probe(name, Hash(name));
    if (slots_[hole] == 0) return;
    --size_;
    // Move back every later slot of the run that may live in the hole, so a
    // probe never stops early at it.
    for (size_t i = (hole + 1) & mask; slots_[i] != 0; i = (i + 1) & mask) {
      size_t home = Hash(NameOf(*ObjectOf(slots_[i]))) & mask;
      // The slot may move to `hole` unless its home lies cyclically in (hole, i].
      bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!stays) {
        slots_[hole] = slots_[i];
        hole = i;
      }
    }
    slots_[hole] = 0;
  }

  size_t size() const { return size_; }

  // What an object above 48-bit addresses makes Insert do; no allocation in
  // a test can reach that, so tests call this instead.
  void DropTagsForTesting() { DropTags(); }

 private:
  static constexpr int kTagShift = 48;
  static constexpr uintptr_t kPointerBits = (uintptr_t{1} << kTagShift) - 1;
  static_assert(sizeof(uintptr_t) == 8, "FlatIndex keeps hash tags in 64-bit pointers");

  static uint64_t Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }
  // The top 16 bits of the hash; the home slot comes from the low bits.
  static uintptr_t TagOf(uint64_t hash) { return static_cast<uintptr_t>(hash >> kTagShift) << kTagShift; }

  uintptr_t SlotFor(T* object, uint64_t hash) const {
    auto address = reinterpret_cast<uintptr_t>(object);
    return tagged_ ? address | TagOf(hash) : address;
  }
  T* ObjectOf(uintptr_t slot) const { return reinterpret_cast<T*>(tagged_ ? slot & kPointerBits : slot); }

  // The slot holding `name`, or the empty one that ends its run.
  size_t Probe(std::string_view name, uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    const uintptr_t tag = TagOf(hash);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const uintptr_t slot = slots_[i];
      if (slot == 0) return i;
      if ((!tagged_ || (slot & ~kPointerBits) == tag) && NameOf(*ObjectOf(slot)) == name) return i;
    }
  }

  void Grow() {
    std::vector<uintptr_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : 2 * old.size(), 0);
    size_t mask = slots_.size() - 1;
    for (uintptr_t slot : old) {
      if (slot == 0) continue;
      size_t i = Hash(NameOf(*ObjectOf(slot))) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = slot;  // the tag stays: it is the name's, not the table's
    }
  }

  // Strips the tags: from now on every probe compares names.
  void DropTags() {
    for (uintptr_t& slot : slots_) slot &= kPointerBits;
    tagged_ = false;
  }

  std::vector<uintptr_t> slots_;  // a power of two, at most 3/4 full; 0: empty
  size_t size_ = 0;
  bool tagged_ = true;
};

}  // namespace parley

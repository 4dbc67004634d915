// MemberIndex: linear probing with backward-shift deletion.
#include "node/core/member_index.h"

#include <functional>
#include <utility>

#include "node/core/membership.h"

namespace parley {

uint64_t MemberIndex::Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

size_t MemberIndex::Probe(std::string_view name, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.member == nullptr || (s.hash == hash && s.member->name == name)) return i;
  }
}

Member* MemberIndex::Find(std::string_view name) const {
  if (slots_.empty()) return nullptr;
  return slots_[Probe(name, Hash(name))].member;
}

void MemberIndex::Insert(std::string_view name, Member* member) {
  if (2 * (size_ + 1) > slots_.size()) Grow();
  uint64_t hash = Hash(name);
  Slot& s = slots_[Probe(name, hash)];
  if (s.member == nullptr) ++size_;
  s = Slot{hash, member};
}

void MemberIndex::Erase(std::string_view name) {
  if (slots_.empty()) return;
  size_t mask = slots_.size() - 1;
  size_t hole = Probe(name, Hash(name));
  if (slots_[hole].member == nullptr) return;
  --size_;
  // Move back every later slot of the run that may live in the hole, so a
  // probe never stops early at it.
  for (size_t i = (hole + 1) & mask; slots_[i].member != nullptr; i = (i + 1) & mask) {
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

void MemberIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.member == nullptr) continue;
    size_t i = s.hash & mask;
    while (slots_[i].member != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace parley

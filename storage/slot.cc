// Slot merging: the observed-remove join of one slot's entries and clock.
#include "storage/slot.h"

namespace parley {

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNone: return "none";
    case ValueType::kRegister: return "register";
    case ValueType::kCounter: return "counter";
    case ValueType::kSet: return "set";
    case ValueType::kHash: return "hash";
  }
  return "unknown";
}

bool Slot::IsWellFormed() const {
  if (!VersionVector::IsCanonical(clock.entries())) return false;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Dot& d = entries[i].dot;
    if (d.replica == 0 || d.counter == 0 || !clock.Dominates(d)) return false;
    if (i > 0 && !(entries[i - 1].dot < d)) return false;
  }
  return true;
}

bool MergeSlot(Slot& into, const Slot& incoming) {
  std::vector<Entry> merged;
  merged.reserve(into.entries.size() + incoming.entries.size());
  bool changed = false;
  auto a = into.entries.begin();
  auto b = incoming.entries.begin();
  while (a != into.entries.end() || b != incoming.entries.end()) {
    if (b == incoming.entries.end() || (a != into.entries.end() && a->dot < b->dot)) {
      // Only here: removed if the incoming side has seen it.
      if (!incoming.clock.Dominates(a->dot)) {
        merged.push_back(std::move(*a));
      } else {
        changed = true;
      }
      ++a;
    } else if (a == into.entries.end() || b->dot < a->dot) {
      // Only there: new to us unless we have seen (and so removed) it.
      if (!into.clock.Dominates(b->dot)) {
        merged.push_back(*b);
        changed = true;
      }
      ++b;
    } else {
      merged.push_back(std::move(*a));
      ++a;
      ++b;
    }
  }
  into.entries = std::move(merged);
  into.clock.Join(incoming.clock);
  return changed;
}

}  // namespace parley

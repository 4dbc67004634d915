// Slot merging: the observed-remove join of one slot's entries and clock.
#include "storage/slot.h"

#include <algorithm>

namespace parley {
namespace {

bool DotBefore(const Entry& e, const Dot& dot) { return e.dot < dot; }

bool HasDot(const std::vector<Entry>& entries, const Dot& dot) {
  auto it = std::lower_bound(entries.begin(), entries.end(), dot, DotBefore);
  return it != entries.end() && it->dot == dot;
}

// MergeSlot() of an incoming state much smaller than `into`: a write's
// change joined into a slot that a fleet shares, whose clock and (for a
// counter) entries name every writer. The same rule, but only what
// `incoming` can touch is looked at, by binary search, and `into` changes in
// place: with passes over 1000 clock entries and 1000 counter totals, every
// joined write cost as much as the whole slot.
bool MergeSmall(Slot& into, const Slot& incoming) {
  bool changed = false;
  auto seen_and_lacked = [&](const Entry& e) {
    return incoming.clock.Dominates(e.dot) && !HasDot(incoming.entries, e.dot);
  };
  // Entries new to `into`: neither held nor seen (seen means removed). This
  // uses into's clock before the join, so it comes first.
  for (const Entry& b : incoming.entries) {
    if (into.clock.Dominates(b.dot) || HasDot(into.entries, b.dot)) continue;
    changed = true;
    auto pos = std::lower_bound(into.entries.begin(), into.entries.end(), b.dot, DotBefore);
    // The entry just before it goes anyway (a counter's previous total from
    // the same writer): take its place instead of shifting the vector twice.
    if (pos != into.entries.begin() && seen_and_lacked(*(pos - 1))) {
      *(pos - 1) = b;
    } else {
      into.entries.insert(pos, b);
    }
  }
  // Entries of `into` that incoming has seen but lacks were removed there.
  // Only replicas named by incoming's clock can have such entries.
  for (const auto& [replica, counter] : incoming.clock.entries()) {
    auto it = std::lower_bound(into.entries.begin(), into.entries.end(), Dot{replica, 0}, DotBefore);
    while (it != into.entries.end() && it->dot.replica == replica && it->dot.counter <= counter) {
      if (HasDot(incoming.entries, it->dot)) {
        ++it;
      } else {
        it = into.entries.erase(it);
        changed = true;
      }
    }
  }
  into.clock.Join(incoming.clock);
  return changed;
}

}  // namespace

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
  if (8 * (incoming.clock.size() + incoming.entries.size()) <= into.clock.size() + into.entries.size()) {
    return MergeSmall(into, incoming);
  }
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

// Delta: size estimate, the structural checks decoders rely on, and the
// join of a write group's deltas.
#include "storage/delta.h"

#include <algorithm>

namespace parley {

size_t Delta::ApproximateBytes() const {
  size_t n = 16;
  n += 8 * context.replica_count() + 16 * context.ranges().size();
  for (const SlotState& s : slots) n += s.ApproximateBytes();
  return n;
}

size_t SlotState::ApproximateBytes() const {
  size_t n = (after ? 24 : 8) + key.size() + slot.member.size() + 16 * state.clock.size();
  for (const Entry& e : state.entries) n += 40 + e.value.size();
  return n;
}

bool Delta::IsWellFormed(std::string* why) const {
  auto fail = [why](const char* msg) {
    if (why) *why = msg;
    return false;
  };
  // (IsCanonical also rejects replica 0.)
  if (!CausalContext::IsCanonical(context.ranges())) return fail("context is not canonical");
  for (size_t i = 0; i < slots.size(); ++i) {
    const SlotState& s = slots[i];
    if (s.slot.type == ValueType::kNone || s.slot.type > ValueType::kHash) {
      return fail("slot has an unknown value type");
    }
    bool needs_member = s.slot.type == ValueType::kSet || s.slot.type == ValueType::kHash;
    if (!needs_member && !s.slot.member.empty()) return fail("register or counter slot names a member");
    if (s.state.clock.empty()) return fail("slot has an empty clock");
    if (!s.state.IsWellFormed()) return fail("slot entries are unsorted or not covered by its clock");
    if (s.after && s.state.clock.get(s.after->replica) <= s.after->counter) {
      return fail("a write's slot change does not carry a newer dot of its writer");
    }
    if (i > 0) {
      const SlotState& p = slots[i - 1];
      if (!(p.key < s.key || (p.key == s.key && p.slot < s.slot))) {
        return fail("slots are not sorted and unique");
      }
    }
  }
  return true;
}

Delta JoinWriteDeltas(std::vector<Delta> writes) {
  Delta joined;
  std::vector<SlotState> changes;
  for (Delta& write : writes) {
    joined.context.Join(write.context);
    for (SlotState& change : write.slots) changes.push_back(std::move(change));
  }
  // By slot; stable, so each slot's changes stay in the order written.
  std::stable_sort(changes.begin(), changes.end(), [](const SlotState& a, const SlotState& b) {
    return a.key != b.key ? a.key < b.key : a.slot < b.slot;
  });
  for (SlotState& change : changes) {
    if (!joined.slots.empty() && joined.slots.back().key == change.key && joined.slots.back().slot == change.slot) {
      MergeSlot(joined.slots.back().state, change.state);  // the first change's `after` stays
    } else {
      joined.slots.push_back(std::move(change));
    }
  }
  return joined;
}

}  // namespace parley

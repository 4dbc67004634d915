// Slots: the unit of state and of merging in the map.
//
// A key's value lives in one or more slots. A register and a counter each use
// one slot; a set uses a slot per member; a hash a slot per field. A slot is
// an observed-remove store in the style of an ORSWOT: a version-vector clock
// plus the live entries, each named by the dot of the write that made it.
//
//   clock[r] = c  means the slot reflects every event of replica r on this
//                 slot up to counter c (events of one replica on one slot are
//                 sequential, so this set of events is downward closed).
//
// Merging two slot states keeps an entry if both have it, or if one has it and
// the other's clock has not seen its dot; an entry absent from a state whose
// clock has seen its dot was removed. No tombstones per write are needed.
// Anti-entropy chunks carry whole slots, which is what makes removals travel
// correctly with range-cut anti-entropy (see the notes in crdt_map.h); a
// write's delta carries only its change (SlotState::after in delta.h), since
// a clock grows with every replica that ever wrote the slot.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/dot.h"
#include "storage/hybrid_clock.h"
#include "storage/version_vector.h"

namespace parley {

enum class ValueType : uint8_t {
  kNone = 0,
  kRegister = 1,
  kCounter = 2,
  kSet = 3,
  kHash = 4,
};
const char* ValueTypeName(ValueType type);  // "none", "register", ...

// One live write. Which fields matter depends on the slot's type:
// register and hash field: value; counter: increments/decrements, cumulative
// for the writing replica; set member: none. `ts` orders writes for
// last-writer-wins and for the type-conflict rule.
struct Entry {
  Dot dot;
  Timestamp ts = 0;
  std::string value;
  uint64_t increments = 0;
  uint64_t decrements = 0;

  bool operator==(const Entry&) const = default;
};

// Which slot of a key: its type and, for sets and hashes, the member/field.
struct SlotKey {
  ValueType type = ValueType::kNone;
  std::string member;

  auto operator<=>(const SlotKey&) const = default;
};

struct Slot {
  VersionVector clock;
  std::vector<Entry> entries;  // sorted by dot, unique

  bool operator==(const Slot&) const = default;
  // Entries whose dots are not covered by the clock break the merge rule;
  // decoders check this before a slot is merged.
  bool IsWellFormed() const;
};

// Merges `incoming` into `into` (the ORSWOT join). Returns true if the live
// entries of `into` changed.
bool MergeSlot(Slot& into, const Slot& incoming);

}  // namespace parley

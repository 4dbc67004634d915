// Delta: a piece of map state that can be shipped and joined.
//
// A delta is a causal context plus the full states of some slots. Writes
// produce deltas (context = the new dots); anti-entropy produces range-cut
// chunks (context = a range of dots the peer lacked); a whole replica can be
// exported as one delta (a snapshot). Joining deltas in any order, duplicated
// or grouped, gives the same state (I1).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "storage/causal_context.h"
#include "storage/slot.h"

namespace parley {

struct SlotState {
  std::string key;
  SlotKey slot;
  Slot state;

  bool operator==(const SlotState&) const = default;
};

struct Delta {
  CausalContext context;
  std::vector<SlotState> slots;  // sorted by (key, slot), unique

  bool empty() const { return slots.empty() && context.empty(); }
  // Rough in-memory/wire size, for chunking and batching decisions.
  size_t ApproximateBytes() const;
  bool operator==(const Delta&) const = default;
  // Checks the structural rules a decoder must enforce before a delta reaches
  // the map: canonical context, sorted unique slots, well-formed slots.
  bool IsWellFormed(std::string* why) const;
};

}  // namespace parley

// Delta: a piece of map state that can be shipped and joined.
//
// A delta is a causal context plus states of some slots. Writes produce
// deltas (context = the new dot) whose slots carry only the write's change;
// anti-entropy produces range-cut chunks (context = a range of dots the peer
// lacked) of full slot states; a whole replica can be exported as one delta
// (a snapshot). Joining deltas in any order, duplicated or grouped, gives the
// same state (I1).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "storage/causal_context.h"
#include "storage/slot.h"

namespace parley {

struct SlotState {
  std::string key;
  SlotKey slot;
  Slot state;
  // Unset: `state` is a slot's full state. Set: `state` is one write's
  // change to the slot: the entry it made and, in its clock, its own dot
  // (after.replica, state.clock[after.replica]) and the dots of the entries
  // it replaced. `after.counter` is the writer's previous event on the slot
  // (0 if none). Such a change may be joined only where the slot already
  // reflects those replaced entries and that previous event (see
  // CrdtMap::Ready): a write's delta so costs O(entries it replaced), not
  // O(replicas that ever wrote the key), yet a slot's clock still never
  // claims an event whose effects the slot lacks, which anti-entropy relies on.
  std::optional<Dot> after = std::nullopt;

  // Rough in-memory/wire size, for chunking and batching decisions.
  size_t ApproximateBytes() const;

  bool operator==(const SlotState&) const = default;
};

// Names one slot of the map.
struct SlotRef {
  std::string key;
  SlotKey slot;

  auto operator<=>(const SlotRef&) const = default;
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

// Joins the deltas of successive writes of one replica (CrdtMap::Apply's,
// in the order they were made) into one delta that a map joins, and that
// CrdtMap::Ready admits, exactly as it would the writes one by one: the
// contexts joined, and per slot the changes' states merged (MergeSlot) with
// the first change's `after` kept, since the later changes build on the
// earlier ones carried with them. For a write group that peers must take in
// one step.
Delta JoinWriteDeltas(std::vector<Delta> writes);

}  // namespace parley

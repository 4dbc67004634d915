// StoredSlot: the compact form in which CrdtMap keeps a slot in memory.
//
// A Slot (slot.h) is the form deltas, codecs and MergeSlot() work with: a
// clock vector and an entry vector, so two heap blocks (112 B) even for a
// register. The map keeps a million of them, and nearly all have a single
// clock entry and at most one entry without counter totals (a register, a set
// member, a hash field). StoredSlot keeps exactly that case inline, in 72
// bytes and no heap block, and keeps anything else (several writers, counter
// totals, concurrent values) in heap storage of the public types, so every
// slot converts back to the Slot it was made from, field for field.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage/dot.h"
#include "storage/hybrid_clock.h"
#include "storage/slot.h"
#include "storage/version_vector.h"

namespace parley {

// A slot's clock: one (replica, counter) pair inline, else a heap vector.
class StoredClock {
 public:
  StoredClock() = default;
  ~StoredClock() { Clear(); }
  StoredClock(StoredClock&& other) noexcept : one_(other.one_) { other.one_ = {0, 0}; }
  StoredClock& operator=(StoredClock&& other) noexcept;
  StoredClock(const StoredClock&) = delete;
  StoredClock& operator=(const StoredClock&) = delete;

  void Assign(const VersionVector& clock);
  // The same, trading buffers with `clock` where both are heap vectors;
  // `clock` is left valid but unspecified.
  void Assign(VersionVector&& clock);
  // Moves the entries into `*out` (see StoredSlot::MoveTo).
  void MoveTo(VersionVector* out);
  VersionVector ToVersionVector() const;
  std::span<const VersionVector::Entry> entries() const;
  size_t size() const { return entries().size(); }
  uint64_t get(ReplicaId replica) const;

 private:
  void Clear();
  // Replica ids are never 0, so one_.first == 0 marks the heap form, with
  // one_.second the address of a VersionVector of two or more entries (or 0
  // for an empty clock).
  VersionVector* heap() const;

  VersionVector::Entry one_{0, 0};
};

// A slot's live entries: one entry without counter totals inline, else a heap
// vector of public Entry values.
class StoredEntries {
 public:
  StoredEntries() = default;
  ~StoredEntries() { Clear(); }
  StoredEntries(StoredEntries&& other) noexcept;
  StoredEntries& operator=(StoredEntries&& other) noexcept;
  StoredEntries(const StoredEntries&) = delete;
  StoredEntries& operator=(const StoredEntries&) = delete;

  // Takes the entries of `entries` and leaves the caller a buffer to reuse
  // (this slot's old heap vector, swapped), except when this slot had no
  // heap vector yet and needs more than the inline form.
  void Assign(std::vector<Entry>&& entries);
  // Moves the entries into `*out` (see StoredSlot::MoveTo).
  void MoveTo(std::vector<Entry>* out);
  // Copies the entries into `out`, whose buffers are reused.
  void CopyTo(std::vector<Entry>* out) const;

  size_t size() const { return dot_.replica != 0 ? 1 : (heap_ ? heap_->size() : 0); }
  bool empty() const { return size() == 0; }
  const Dot& dot(size_t i) const { return dot_.replica != 0 ? dot_ : (*heap_)[i].dot; }
  Timestamp ts(size_t i) const { return dot_.replica != 0 ? ts_ : (*heap_)[i].ts; }
  const std::string& value(size_t i) const { return dot_.replica != 0 ? value_ : (*heap_)[i].value; }
  uint64_t increments(size_t i) const { return dot_.replica != 0 ? 0 : (*heap_)[i].increments; }
  uint64_t decrements(size_t i) const { return dot_.replica != 0 ? 0 : (*heap_)[i].decrements; }
  // Index of the entry that wins last-writer-wins (greatest (ts, dot)), or
  // size() if there is none.
  size_t Newest() const;

 private:
  void Clear();

  // dot_.replica != 0: the one inline entry is (dot_, ts_, value_).
  // dot_.replica == 0: heap_ holds the entries (null when there are none).
  Dot dot_;
  union {
    Timestamp ts_;
    std::vector<Entry>* heap_ = nullptr;
  };
  std::string value_;
};

struct StoredSlot {
  StoredClock clock;
  StoredEntries entries;

  // Takes `slot`'s state. Where this slot already keeps heap vectors they
  // trade buffers with `slot`'s, so both sides keep an allocation to reuse.
  void Assign(Slot&& slot) {
    clock.Assign(std::move(slot.clock));
    entries.Assign(std::move(slot.entries));
  }
  // Moves the state into `*out` (a scratch slot, whose old contents are
  // dropped): heap vectors trade buffers with out's, the inline form is
  // copied. This slot is stale afterwards, until the next Assign().
  void MoveTo(Slot* out) {
    clock.MoveTo(&out->clock);
    entries.MoveTo(&out->entries);
  }
  // Into `out`, reusing its buffers (the write path's scratch).
  void CopyTo(Slot* out) const {
    out->clock.AssignCanonical(clock.entries());
    entries.CopyTo(&out->entries);
  }
  Slot ToSlot() const {
    Slot out;
    CopyTo(&out);
    return out;
  }
};

}  // namespace parley

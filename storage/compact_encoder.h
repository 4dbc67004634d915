// CompactEncoder: writes the compact delta encoding (compact_delta.h) from
// any source of slots, so that a whole map can be encoded where it lives.
//
// A snapshot used to copy the map into a Delta (every key, member and value
// string, every clock) only to encode that copy and throw it away: in the
// 1000-node simulator that copy was two thirds of each snapshot's cost.
// CrdtMap::EncodeState() and EncodeCompactDelta() both call EncodeCompact()
// here, with their own slot walkers, and so write the same bytes for the
// same state.
//
// A source is a callable that, given fn, calls in (key, slot) order
//   fn(std::string_view key, const SlotKey& slot,
//      std::span<const VersionVector::Entry> clock, const Entries& entries)
// where Entries offers size(), dot(i), ts(i), value(i), increments(i) and
// decrements(i) (StoredEntries does; EntryList below wraps a vector).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/causal_context.h"
#include "storage/gallop.h"
#include "storage/log_format.h"
#include "storage/slot.h"
#include "storage/varint.h"
#include "storage/version_vector.h"

namespace parley {

// A vector of public Entry values seen through StoredEntries' accessors.
class EntryList {
 public:
  explicit EntryList(const std::vector<Entry>& entries) : entries_(entries) {}
  size_t size() const { return entries_.size(); }
  const Dot& dot(size_t i) const { return entries_[i].dot; }
  Timestamp ts(size_t i) const { return entries_[i].ts; }
  const std::string& value(size_t i) const { return entries_[i].value; }
  uint64_t increments(size_t i) const { return entries_[i].increments; }
  uint64_t decrements(size_t i) const { return entries_[i].decrements; }

 private:
  const std::vector<Entry>& entries_;
};

namespace compact_internal {

// The index of the first of table[0, end) not below `replica`, galloping
// on from the previous answer in `*hint` (gallop.h). Callers look up the
// replicas of one clock or one slot's entries, which come in increasing
// order: in a clock that names a fleet's 1000 writers, each lookup is then
// a step or two instead of a binary search of the whole table (crdt_bench
// BM_EncodeStateOfSharedKeys: half the time). A lookup below the previous
// one starts again from the front.
inline size_t SeekReplica(const std::vector<ReplicaId>& table, size_t end, size_t* hint, ReplicaId replica) {
  size_t from = std::min(*hint, end);
  if (from > 0 && table[from - 1] >= replica) from = 0;  // else every entry before `from` is below replica
  auto first = table.begin();
  auto found = GallopPartitionPoint(first + static_cast<std::ptrdiff_t>(from), first + static_cast<std::ptrdiff_t>(end),
                                    [replica](ReplicaId r) { return r < replica; });
  *hint = static_cast<size_t>(found - first);
  return *hint;
}

// Writes at a cursor into space the caller sized; replicas become indices
// into the sorted replica table.
class Writer {
 public:
  Writer(char* cursor, const std::vector<ReplicaId>& table) : cursor_(cursor), table_(table) {}

  char* cursor() const { return cursor_; }
  void Uint(uint64_t v) { cursor_ += EncodeVarint64(cursor_, v); }
  void Byte(uint8_t v) { *cursor_++ = static_cast<char>(v); }
  void Bytes(std::string_view s) {
    Uint(s.size());
    std::memcpy(cursor_, s.data(), s.size());
    cursor_ += s.size();
  }
  void Fixed64(uint64_t v) {
    EncodeFixed64(cursor_, v);
    cursor_ += 8;
  }
  void Replica(ReplicaId replica) {
    size_t index = SeekReplica(table_, table_.size(), &hint_, replica);
    assert(index < table_.size() && table_[index] == replica);
    Uint(index);
  }

 private:
  char* cursor_;
  const std::vector<ReplicaId>& table_;
  size_t hint_ = 0;
};

// The replica table under construction: the context's replicas (already
// sorted), plus any a slot names that the context lacks (a slot brought up
// to date by a pull names writers whose dots the context need not hold).
// Looking each slot replica up in the context's list beats gathering every
// clock entry of the state and sorting them all.
class TableBuilder {
 public:
  explicit TableBuilder(std::vector<ReplicaId>* table) : table_(*table) {}
  void Note(ReplicaId replica) {
    if (replica == last_) return;  // runs of one writer are common
    last_ = replica;
    size_t index = SeekReplica(table_, known_, &hint_, replica);
    if (index == known_ || table_[index] != replica) extra_.push_back(replica);
  }
  void SetKnown() { known_ = table_.size(); }
  void Finish() {
    if (extra_.empty()) return;
    std::sort(extra_.begin(), extra_.end());
    extra_.erase(std::unique(extra_.begin(), extra_.end()), extra_.end());
    const auto middle = table_.insert(table_.end(), extra_.begin(), extra_.end());
    std::inplace_merge(table_.begin(), middle, table_.end());
  }

 private:
  std::vector<ReplicaId>& table_;
  size_t known_ = 0;
  size_t hint_ = 0;
  ReplicaId last_ = 0;
  std::vector<ReplicaId> extra_;
};

}  // namespace compact_internal

// Appends the encoding of (context, the source's slots) to `out`.
template <typename Source>
void EncodeCompact(const CausalContext& context, Source&& for_each_slot, std::string* out) {
  using compact_internal::TableBuilder;
  constexpr size_t kV = kMaxVarint64Bytes;
  // First pass: the replica table, the slot count and an upper bound of the
  // size (every varint at its widest), so the second pass writes through a
  // pointer: appending field by field cost a capacity check and a memcpy call
  // per small integer. The table is kept per thread: a write's record names
  // one or two replicas and should not allocate for them.
  thread_local std::vector<ReplicaId> table;
  table.clear();
  context.ForEachReplica([&](ReplicaId replica, std::span<const DotRange>) { table.push_back(replica); });
  TableBuilder builder(&table);
  builder.SetKnown();
  size_t bytes = 3 * kV + 2 * kV * context.ranges().size() + 2 * kV * table.size();
  size_t slots = 0;
  for_each_slot(
      [&](std::string_view key, const SlotKey& slot, std::span<const VersionVector::Entry> clock, const auto& entries) {
        ++slots;
        bytes += 4 * kV + 1 + key.size() + slot.member.size() + 2 * kV * clock.size();
        for (const auto& [replica, counter] : clock) builder.Note(replica);
        for (size_t i = 0; i < entries.size(); ++i) {
          builder.Note(entries.dot(i).replica);
          bytes += 5 * kV + 8 + entries.value(i).size();
        }
      });
  builder.Finish();
  bytes += kV * table.size();

  const size_t start = out->size();
  out->resize(start + bytes);
  compact_internal::Writer w(out->data() + start, table);
  w.Uint(table.size());
  ReplicaId previous = 0;
  for (ReplicaId replica : table) {
    w.Uint(replica - previous);
    previous = replica;
  }
  w.Uint(context.replica_count());
  context.ForEachReplica([&w](ReplicaId replica, std::span<const DotRange> runs) {
    w.Replica(replica);
    w.Uint(runs.size());
    for (const DotRange& run : runs) {
      w.Uint(run.first);
      w.Uint(run.last - run.first);
    }
  });
  w.Uint(slots);
  for_each_slot([&w](std::string_view key, const SlotKey& slot, std::span<const VersionVector::Entry> clock,
                     const auto& entries) {
    w.Bytes(key);
    w.Byte(static_cast<uint8_t>(slot.type));
    w.Bytes(slot.member);
    w.Uint(clock.size());
    for (const auto& [replica, counter] : clock) {
      w.Replica(replica);
      w.Uint(counter);
    }
    w.Uint(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      w.Replica(entries.dot(i).replica);
      w.Uint(entries.dot(i).counter);
      w.Fixed64(entries.ts(i));
      w.Bytes(entries.value(i));
      w.Uint(entries.increments(i));
      w.Uint(entries.decrements(i));
    }
  });
  assert(w.cursor() <= out->data() + start + bytes);
  out->resize(static_cast<size_t>(w.cursor() - out->data()));
}

}  // namespace parley

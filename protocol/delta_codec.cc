// DeltaCodec: msgpack encoding and strict decoding of deltas.
#include "protocol/delta_codec.h"

#include <span>
#include <utility>
#include <vector>

namespace parley {

namespace {

constexpr size_t kSlotFields = 5;   // key, type, member, clock, entries[, after]
constexpr size_t kEntryFields = 6;  // replica, counter, ts, value, increments, decrements

void WriteSlotState(const SlotState& slot, MsgpackWriter& writer) {
  // A full slot state has five fields; a write's change adds `after` as a
  // sixth, [replica, counter], so full states encode as before.
  writer.Array(static_cast<uint32_t>(kSlotFields + (slot.after ? 1 : 0)));
  writer.Str(slot.key);
  writer.Uint(static_cast<uint8_t>(slot.slot.type));
  writer.Str(slot.slot.member);
  // The clock is flattened to [replica, counter, replica, counter, ...]:
  // half the array headers of nested pairs, on the hottest path.
  const auto& clock = slot.state.clock.entries();
  writer.Array(static_cast<uint32_t>(clock.size() * 2));
  for (const auto& [replica, counter] : clock) {
    writer.Uint(replica);
    writer.Uint(counter);
  }
  writer.Array(static_cast<uint32_t>(slot.state.entries.size()));
  for (const Entry& entry : slot.state.entries) {
    writer.Array(kEntryFields);
    writer.Uint(entry.dot.replica);
    writer.Uint(entry.dot.counter);
    writer.Uint(entry.ts);
    writer.Bin(entry.value);
    writer.Uint(entry.increments);
    writer.Uint(entry.decrements);
  }
  if (slot.after) {
    writer.Array(2);
    writer.Uint(slot.after->replica);
    writer.Uint(slot.after->counter);
  }
}

VersionVector ReadClock(const msgpack::object& object, const Limits& limits,
                        MsgpackReader& reader) {
  auto flat = reader.Array(object, 0, limits.max_clock_entries * 2, "slot clock");
  if (flat.size() % 2 != 0) reader.Fail("slot clock: odd number of elements");
  if (!reader.ok()) return {};
  std::vector<VersionVector::Entry> entries;
  entries.reserve(flat.size() / 2);
  for (size_t i = 0; i < flat.size(); i += 2) {
    ReplicaId replica = reader.Uint(flat[i], UINT64_MAX, "clock replica");
    uint64_t counter = reader.Uint(flat[i + 1], UINT64_MAX, "clock counter");
    entries.emplace_back(replica, counter);
  }
  if (!reader.ok()) return {};
  if (!VersionVector::IsCanonical(entries)) {
    reader.Fail("slot clock: not canonical (replicas must increase, counters be > 0)");
    return {};
  }
  return VersionVector::FromCanonical(std::move(entries));
}

Entry ReadEntry(const msgpack::object& object, const Limits& limits, MsgpackReader& reader) {
  Entry entry;
  auto fields = reader.Array(object, kEntryFields, SIZE_MAX, "entry");
  if (!reader.ok()) return entry;
  entry.dot.replica = reader.Uint(fields[0], UINT64_MAX, "entry replica");
  entry.dot.counter = reader.Uint(fields[1], UINT64_MAX, "entry counter");
  entry.ts = reader.Uint(fields[2], UINT64_MAX, "entry timestamp");
  entry.value = reader.Bytes(fields[3], limits.max_value_bytes, "entry value");
  entry.increments = reader.Uint(fields[4], UINT64_MAX, "entry increments");
  entry.decrements = reader.Uint(fields[5], UINT64_MAX, "entry decrements");
  return entry;
}

SlotState ReadSlotState(const msgpack::object& object, const Limits& limits,
                        MsgpackReader& reader) {
  SlotState slot;
  auto fields = reader.Array(object, kSlotFields, SIZE_MAX, "slot");
  if (!reader.ok()) return slot;
  slot.key = reader.Bytes(fields[0], limits.max_key_bytes, "slot key");
  uint64_t type = reader.Uint(fields[1], static_cast<uint64_t>(ValueType::kHash), "slot type");
  if (reader.ok() && type == static_cast<uint64_t>(ValueType::kNone)) reader.Fail("slot type: none");
  slot.slot.type = static_cast<ValueType>(type);
  slot.slot.member = reader.Bytes(fields[2], limits.max_key_bytes, "slot member");
  slot.state.clock = ReadClock(fields[3], limits, reader);
  auto entries = reader.Array(fields[4], 0, limits.max_entries_per_slot, "slot entries");
  for (const msgpack::object& entry : entries) {
    if (!reader.ok()) break;
    slot.state.entries.push_back(ReadEntry(entry, limits, reader));
  }
  if (reader.ok() && fields.size() > kSlotFields) {
    auto after = reader.Array(fields[kSlotFields], 2, 2, "slot after");
    if (reader.ok()) {
      slot.after = Dot{reader.Uint(after[0], UINT64_MAX, "after replica"),
                       reader.Uint(after[1], UINT64_MAX, "after counter")};
    }
  }
  return slot;
}

}  // namespace

void WriteCausalContext(const CausalContext& context, MsgpackWriter& writer) {
  writer.Array(static_cast<uint32_t>(context.replica_count()));
  context.ForEachReplica([&writer](ReplicaId replica, std::span<const DotRange> runs) {
    writer.Array(2);
    writer.Uint(replica);
    writer.Array(static_cast<uint32_t>(runs.size() * 2));
    for (const DotRange& run : runs) {
      writer.Uint(run.first);
      writer.Uint(run.last);
    }
  });
}

CausalContext ReadCausalContext(const msgpack::object& object, const Limits& limits,
                                MsgpackReader& reader) {
  auto replicas = reader.Array(object, 0, limits.max_context_replicas, "context");
  ReplicaId previous = 0;
  // Canonical input lists replicas in strictly increasing order and each
  // one's intervals sorted, so the flat (replica, first)-sorted vector is
  // built by appending; each replica's group is checked as it is read.
  std::vector<DotRange> ranges;
  for (const msgpack::object& item : replicas) {
    auto pair = reader.Array(item, 2, SIZE_MAX, "context replica");
    if (!reader.ok()) break;
    ReplicaId replica = reader.Uint(pair[0], UINT64_MAX, "context replica id");
    if (reader.ok() && replica <= previous) {
      reader.Fail("context: replica ids must be non-zero and strictly increasing");
    }
    auto flat = reader.Array(pair[1], 2, limits.max_intervals_per_replica * 2, "context intervals");
    if (reader.ok() && flat.size() % 2 != 0) reader.Fail("context intervals: odd number of elements");
    if (!reader.ok()) break;
    const size_t group = ranges.size();
    for (size_t i = 0; i < flat.size(); i += 2) {
      uint64_t first = reader.Uint(flat[i], UINT64_MAX, "interval first");
      uint64_t last = reader.Uint(flat[i + 1], UINT64_MAX, "interval last");
      ranges.push_back({replica, first, last});
    }
    if (!reader.ok()) break;
    if (!CausalContext::IsCanonical(std::span<const DotRange>(ranges).subspan(group))) {
      reader.Fail("context intervals: not canonical (sorted, disjoint, non-adjacent, > 0)");
      break;
    }
    previous = replica;
  }
  return reader.ok() ? CausalContext::FromCanonical(std::move(ranges)) : CausalContext();
}

void WriteDelta(const Delta& delta, MsgpackWriter& writer) {
  writer.Array(2);
  WriteCausalContext(delta.context, writer);
  writer.Array(static_cast<uint32_t>(delta.slots.size()));
  for (const SlotState& slot : delta.slots) WriteSlotState(slot, writer);
}

Delta ReadDelta(const msgpack::object& object, const Limits& limits, MsgpackReader& reader) {
  Delta delta;
  auto fields = reader.Array(object, 2, SIZE_MAX, "delta");
  if (!reader.ok()) return delta;
  delta.context = ReadCausalContext(fields[0], limits, reader);
  auto slots = reader.Array(fields[1], 0, limits.max_slots_per_delta, "delta slots");
  // No reserve(): growth follows what actually decodes, so a huge declared
  // count of tiny (invalid) elements cannot multiply into a huge allocation.
  for (const msgpack::object& slot : slots) {
    if (!reader.ok()) break;
    delta.slots.push_back(ReadSlotState(slot, limits, reader));
  }
  if (!reader.ok()) return Delta();
  std::string why;
  if (!delta.IsWellFormed(&why)) {
    reader.Fail("delta not well formed: " + why);
    return Delta();
  }
  return delta;
}

std::string EncodeDelta(const Delta& delta) {
  std::string out;
  MsgpackWriter writer(&out);
  WriteDelta(delta, writer);
  return out;
}

Result<Delta> DecodeDelta(std::string_view bytes, const Limits& limits) {
  size_t offset = 0;
  Result<msgpack::object_handle> handle = UnpackBounded(bytes, &offset, limits);
  if (!handle.ok()) return handle.status().WithContext("delta");
  if (offset != bytes.size()) return Status::Corruption("delta: trailing bytes after the value");
  MsgpackReader reader;
  Delta delta = ReadDelta(handle->get(), limits, reader);
  if (!reader.ok()) return reader.status();
  return delta;
}

}  // namespace parley

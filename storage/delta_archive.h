// DeltaArchive: the fixed-width on-disk encoding of Deltas (format version 1),
// as cereal binary archives.
//
// Version-1 log segments and snapshots are still read; new files use the
// compact encoding (compact_delta.h), and the encoder here is kept for tests
// that make version-1 files and for comparison in benchmarks.
//
// Version-1 records and snapshots carry a Delta in cereal's binary format: fixed-size
// little-endian integers (native order; every supported target is little
// endian) and length-prefixed strings and vectors, with no framing of its own.
// The logbook adds framing and checksums around it (log_format.h,
// snapshot_file.h).
//
// Two small archives are defined here instead of using cereal's stream-based
// BinaryInputArchive, because a decoder must check every length against the
// bytes actually left *before* it allocates (invariant I4): a corrupt count of
// 2^60 elements must become a Corruption status, not a bad_alloc. The bytes
// written are exactly what cereal::BinaryOutputArchive would write.
//
// Loaders also check the canonical-form rules of each class (sorted, unique,
// non-zero ids) and rebuild it through its public FromCanonical/Insert API, so
// a decoded Delta can never hold an invariant-breaking state.
#pragma once

#include <cereal/cereal.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/causal_context.h"
#include "storage/delta.h"
#include "storage/dot.h"
#include "storage/slot.h"
#include "storage/status.h"
#include "storage/version_vector.h"

namespace parley {

// Appends cereal binary output to a std::string.
class StringOutputArchive : public cereal::OutputArchive<StringOutputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit StringOutputArchive(std::string* out)
      : cereal::OutputArchive<StringOutputArchive, cereal::AllowEmptyClassElision>(this), out_(out) {}
  void saveBinary(const void* data, size_t size) { out_->append(static_cast<const char*>(data), size); }

 private:
  std::string* out_;
};

// Reads cereal binary input from a byte span, knowing how much is left.
// Throws cereal::Exception on a short read or a broken rule; DecodeDelta
// turns that into a Status at the module boundary.
class BoundedInputArchive : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit BoundedInputArchive(std::string_view in)
      : cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this), in_(in) {}

  void loadBinary(void* data, size_t size) {
    if (size > in_.size()) throw cereal::Exception("record ends early");
    std::memcpy(data, in_.data(), size);
    in_.remove_prefix(size);
  }
  size_t remaining() const { return in_.size(); }

  // Reads an element count and checks that `count` elements of at least
  // `min_bytes_each` encoded bytes can still follow, before any allocation.
  uint64_t LoadCount(size_t min_bytes_each) {
    uint64_t count = 0;
    loadBinary(&count, sizeof(count));
    if (min_bytes_each == 0) min_bytes_each = 1;
    if (count > remaining() / min_bytes_each) throw cereal::Exception("element count larger than the record");
    return count;
  }

  static void Require(bool condition, const char* rule) {
    if (!condition) throw cereal::Exception(rule);
  }

 private:
  std::string_view in_;
};

// ---- primitives --------------------------------------------------------------
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void save(StringOutputArchive& ar, const T& value) {
  ar.saveBinary(&value, sizeof(value));
}
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void load(BoundedInputArchive& ar, T& value) {
  ar.loadBinary(&value, sizeof(value));
}

// Strings are a uint64 length and the bytes.
struct StringField {
  std::string* value;
};
struct ConstStringField {
  const std::string* value;
};
inline void save(StringOutputArchive& ar, const ConstStringField& field) {
  uint64_t size = field.value->size();
  ar(size);
  ar.saveBinary(field.value->data(), field.value->size());
}
inline void load(BoundedInputArchive& ar, StringField& field) {
  uint64_t size = ar.LoadCount(1);
  field.value->resize(size);
  ar.loadBinary(field.value->data(), size);
}
inline ConstStringField Bytes(const std::string& s) { return {&s}; }
inline StringField Bytes(std::string& s) { return {&s}; }

// ---- Dot, DotRange -------------------------------------------------------------
template <class Archive>
void serialize(Archive& ar, Dot& dot) {
  ar(dot.replica, dot.counter);
}
template <class Archive>
void serialize(Archive& ar, DotRange& range) {
  ar(range.replica, range.first, range.last);
}

// ---- VersionVector -------------------------------------------------------------
inline void save(StringOutputArchive& ar, const VersionVector& vv) {
  ar(static_cast<uint64_t>(vv.size()));
  for (const auto& [replica, counter] : vv.entries()) ar(replica, counter);
}
inline void load(BoundedInputArchive& ar, VersionVector& vv) {
  uint64_t count = ar.LoadCount(16);
  std::vector<VersionVector::Entry> entries(count);
  for (auto& [replica, counter] : entries) ar(replica, counter);
  BoundedInputArchive::Require(VersionVector::IsCanonical(entries), "version vector not canonical");
  vv = VersionVector::FromCanonical(std::move(entries));
}

// ---- CausalContext -------------------------------------------------------------
inline void save(StringOutputArchive& ar, const CausalContext& context) {
  ar(static_cast<uint64_t>(context.replica_count()));
  context.ForEachReplica([&ar](ReplicaId replica, std::span<const DotRange> ranges) {
    ar(replica, static_cast<uint64_t>(ranges.size()));
    for (const DotRange& r : ranges) ar(r.first, r.last);
  });
}
// Replicas arrive strictly increasing and each one's intervals sorted, so the
// flat vector is built by appending; each replica's group is checked as it is
// read, which makes the whole vector canonical.
inline void load(BoundedInputArchive& ar, CausalContext& context) {
  context = CausalContext();
  uint64_t replicas = ar.LoadCount(8 + 8);
  ReplicaId previous = 0;
  std::vector<DotRange> ranges;
  for (uint64_t i = 0; i < replicas; ++i) {
    ReplicaId replica = 0;
    ar(replica);
    BoundedInputArchive::Require(replica != 0 && (i == 0 || replica > previous),
                                 "causal context replicas not sorted and non-zero");
    previous = replica;
    uint64_t count = ar.LoadCount(16);
    BoundedInputArchive::Require(count > 0, "causal context intervals not canonical");
    const size_t group = ranges.size();
    for (uint64_t k = 0; k < count; ++k) {
      DotRange r{replica, 0, 0};
      ar(r.first, r.last);
      ranges.push_back(r);
    }
    BoundedInputArchive::Require(CausalContext::IsCanonical(std::span<const DotRange>(ranges).subspan(group)),
                                 "causal context intervals not canonical");
  }
  context = CausalContext::FromCanonical(std::move(ranges));
}

// ---- Entry, SlotKey, Slot, SlotState, Delta ---------------------------------------
inline void save(StringOutputArchive& ar, const Entry& entry) {
  ar(entry.dot, entry.ts, Bytes(entry.value), entry.increments, entry.decrements);
}
inline void load(BoundedInputArchive& ar, Entry& entry) {
  auto value = Bytes(entry.value);
  ar(entry.dot, entry.ts, value, entry.increments, entry.decrements);
}

inline void save(StringOutputArchive& ar, const SlotKey& key) {
  ar(static_cast<uint8_t>(key.type), Bytes(key.member));
}
inline void load(BoundedInputArchive& ar, SlotKey& key) {
  uint8_t type = 0;
  auto member = Bytes(key.member);
  ar(type, member);
  BoundedInputArchive::Require(type >= static_cast<uint8_t>(ValueType::kRegister) &&
                                   type <= static_cast<uint8_t>(ValueType::kHash),
                               "unknown value type");
  key.type = static_cast<ValueType>(type);
}

inline void save(StringOutputArchive& ar, const Slot& slot) {
  ar(slot.clock, static_cast<uint64_t>(slot.entries.size()));
  for (const Entry& entry : slot.entries) ar(entry);
}
inline void load(BoundedInputArchive& ar, Slot& slot) {
  ar(slot.clock);
  // An entry is at least dot + ts + value length + increments + decrements.
  slot.entries.resize(ar.LoadCount(16 + 8 + 8 + 8 + 8));
  for (Entry& entry : slot.entries) ar(entry);
}

inline void save(StringOutputArchive& ar, const SlotState& slot) {
  ar(Bytes(slot.key), slot.slot, slot.state);
}
inline void load(BoundedInputArchive& ar, SlotState& slot) {
  auto key = Bytes(slot.key);
  ar(key, slot.slot, slot.state);
}

inline void save(StringOutputArchive& ar, const Delta& delta) {
  ar(delta.context, static_cast<uint64_t>(delta.slots.size()));
  for (const SlotState& slot : delta.slots) ar(slot);
}
inline void load(BoundedInputArchive& ar, Delta& delta) {
  ar(delta.context);
  // A slot state is at least key length + type + member length + clock size + entry count.
  delta.slots.resize(ar.LoadCount(8 + 1 + 8 + 8 + 8));
  for (SlotState& slot : delta.slots) ar(slot);
}

// ---- entry points ------------------------------------------------------------------
// Appends the encoding of `delta` to `out`.
void EncodeDeltaArchive(const Delta& delta, std::string* out);

// Decodes a whole Delta from `bytes` (trailing bytes are an error) and checks
// Delta::IsWellFormed. Errors are Corruption with a message saying why; the
// caller adds the file and offset.
Result<Delta> DecodeDeltaArchive(std::string_view bytes);

}  // namespace parley

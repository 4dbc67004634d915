// CompactDelta: encoding and bounds-checked decoding of the version-2 format.
#include "storage/compact_delta.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "storage/compact_encoder.h"
#include "storage/delta_archive.h"
#include "storage/log_format.h"
#include "storage/varint.h"

namespace parley {

namespace {

// Smallest encodings, for checking counts before allocating.
constexpr size_t kMinContextReplicaBytes = 4;  // replica, run count, one run
constexpr size_t kMinRunBytes = 2;
constexpr size_t kMinSlotBytes = 5;  // key length, type, member length, two counts
constexpr size_t kMinClockEntryBytes = 2;
constexpr size_t kMinEntryBytes = 13;  // replica, counter, ts, value length, two counters

// Reads the encoding front to back; the first failure sticks and every later
// read fails, so callers check ok() once per structure.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_ == nullptr; }
  const char* error() const { return error_; }
  size_t remaining() const { return in_.size(); }
  bool Fail(const char* why) {
    if (error_ == nullptr) error_ = why;
    return false;
  }

  bool Uint(uint64_t* v) { return ok() && (GetVarint64(&in_, v) || Fail("a number ends early or overflows")); }

  // A count of elements of at least `min_bytes_each` bytes, checked against
  // the bytes left so that no allocation exceeds what the input could hold.
  bool Count(uint64_t* count, size_t min_bytes_each) {
    if (!Uint(count)) return false;
    return *count <= in_.size() / min_bytes_each || Fail("an element count is larger than the bytes left");
  }

  bool Bytes(std::string* s) {
    uint64_t size = 0;
    if (!Count(&size, 1)) return false;
    s->assign(in_.data(), size);
    in_.remove_prefix(size);
    return true;
  }

  bool Byte(uint8_t* v) {
    if (!ok()) return false;
    if (in_.empty()) return Fail("the delta ends early");
    *v = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }

  bool Fixed64(uint64_t* v) {
    if (!ok()) return false;
    if (in_.size() < 8) return Fail("the delta ends early");
    *v = DecodeFixed64(in_.data());
    in_.remove_prefix(8);
    return true;
  }

  bool ReplicaTable() {
    uint64_t count = 0;
    if (!Count(&count, 1)) return false;
    table_.reserve(count);
    ReplicaId previous = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t gap = 0;
      if (!Uint(&gap)) return false;
      if (gap == 0 || gap > UINT64_MAX - previous) return Fail("replica table not increasing or overflows");
      previous += gap;
      table_.push_back(previous);
    }
    return true;
  }

  // Also returns the index, so callers can check order without comparing ids.
  bool Replica(ReplicaId* replica, uint64_t* index = nullptr) {
    uint64_t i = 0;
    if (!Uint(&i)) return false;
    if (i >= table_.size()) return Fail("replica index outside the replica table");
    *replica = table_[i];
    if (index != nullptr) *index = i;
    return true;
  }

 private:
  std::string_view in_;
  std::vector<ReplicaId> table_;
  const char* error_ = nullptr;
};

bool ReadContext(Reader& r, CausalContext* context) {
  uint64_t replicas = 0;
  if (!r.Count(&replicas, kMinContextReplicaBytes)) return false;
  std::vector<DotRange> ranges;
  uint64_t previous_index = 0;
  for (uint64_t i = 0; i < replicas; ++i) {
    ReplicaId replica = 0;
    uint64_t index = 0, runs = 0;
    if (!r.Replica(&replica, &index) || !r.Count(&runs, kMinRunBytes)) return false;
    // The table is sorted, so increasing indices are increasing ids.
    if ((i > 0 && index <= previous_index) || runs == 0) return r.Fail("causal context not canonical");
    previous_index = index;
    const size_t group = ranges.size();
    for (uint64_t k = 0; k < runs; ++k) {
      uint64_t first = 0, length = 0;
      if (!r.Uint(&first) || !r.Uint(&length)) return false;
      if (length > UINT64_MAX - first) return r.Fail("causal context run overflows");
      ranges.push_back({replica, first, first + length});
    }
    if (!CausalContext::IsCanonical(std::span<const DotRange>(ranges).subspan(group))) {
      return r.Fail("causal context intervals not canonical");
    }
  }
  *context = CausalContext::FromCanonical(std::move(ranges));
  return true;
}

bool ReadSlot(Reader& r, SlotState* slot) {
  uint8_t type = 0;
  if (!r.Bytes(&slot->key) || !r.Byte(&type) || !r.Bytes(&slot->slot.member)) return false;
  if (type < static_cast<uint8_t>(ValueType::kRegister) || type > static_cast<uint8_t>(ValueType::kHash)) {
    return r.Fail("unknown value type");
  }
  slot->slot.type = static_cast<ValueType>(type);

  uint64_t count = 0;
  if (!r.Count(&count, kMinClockEntryBytes)) return false;
  std::vector<VersionVector::Entry> clock(count);
  for (auto& [replica, counter] : clock) {
    if (!r.Replica(&replica) || !r.Uint(&counter)) return false;
  }
  if (!VersionVector::IsCanonical(clock)) return r.Fail("slot clock not canonical");
  slot->state.clock = VersionVector::FromCanonical(std::move(clock));

  // Entries and slots grow as they decode rather than by their counts: a
  // default-constructed one is several times its smallest encoding.
  if (!r.Count(&count, kMinEntryBytes)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    Entry& e = slot->state.entries.emplace_back();
    if (!r.Replica(&e.dot.replica) || !r.Uint(&e.dot.counter) || !r.Fixed64(&e.ts) || !r.Bytes(&e.value) ||
        !r.Uint(&e.increments) || !r.Uint(&e.decrements)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void EncodeCompactDelta(const Delta& delta, std::string* out) {
  EncodeCompact(
      delta.context,
      [&delta](auto&& fn) {
        for (const SlotState& s : delta.slots) fn(s.key, s.slot, s.state.clock.entries(), EntryList(s.state.entries));
      },
      out);
}

Result<Delta> DecodeCompactDelta(std::string_view bytes) {
  Reader r(bytes);
  Delta delta;
  uint64_t slots = 0;
  if (r.ReplicaTable() && ReadContext(r, &delta.context) && r.Count(&slots, kMinSlotBytes)) {
    for (uint64_t i = 0; i < slots; ++i) {
      if (!ReadSlot(r, &delta.slots.emplace_back())) break;
    }
  }
  if (!r.ok()) return Status::Corruption(std::string("delta does not decode: ") + r.error());
  if (r.remaining() != 0) {
    return Status::Corruption("delta followed by " + std::to_string(r.remaining()) + " stray bytes");
  }
  std::string why;
  if (!delta.IsWellFormed(&why)) return Status::Corruption("delta is malformed: " + why);
  return delta;
}

Result<Delta> DecodeStoredDelta(std::string_view bytes, uint32_t version) {
  switch (version) {
    case 1:
      return DecodeDeltaArchive(bytes);
    case 2:
    case 3:  // the same payload; version 3 added write groups to the record header
      return DecodeCompactDelta(bytes);
    default:
      return Status::Corruption("no delta encoding for format version " + std::to_string(version));
  }
}

}  // namespace parley

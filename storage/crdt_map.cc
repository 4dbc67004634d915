// CrdtMap: writes, joins, range-cut diffs and reads of the replicated map.
#include "storage/crdt_map.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include <xxhash.h>

namespace parley {

// ---- Op helpers ---------------------------------------------------------------

Op Op::Set(std::string key, std::string value) {
  Op op;
  op.kind = Kind::kSet;
  op.key = std::move(key);
  op.value = std::move(value);
  return op;
}
Op Op::Del(std::string key) {
  Op op;
  op.kind = Kind::kDel;
  op.key = std::move(key);
  return op;
}
Op Op::Incr(std::string key, int64_t amount) {
  Op op;
  op.kind = Kind::kIncr;
  op.key = std::move(key);
  op.amount = amount;
  return op;
}
Op Op::SAdd(std::string key, std::string member) {
  Op op;
  op.kind = Kind::kSAdd;
  op.key = std::move(key);
  op.member = std::move(member);
  return op;
}
Op Op::SRem(std::string key, std::string member) {
  Op op = SAdd(std::move(key), std::move(member));
  op.kind = Kind::kSRem;
  return op;
}
Op Op::HSet(std::string key, std::string field, std::string value) {
  Op op = SAdd(std::move(key), std::move(field));
  op.kind = Kind::kHSet;
  op.value = std::move(value);
  return op;
}
Op Op::HDel(std::string key, std::string field) {
  Op op = SAdd(std::move(key), std::move(field));
  op.kind = Kind::kHDel;
  return op;
}

std::string Digest::ToHex() const {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return buf;
}

namespace {

// Orders entries for last-writer-wins and for the type-conflict rule.
bool NewerThan(const Entry& a, const Entry& b) {
  if (a.ts != b.ts) return a.ts > b.ts;
  return a.dot > b.dot;
}

const Entry* Newest(const std::vector<Entry>& entries) {
  const Entry* best = nullptr;
  for (const Entry& e : entries) {
    if (best == nullptr || NewerThan(e, *best)) best = &e;
  }
  return best;
}

Status WrongTypeError(std::string_view key, ValueType held) {
  std::string msg = "WRONGTYPE Operation against a key holding the wrong kind of value (key '";
  msg += key;
  msg += "' holds a ";
  msg += ValueTypeName(held);
  msg += ")";
  return Status::WrongType(msg);
}

ValueType TypeWritten(Op::Kind kind) {
  switch (kind) {
    case Op::Kind::kSet: return ValueType::kRegister;
    case Op::Kind::kIncr: return ValueType::kCounter;
    case Op::Kind::kSAdd:
    case Op::Kind::kSRem: return ValueType::kSet;
    case Op::Kind::kHSet:
    case Op::Kind::kHDel: return ValueType::kHash;
    case Op::Kind::kDel: return ValueType::kNone;
  }
  return ValueType::kNone;
}

}  // namespace

// ---- lookup -----------------------------------------------------------------

const CrdtMap::KeyState* CrdtMap::FindKey(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

const Slot* CrdtMap::FindSlot(std::string_view key, ValueType type, std::string_view member) const {
  const KeyState* ks = FindKey(key);
  if (ks == nullptr) return nullptr;
  auto it = ks->slots.find(SlotKey{type, std::string(member)});
  return it == ks->slots.end() ? nullptr : &it->second;
}

ValueType CrdtMap::VisibleType(const KeyState& ks) {
  ValueType only = ValueType::kNone;
  int types = 0;
  for (int t = 1; t <= 4; ++t) {
    if (ks.live[t] > 0) {
      only = static_cast<ValueType>(t);
      ++types;
    }
  }
  if (types <= 1) return only;
  // Concurrent creation with different types: the newest live entry decides.
  const Entry* best = nullptr;
  ValueType best_type = ValueType::kNone;
  for (const auto& [slot_key, slot] : ks.slots) {
    const Entry* e = Newest(slot.entries);
    if (e != nullptr && (best == nullptr || NewerThan(*e, *best))) {
      best = e;
      best_type = slot_key.type;
    }
  }
  return best_type;
}

// ---- index and slot storage ---------------------------------------------------

void CrdtMap::Reindex(KeyMap::iterator key, std::map<SlotKey, Slot>::iterator slot,
                     const VersionVector& old_clock) {
  for (const auto& [replica, counter] : slot->second.clock.entries()) {
    uint64_t old_counter = old_clock.get(replica);
    if (old_counter == counter) continue;
    if (old_counter != 0) {
      // Move the slot's index node to its new dot (no allocation).
      auto [lo, hi] = index_.equal_range(Dot{replica, old_counter});
      for (auto it = lo; it != hi; ++it) {
        if (it->second.slot == slot) {
          auto node = index_.extract(it);
          node.key() = Dot{replica, counter};
          index_.insert(std::move(node));
          break;
        }
      }
    } else {
      index_.emplace(Dot{replica, counter}, SlotRef{key, slot});
    }
  }
}

void CrdtMap::StoreSlot(KeyMap::iterator key, const SlotKey& slot_key, Slot next) {
  KeyState& ks = key->second;
  ++version_;
  bool was_live = KeyIsLive(ks);
  auto slot = ks.slots.try_emplace(slot_key).first;
  auto type = static_cast<size_t>(slot_key.type);
  ks.live[type] -= static_cast<uint32_t>(slot->second.entries.size());
  ks.live[type] += static_cast<uint32_t>(next.entries.size());
  // Clocks only grow, so the old clock's replicas are a subset of the new.
  VersionVector old_clock = std::move(slot->second.clock);
  slot->second = std::move(next);
  Reindex(key, slot, old_clock);
  bool is_live = KeyIsLive(ks);
  if (was_live != is_live) live_keys_ += is_live ? 1 : static_cast<size_t>(-1);
}

bool CrdtMap::KeyIsLive(const KeyState& ks) {
  return ks.live[1] + ks.live[2] + ks.live[3] + ks.live[4] > 0;
}

// ---- writes -------------------------------------------------------------------

Status CrdtMap::CheckTypes(std::span<const Op> ops) const {
  if (ops.size() == 1) {
    const Op& op = ops[0];
    ValueType wants = TypeWritten(op.kind);
    if (op.kind == Op::Kind::kSet || op.kind == Op::Kind::kDel) return Status::Ok();
    const KeyState* ks = FindKey(op.key);
    ValueType held = ks ? VisibleType(*ks) : ValueType::kNone;
    if (held != ValueType::kNone && held != wants) return WrongTypeError(op.key, held);
    return Status::Ok();
  }
  // Types as earlier ops of this batch leave them.
  std::map<std::string_view, ValueType> pending;
  for (const Op& op : ops) {
    ValueType held;
    auto p = pending.find(op.key);
    if (p != pending.end()) {
      held = p->second;
    } else {
      const KeyState* ks = FindKey(op.key);
      held = ks ? VisibleType(*ks) : ValueType::kNone;
    }
    ValueType wants = TypeWritten(op.kind);
    switch (op.kind) {
      case Op::Kind::kSet:
        pending[op.key] = ValueType::kRegister;
        break;
      case Op::Kind::kDel:
        pending[op.key] = ValueType::kNone;
        break;
      default:
        if (held != ValueType::kNone && held != wants) return WrongTypeError(op.key, held);
        if (op.kind != Op::Kind::kSRem && op.kind != Op::Kind::kHDel) pending[op.key] = wants;
        break;
    }
  }
  return Status::Ok();
}

Result<Delta> CrdtMap::Apply(std::span<const Op> ops, Timestamp ts) {
  if (self_ == 0) return Status::InvalidArgument("this map has no replica id and cannot write");
  PARLEY_RETURN_IF_ERROR(CheckTypes(ops));

  // The whole batch is one event: one dot, allocated on the first change.
  Dot dot{self_, 0};
  auto event = [&]() -> const Dot& {
    if (dot.counter == 0) dot.counter = std::max(context_.MaxCounter(self_), counter_floor_) + 1;
    return dot;
  };
  // Slots this batch changed; their final states form the delta.
  std::vector<std::pair<KeyMap::iterator, std::map<SlotKey, Slot>::iterator>> touched;
  auto store = [&](KeyMap::iterator key, const SlotKey& slot_key, Slot next) {
    next.clock.Raise(self_, event().counter);
    StoreSlot(key, slot_key, std::move(next));
    touched.emplace_back(key, key->second.slots.find(slot_key));
  };
  // Empties every live slot of `key` whose type is not `keep`.
  auto clear_others = [&](KeyMap::iterator key, ValueType keep) {
    std::vector<SlotKey> doomed;
    for (const auto& [slot_key, slot] : key->second.slots) {
      if (slot_key.type != keep && !slot.entries.empty()) doomed.push_back(slot_key);
    }
    for (const SlotKey& slot_key : doomed) {
      store(key, slot_key, Slot{key->second.slots[slot_key].clock, {}});
    }
  };
  // A slot holding just `entry`, replacing whatever this replica observed.
  auto replace_with = [&](KeyMap::iterator key, const SlotKey& slot_key, Entry entry) {
    auto it = key->second.slots.find(slot_key);
    Slot next;
    if (it != key->second.slots.end()) next.clock = it->second.clock;
    next.entries.push_back(std::move(entry));
    store(key, slot_key, std::move(next));
  };

  for (const Op& op : ops) {
    bool removes = op.kind == Op::Kind::kDel || op.kind == Op::Kind::kSRem || op.kind == Op::Kind::kHDel;
    // A removal of something absent is a no-op and must not create a key.
    auto key = removes ? keys_.find(op.key) : keys_.try_emplace(op.key).first;
    if (key == keys_.end()) continue;
    switch (op.kind) {
      case Op::Kind::kDel:
        clear_others(key, ValueType::kNone);
        break;
      case Op::Kind::kSet: {
        clear_others(key, ValueType::kRegister);
        replace_with(key, SlotKey{ValueType::kRegister, {}}, Entry{event(), ts, op.value, 0, 0});
        break;
      }
      case Op::Kind::kIncr: {
        clear_others(key, ValueType::kCounter);
        SlotKey slot_key{ValueType::kCounter, {}};
        auto existing = key->second.slots.find(slot_key);
        Slot next = existing == key->second.slots.end() ? Slot{} : existing->second;
        Entry mine{event(), ts, {}, 0, 0};
        // This replica's contribution is cumulative: the new entry replaces
        // the old one and carries its totals forward.
        auto own = std::find_if(next.entries.begin(), next.entries.end(),
                                [&](const Entry& e) { return e.dot.replica == self_; });
        if (own != next.entries.end()) {
          mine.increments = own->increments;
          mine.decrements = own->decrements;
          next.entries.erase(own);
        }
        if (op.amount >= 0) {
          mine.increments += static_cast<uint64_t>(op.amount);
        } else {
          mine.decrements += 0 - static_cast<uint64_t>(op.amount);
        }
        auto pos = std::lower_bound(next.entries.begin(), next.entries.end(), mine,
                                    [](const Entry& a, const Entry& b) { return a.dot < b.dot; });
        next.entries.insert(pos, std::move(mine));
        store(key, slot_key, std::move(next));
        break;
      }
      case Op::Kind::kSAdd:
      case Op::Kind::kHSet: {
        ValueType type = TypeWritten(op.kind);
        clear_others(key, type);
        replace_with(key, SlotKey{type, op.member},
                     Entry{event(), ts, op.kind == Op::Kind::kHSet ? op.value : "", 0, 0});
        break;
      }
      case Op::Kind::kSRem:
      case Op::Kind::kHDel: {
        SlotKey slot_key{TypeWritten(op.kind), op.member};
        auto it = key->second.slots.find(slot_key);
        if (it != key->second.slots.end() && !it->second.entries.empty()) {
          store(key, slot_key, Slot{it->second.clock, {}});
        }
        break;
      }
    }
  }

  Delta delta;
  if (dot.counter == 0) return delta;  // nothing changed
  context_.Insert(dot);
  delta.context.Insert(dot);
  std::sort(touched.begin(), touched.end(), [](const auto& a, const auto& b) {
    if (a.first->first != b.first->first) return a.first->first < b.first->first;
    return a.second->first < b.second->first;
  });
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  delta.slots.reserve(touched.size());
  for (const auto& [key, slot] : touched) {
    delta.slots.push_back(SlotState{key->first, slot->first, slot->second});
  }
  return delta;
}

// ---- merging --------------------------------------------------------------------

Status CrdtMap::Join(const Delta& delta, std::vector<std::string>* changed_keys) {
  std::string why;
  if (!delta.IsWellFormed(&why)) return Status::InvalidArgument("malformed delta: " + why);
  for (const SlotState& incoming : delta.slots) {
    auto key = keys_.try_emplace(incoming.key).first;
    auto existing = key->second.slots.find(incoming.slot);
    if (existing == key->second.slots.end()) {
      StoreSlot(key, incoming.slot, incoming.state);
      if (changed_keys && !incoming.state.entries.empty()) changed_keys->push_back(incoming.key);
      continue;
    }
    Slot next = existing->second;
    bool entries_changed = MergeSlot(next, incoming.state);
    if (!entries_changed && next.clock == existing->second.clock) continue;
    StoreSlot(key, incoming.slot, std::move(next));
    if (changed_keys && entries_changed) changed_keys->push_back(incoming.key);
  }
  context_.Join(delta.context);
  ++version_;
  if (changed_keys) {
    std::sort(changed_keys->begin(), changed_keys->end());
    changed_keys->erase(std::unique(changed_keys->begin(), changed_keys->end()), changed_keys->end());
  }
  return Status::Ok();
}

Delta CrdtMap::ExportState() const {
  Delta d;
  d.context = context_;
  for (const auto& [key, ks] : keys_) {
    for (const auto& [slot_key, slot] : ks.slots) d.slots.push_back(SlotState{key, slot_key, slot});
  }
  return d;
}

std::vector<Delta> CrdtMap::Diff(const CausalContext& peer, size_t max_chunk_bytes) const {
  std::vector<Delta> chunks;
  // Slots of the chunk being built, ordered as a Delta requires.
  std::map<std::pair<std::string_view, const SlotKey*>, const Slot*,
           bool (*)(const std::pair<std::string_view, const SlotKey*>&,
                    const std::pair<std::string_view, const SlotKey*>&)>
      slots([](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first < b.first;
        return *a.second < *b.second;
      });
  CausalContext context;
  size_t bytes = 0;
  auto flush = [&]() {
    if (context.empty() && slots.empty()) return;
    Delta d;
    d.context = std::move(context);
    d.slots.reserve(slots.size());
    for (const auto& [where, slot] : slots) {
      d.slots.push_back(SlotState{std::string(where.first), *where.second, *slot});
    }
    chunks.push_back(std::move(d));
    context = CausalContext();
    slots.clear();
    bytes = 0;
  };

  for (const DotRange& range : context_.Missing(peer)) {
    uint64_t start = range.first;  // first counter of this range not yet in a chunk
    auto it = index_.lower_bound(Dot{range.replica, range.first});
    const auto end = index_.upper_bound(Dot{range.replica, range.last});
    while (it != end) {
      // All slots indexed at one dot travel in one chunk: that dot's context
      // entry promises all of them (I3).
      const Dot dot = it->first;
      for (; it != end && it->first == dot; ++it) {
        auto [pos, added] = slots.emplace(std::make_pair(std::string_view(it->second.key->first),
                                                         &it->second.slot->first),
                                          &it->second.slot->second);
        if (added) {
          bytes += 16 + it->second.key->first.size() + it->second.slot->first.member.size() +
                   16 * pos->second->clock.size();
          for (const Entry& e : pos->second->entries) bytes += 40 + e.value.size();
        }
      }
      if (bytes >= max_chunk_bytes) {
        context.InsertRange({range.replica, start, dot.counter});
        start = dot.counter + 1;
        flush();
      }
    }
    if (start <= range.last) context.InsertRange({range.replica, start, range.last});
  }
  flush();
  return chunks;
}

// ---- reads --------------------------------------------------------------------

ValueType CrdtMap::TypeOf(std::string_view key) const {
  const KeyState* ks = FindKey(key);
  return ks ? VisibleType(*ks) : ValueType::kNone;
}

std::optional<std::string> CrdtMap::GetRegister(std::string_view key) const {
  if (TypeOf(key) != ValueType::kRegister) return std::nullopt;
  const Slot* slot = FindSlot(key, ValueType::kRegister, {});
  return Newest(slot->entries)->value;
}

std::optional<int64_t> CrdtMap::GetCounter(std::string_view key) const {
  if (TypeOf(key) != ValueType::kCounter) return std::nullopt;
  uint64_t sum = 0;
  for (const Entry& e : FindSlot(key, ValueType::kCounter, {})->entries) {
    sum += e.increments - e.decrements;  // two's complement wraps like int64 sums
  }
  return static_cast<int64_t>(sum);
}

namespace {
// Live members of one type's slots: the slots of a key are ordered by
// (type, member), so they form one contiguous run.
template <typename Fn>
void ForEachLiveMember(const std::map<SlotKey, Slot>& slots, ValueType type, Fn fn) {
  for (auto it = slots.lower_bound(SlotKey{type, {}}); it != slots.end() && it->first.type == type;
       ++it) {
    if (!it->second.entries.empty()) fn(it->first.member, it->second);
  }
}
}  // namespace

std::vector<std::string> CrdtMap::SetMembers(std::string_view key) const {
  std::vector<std::string> out;
  if (TypeOf(key) != ValueType::kSet) return out;
  ForEachLiveMember(FindKey(key)->slots, ValueType::kSet,
                    [&](const std::string& member, const Slot&) { out.push_back(member); });
  return out;
}

bool CrdtMap::SetContains(std::string_view key, std::string_view member) const {
  if (TypeOf(key) != ValueType::kSet) return false;
  const Slot* slot = FindSlot(key, ValueType::kSet, member);
  return slot != nullptr && !slot->entries.empty();
}

std::optional<std::string> CrdtMap::HashGet(std::string_view key, std::string_view field) const {
  if (TypeOf(key) != ValueType::kHash) return std::nullopt;
  const Slot* slot = FindSlot(key, ValueType::kHash, field);
  if (slot == nullptr || slot->entries.empty()) return std::nullopt;
  return Newest(slot->entries)->value;
}

std::vector<std::pair<std::string, std::string>> CrdtMap::HashAll(std::string_view key) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (TypeOf(key) != ValueType::kHash) return out;
  ForEachLiveMember(FindKey(key)->slots, ValueType::kHash,
                    [&](const std::string& field, const Slot& slot) {
                      out.emplace_back(field, Newest(slot.entries)->value);
                    });
  return out;
}

std::vector<std::string> CrdtMap::Keys(std::string_view prefix, size_t limit) const {
  std::vector<std::string> out;
  for (auto it = keys_.lower_bound(prefix); it != keys_.end() && out.size() < limit; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (KeyIsLive(it->second)) out.push_back(it->first);
  }
  return out;
}

// ---- canonical encoding -----------------------------------------------------------

namespace {

// Writes the canonical form to any sink with Put(const void*, size_t).
template <typename Sink>
class CanonicalWriter {
 public:
  explicit CanonicalWriter(Sink& sink) : sink_(sink) {}
  void Varint(uint64_t v) {
    uint8_t buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<uint8_t>(v);
    sink_.Put(buf, n);
  }
  void Bytes(std::string_view s) {
    Varint(s.size());
    sink_.Put(s.data(), s.size());
  }

 private:
  Sink& sink_;
};

struct StringSink {
  std::string out;
  void Put(const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
};

struct HashSink {
  XXH3_state_t* state;
  char buf[64 * 1024];
  size_t used = 0;
  void Put(const void* p, size_t n) {
    if (used + n > sizeof(buf)) Flush();
    if (n > sizeof(buf)) {
      XXH3_128bits_update(state, p, n);
      return;
    }
    std::memcpy(buf + used, p, n);
    used += n;
  }
  void Flush() {
    XXH3_128bits_update(state, buf, used);
    used = 0;
  }
};

}  // namespace

template <typename Sink>
void CrdtMap::Encode(Sink& sink) const {
  CanonicalWriter<Sink> w(sink);
  sink.Put("PCM1", 4);
  w.Varint(context_.intervals().size());
  for (const auto& [replica, ivs] : context_.intervals()) {
    w.Varint(replica);
    w.Varint(ivs.size());
    for (const auto& [first, last] : ivs) {
      w.Varint(first);
      w.Varint(last);
    }
  }
  w.Varint(keys_.size());
  for (const auto& [key, ks] : keys_) {
    w.Bytes(key);
    w.Varint(ks.slots.size());
    for (const auto& [slot_key, slot] : ks.slots) {
      w.Varint(static_cast<uint64_t>(slot_key.type));
      w.Bytes(slot_key.member);
      w.Varint(slot.clock.size());
      for (const auto& [replica, counter] : slot.clock.entries()) {
        w.Varint(replica);
        w.Varint(counter);
      }
      w.Varint(slot.entries.size());
      for (const Entry& e : slot.entries) {
        w.Varint(e.dot.replica);
        w.Varint(e.dot.counter);
        w.Varint(e.ts);
        w.Bytes(e.value);
        w.Varint(e.increments);
        w.Varint(e.decrements);
      }
    }
  }
}

std::string CrdtMap::CanonicalEncoding() const {
  StringSink sink;
  Encode(sink);
  return std::move(sink.out);
}

Digest CrdtMap::StateDigest() const {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  auto sink = std::make_unique<HashSink>();
  sink->state = state;
  Encode(*sink);
  sink->Flush();
  XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  return Digest{h.high64, h.low64};
}

}  // namespace parley

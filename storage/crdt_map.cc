// CrdtMap: writes, joins, range-cut diffs and reads of the replicated map.
#include "storage/crdt_map.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <set>
#include <span>
#include <tuple>

#include <xxhash.h>

#include "storage/compact_encoder.h"
#include "storage/varint.h"

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
bool NewerThan(Timestamp a_ts, const Dot& a_dot, Timestamp b_ts, const Dot& b_dot) {
  if (a_ts != b_ts) return a_ts > b_ts;
  return a_dot > b_dot;
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

// The SlotKey {type, ""} of a key's inline first slot. One object per type,
// never destroyed, so the index and Diff() can point at it.
const SlotKey& FirstSlotKey(ValueType type) {
  static const SlotKey* keys = new SlotKey[5]{{ValueType::kNone, {}},
                                              {ValueType::kRegister, {}},
                                              {ValueType::kCounter, {}},
                                              {ValueType::kSet, {}},
                                              {ValueType::kHash, {}}};
  return keys[static_cast<size_t>(type)];
}

// ---- slot hash terms (see SlotHash in the header) ----

void AddTo(Digest* sum, const Digest& d) {
  sum->high += d.high;
  sum->low += d.low;
}
void TakeFrom(Digest* sum, const Digest& d) {
  sum->high -= d.high;
  sum->low -= d.low;
}

uint64_t LittleEndian(uint64_t v) {
  if constexpr (std::endian::native != std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// XXH3-128 of fixed-width integers (little-endian on any host), seeded by
// the slot's names.
template <size_t N>
Digest Term(uint64_t seed, const uint64_t (&words)[N]) {
  uint64_t le[N];
  for (size_t i = 0; i < N; ++i) le[i] = LittleEndian(words[i]);
  XXH128_hash_t h = XXH3_128bits_withSeed(le, sizeof(le), seed);
  return Digest{h.high64, h.low64};
}

uint64_t SlotSeed(std::string_view key, const SlotKey& slot_key) {
  uint64_t named = XXH3_64bits_withSeed(key.data(), key.size(), static_cast<uint64_t>(slot_key.type));
  return XXH3_64bits_withSeed(slot_key.member.data(), slot_key.member.size(), named);
}

Digest ClockTerm(uint64_t seed, ReplicaId replica, uint64_t counter) { return Term(seed, {replica, counter}); }

// Six words, not two: the lengths differ, so no entry term equals a clock term.
Digest EntryTerm(uint64_t seed, const Dot& dot, Timestamp ts, std::string_view value, uint64_t increments,
                 uint64_t decrements) {
  return Term(seed, {dot.replica, dot.counter, ts, XXH3_64bits(value.data(), value.size()), increments, decrements});
}

// The terms of `slot` at `replicas` (sorted, unique): their clock entries
// and the entries their dots name. Binary searches, not a walk of the slot.
Digest TermsOver(uint64_t seed, const Slot& slot, std::span<const VersionVector::Entry> replicas) {
  Digest sum;
  for (const auto& [replica, unused] : replicas) {
    if (uint64_t counter = slot.clock.get(replica); counter != 0) AddTo(&sum, ClockTerm(seed, replica, counter));
    auto it = std::lower_bound(slot.entries.begin(), slot.entries.end(), replica,
                               [](const Entry& e, ReplicaId r) { return e.dot.replica < r; });
    for (; it != slot.entries.end() && it->dot.replica == replica; ++it) {
      AddTo(&sum, EntryTerm(seed, it->dot, it->ts, it->value, it->increments, it->decrements));
    }
  }
  return sum;
}

}  // namespace

// ---- lookup -----------------------------------------------------------------

const CrdtMap::KeyState* CrdtMap::FindKey(std::string_view key) const {
  const KeyEntry* entry = FindEntry(key);
  return entry == nullptr ? nullptr : &entry->second;
}

CrdtMap::KeyEntry* CrdtMap::NewEntry(std::string_view key) {
  KeyEntry* entry = &keys_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple());
  key_index_.Insert(entry->first, entry);
  return entry;
}

const StoredSlot* CrdtMap::FindIn(const KeyState& ks, const SlotKey& slot_key) {
  if (slot_key.member.empty() && slot_key.type == ks.first_type && ks.first_type != ValueType::kNone) {
    return &ks.first;
  }
  if (!ks.more) return nullptr;
  auto it = ks.more->slots.find(slot_key);
  return it == ks.more->slots.end() ? nullptr : &it->second.slot;
}

const StoredSlot* CrdtMap::FindSlot(std::string_view key, ValueType type, std::string_view member) const {
  const KeyState* ks = FindKey(key);
  if (ks == nullptr) return nullptr;
  return FindIn(*ks, SlotKey{type, std::string(member)});
}

CrdtMap::SlotView CrdtMap::SlotOf(KeyEntry& key, const SlotKey& slot_key) {
  KeyState& ks = key.second;
  if (slot_key.member.empty() && (ks.first_type == slot_key.type || ks.first_type == ValueType::kNone)) {
    ks.first_type = slot_key.type;
    return SlotView{&key, &FirstSlotKey(slot_key.type), &ks.first, reinterpret_cast<SlotIndex::Ref>(&key)};
  }
  if (!ks.more) ks.more = std::make_unique<Members>();
  auto [it, added] = ks.more->slots.try_emplace(slot_key);
  if (added) it->second.key = &key;
  return SlotView{&key, &it->first, &it->second.slot, reinterpret_cast<SlotIndex::Ref>(&*it) | 1};
}

CrdtMap::SlotView CrdtMap::ViewOf(SlotIndex::Ref ref) {
  if ((ref & 1) == 0) {
    auto* key = reinterpret_cast<KeyEntry*>(ref);
    return SlotView{key, &FirstSlotKey(key->second.first_type), &key->second.first, ref};
  }
  auto* node = reinterpret_cast<MemberMap::value_type*>(ref & ~SlotIndex::Ref{1});
  return SlotView{node->second.key, &node->first, &node->second.slot, ref};
}

template <typename Fn>
void CrdtMap::ForEachSlot(const KeyState& ks, Fn fn) {
  // The first slot {first_type, ""} sorts before every member slot of its
  // type or a greater one (no member slot has its key).
  bool first_done = ks.first_type == ValueType::kNone;
  if (ks.more) {
    for (const auto& [slot_key, member] : ks.more->slots) {
      if (!first_done && slot_key.type >= ks.first_type) {
        fn(FirstSlotKey(ks.first_type), ks.first);
        first_done = true;
      }
      fn(slot_key, member.slot);
    }
  }
  if (!first_done) fn(FirstSlotKey(ks.first_type), ks.first);
}

uint32_t CrdtMap::Live(const KeyState& ks, ValueType type) {
  uint32_t n = ks.first_type == type ? static_cast<uint32_t>(ks.first.entries.size()) : 0;
  if (ks.more) n += ks.more->live[static_cast<size_t>(type)];
  return n;
}

ValueType CrdtMap::VisibleType(const KeyState& ks) {
  if (!ks.more) return ks.first.entries.empty() ? ValueType::kNone : ks.first_type;
  ValueType only = ValueType::kNone;
  int types = 0;
  for (int t = 1; t <= 4; ++t) {
    if (Live(ks, static_cast<ValueType>(t)) > 0) {
      only = static_cast<ValueType>(t);
      ++types;
    }
  }
  if (types <= 1) return only;
  // Concurrent creation with different types: the newest live entry decides.
  bool found = false;
  Timestamp best_ts = 0;
  Dot best_dot;
  ValueType best_type = ValueType::kNone;
  ForEachSlot(ks, [&](const SlotKey& slot_key, const StoredSlot& slot) {
    size_t i = slot.entries.Newest();
    if (i == slot.entries.size()) return;
    if (!found || NewerThan(slot.entries.ts(i), slot.entries.dot(i), best_ts, best_dot)) {
      found = true;
      best_ts = slot.entries.ts(i);
      best_dot = slot.entries.dot(i);
      best_type = slot_key.type;
    }
  });
  return best_type;
}

bool CrdtMap::KeyIsLive(const KeyState& ks) {
  if (!ks.first.entries.empty()) return true;
  if (!ks.more) return false;
  const uint32_t* live = ks.more->live;
  return live[1] + live[2] + live[3] + live[4] > 0;
}

// ---- slot storage ---------------------------------------------------------------

CrdtMap::SlotView CrdtMap::StoreSlot(KeyEntry* key, const SlotKey& slot_key, Slot& next,
                                     std::span<const VersionVector::Entry> grown) {
  PendingStore pending = BeginStore(key, slot_key, grown);
  LeaveOutOfSum(pending.view);
  return FinishStore(pending, next, grown);
}

CrdtMap::PendingStore CrdtMap::BeginStore(KeyEntry* key, const SlotKey& slot_key,
                                          std::span<const VersionVector::Entry> grown) {
  KeyState& ks = key->second;
  ++version_;
  PendingStore pending;
  pending.was_live = KeyIsLive(ks);
  SlotView view = SlotOf(*key, slot_key);
  pending.view = view;
  pending.old_entries = view.slot->entries.size();
  old_counters_.clear();
  for (const VersionVector::Entry& entry : grown) old_counters_.push_back(view.slot->clock.get(entry.first));
  return pending;
}

void CrdtMap::LeaveOutOfSum(const SlotView& view) {
  if (view.slot == unhashed_.slot) return;
  slot_sum_ = SlotSum();
  TakeFrom(&slot_sum_, SlotHash(view.key->first, *view.slot_key, *view.slot));
  unhashed_.key = &view.key->first;
  unhashed_.slot_key = view.slot_key;
  unhashed_.slot = view.slot;
}

CrdtMap::SlotView CrdtMap::FinishStore(const PendingStore& pending, Slot& next,
                                       std::span<const VersionVector::Entry> grown) {
  const SlotView& view = pending.view;
  KeyState& ks = view.key->second;
  if (view.slot != &ks.first) {
    uint32_t& live = ks.more->live[static_cast<size_t>(view.slot_key->type)];
    live -= static_cast<uint32_t>(pending.old_entries);
    live += static_cast<uint32_t>(next.entries.size());
  }
  // Point the index at the new clock entries. Clocks only grow, so the old
  // clock's replicas are a subset of the new one's.
  for (size_t i = 0; i < grown.size(); ++i) {
    ReplicaId replica = grown[i].first;
    uint64_t counter = next.clock.get(replica);
    uint64_t old_counter = old_counters_[i];
    if (old_counter == counter) continue;
    if (old_counter != 0) {
      index_.Move(replica, old_counter, counter, view.ref);
    } else {
      index_.Add(replica, counter, view.ref);
    }
  }
  view.slot->Assign(std::move(next));  // leaves next's buffers (stored_slot.h)
  bool is_live = KeyIsLive(ks);
  if (pending.was_live != is_live) live_keys_ += is_live ? 1 : static_cast<size_t>(-1);
  return view;
}

// ---- writes -------------------------------------------------------------------

Status CrdtMap::CheckType(const Op& op, const KeyState* ks) {
  if (op.kind == Op::Kind::kSet || op.kind == Op::Kind::kDel || ks == nullptr) return Status::Ok();
  ValueType held = VisibleType(*ks);
  if (held != ValueType::kNone && held != TypeWritten(op.kind)) return WrongTypeError(op.key, held);
  return Status::Ok();
}

Status CrdtMap::CheckTypes(std::span<const Op> ops) const {
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
  Delta delta;
  PARLEY_RETURN_IF_ERROR(Apply(ops, ts, &delta));
  return delta;
}

Status CrdtMap::Apply(std::span<const Op> ops, Timestamp ts, Delta* delta) {
  delta->context.Clear();
  // A single op, the common case, looks its key up once for both the type
  // check and the change: `single` is the key's entry, if it has one.
  KeyEntry* single = nullptr;
  Status allowed;
  if (self_ == 0) {
    allowed = Status::InvalidArgument("this map has no replica id and cannot write");
  } else if (ops.size() == 1) {
    single = FindEntry(ops[0].key);
    allowed = CheckType(ops[0], single ? &single->second : nullptr);
  } else {
    allowed = CheckTypes(ops);
  }
  if (!allowed.ok()) {
    delta->slots.clear();
    return allowed;
  }

  // The whole batch is one event: one dot, allocated on the first change.
  Dot dot{self_, 0};
  auto event = [&]() -> const Dot& {
    if (dot.counter == 0) dot.counter = std::max(context_.MaxCounter(self_), counter_floor_) + 1;
    return dot;
  };
  // Each change this batch made to a slot. The delta carries, per slot, only
  // the batch's change (SlotState::after): the entries it made and the dots
  // of the entries it removed, not the slot's whole clock.
  changes_used_ = 0;
  auto new_change = [&]() -> Change& {
    if (changes_used_ == changes_.size()) changes_.emplace_back();
    Change& change = changes_[changes_used_++];
    change.removed.Clear();
    change.own_before = 0;
    return change;
  };
  auto store = [&](KeyEntry* key, const SlotKey& slot_key, Slot& next) {
    next.clock.Raise(self_, event().counter);
    Change& change = new_change();
    if (const StoredSlot* existing = FindIn(key->second, slot_key)) {
      change.own_before = existing->clock.get(self_);
      for (size_t i = 0; i < existing->entries.size(); ++i) {
        const Dot& d = existing->entries.dot(i);
        auto pos = std::lower_bound(next.entries.begin(), next.entries.end(), d,
                                    [](const Entry& e, const Dot& dot) { return e.dot < dot; });
        bool kept = pos != next.entries.end() && pos->dot == d;
        if (!kept) change.removed.Raise(d.replica, d.counter);
      }
    }
    const VersionVector::Entry own{self_, dot.counter};
    change.view = StoreSlot(key, slot_key, next, {&own, 1});
  };
  // Empties every live slot of `key` whose type is not `keep`.
  auto clear_others = [&](KeyEntry* key, ValueType keep) {
    std::vector<const SlotKey*> doomed;  // slot keys outlive their slots' changes
    ForEachSlot(key->second, [&](const SlotKey& slot_key, const StoredSlot& slot) {
      if (slot_key.type != keep && !slot.entries.empty()) doomed.push_back(&slot_key);
    });
    for (const SlotKey* slot_key : doomed) {
      Slot emptied{FindIn(key->second, *slot_key)->clock.ToVersionVector(), {}};
      store(key, *slot_key, emptied);
    }
  };
  // A slot holding just a new entry of `value`, replacing whatever this
  // replica observed.
  auto replace_with = [&](KeyEntry* key, const SlotKey& slot_key, std::string_view value) {
    const StoredSlot* existing = FindIn(key->second, slot_key);
    Slot& next = next_slot_;
    next.clock.AssignCanonical(existing != nullptr ? existing->clock.entries()
                                                   : std::span<const VersionVector::Entry>());
    // Field by field into the scratch entry, whose value buffer is reused.
    next.entries.resize(1);
    Entry& entry = next.entries[0];
    entry.dot = event();
    entry.ts = ts;
    entry.value.assign(value);
    entry.increments = 0;
    entry.decrements = 0;
    store(key, slot_key, next);
  };

  for (const Op& op : ops) {
    bool removes = op.kind == Op::Kind::kDel || op.kind == Op::Kind::kSRem || op.kind == Op::Kind::kHDel;
    // A removal of something absent is a no-op and must not create a key.
    KeyEntry* key = ops.size() == 1 ? single : FindEntry(op.key);
    if (key == nullptr && !removes) key = NewEntry(op.key);
    if (key == nullptr) continue;
    switch (op.kind) {
      case Op::Kind::kDel:
        clear_others(key, ValueType::kNone);
        break;
      case Op::Kind::kSet: {
        clear_others(key, ValueType::kRegister);
        replace_with(key, FirstSlotKey(ValueType::kRegister), op.value);
        break;
      }
      case Op::Kind::kIncr: {
        clear_others(key, ValueType::kCounter);
        // The slot is moved out and back, not copied and compared as other
        // writes do: only this replica's entry changes, so the one dot the
        // change removes is that entry's old one (a pipelined INCR took 15%
        // longer with the copy).
        const VersionVector::Entry grown{self_, event().counter};
        PendingStore pending = BeginStore(key, FirstSlotKey(ValueType::kCounter), {&grown, 1});
        LeaveOutOfSum(pending.view);
        Slot& next = next_slot_;
        pending.view.slot->MoveTo(&next);
        Change& change = new_change();
        change.own_before = next.clock.get(self_);
        next.clock.Raise(self_, grown.second);
        // This replica's contribution is cumulative: the new entry replaces
        // the old one and carries its totals forward. Entries are sorted by
        // dot, replica first, so the new dot takes the old one's place.
        auto own = std::lower_bound(next.entries.begin(), next.entries.end(), self_,
                                    [](const Entry& e, ReplicaId replica) { return e.dot.replica < replica; });
        if (own == next.entries.end() || own->dot.replica != self_) {
          own = next.entries.insert(own, Entry{});
        } else {
          change.removed.Raise(self_, own->dot.counter);
        }
        own->dot = dot;
        own->ts = ts;
        if (op.amount >= 0) {
          own->increments += static_cast<uint64_t>(op.amount);
        } else {
          own->decrements += 0 - static_cast<uint64_t>(op.amount);
        }
        change.view = FinishStore(pending, next, {&grown, 1});
        break;
      }
      case Op::Kind::kSAdd:
      case Op::Kind::kHSet: {
        ValueType type = TypeWritten(op.kind);
        clear_others(key, type);
        replace_with(key, SlotKey{type, op.member}, op.kind == Op::Kind::kHSet ? op.value : std::string_view());
        break;
      }
      case Op::Kind::kSRem:
      case Op::Kind::kHDel: {
        SlotKey slot_key{TypeWritten(op.kind), op.member};
        const StoredSlot* existing = FindIn(key->second, slot_key);
        if (existing != nullptr && !existing->entries.empty()) {
          Slot emptied{existing->clock.ToVersionVector(), {}};
          store(key, slot_key, emptied);
        }
        break;
      }
    }
  }

  size_t slots_used = 0;  // delta->slots past this are old ones, to reuse or drop
  if (dot.counter == 0) {  // nothing changed
    delta->slots.clear();
    return Status::Ok();
  }
  context_.Insert(dot);
  ++version_;  // the context changed (StoreSlot counted the slots)
  delta->context.Insert(dot);
  const auto changes = std::span<Change>(changes_).first(changes_used_);
  // Group the changes by slot, in delta order; a stable sort keeps each
  // slot's first change, which saw the slot as it was before the batch, first.
  // (std::stable_sort takes a temporary buffer even for one change.)
  if (changes.size() > 1) {
    std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
      if (a.view.key != b.view.key && a.view.key->first != b.view.key->first) {
        return a.view.key->first < b.view.key->first;
      }
      return *a.view.slot_key < *b.view.slot_key;
    });
  }
  for (size_t i = 0; i < changes.size(); ++i) {
    const SlotView& view = changes[i].view;
    if (i > 0 && changes[i - 1].view.slot == view.slot) {
      delta->slots[slots_used - 1].state.clock.Join(changes[i].removed);
      continue;
    }
    // Assigned field by field into a reused SlotState, so its strings and
    // vectors keep their memory.
    if (slots_used == delta->slots.size()) delta->slots.emplace_back();
    SlotState& change = delta->slots[slots_used++];
    change.key = view.key->first;
    change.slot = *view.slot_key;
    change.state.clock = changes[i].removed;
    change.state.clock.Raise(self_, dot.counter);
    change.after = Dot{self_, changes[i].own_before};
    // The entries the batch made: those of its dot in the slot's final state.
    const StoredEntries& entries = view.slot->entries;
    std::vector<Entry>& made = change.state.entries;
    size_t made_count = 0;
    for (size_t e = 0; e < entries.size(); ++e) {
      if (entries.dot(e) != dot) continue;
      if (made_count == made.size()) made.emplace_back();
      Entry& entry = made[made_count++];
      entry.dot = dot;
      entry.ts = entries.ts(e);
      entry.value.assign(entries.value(e));
      entry.increments = entries.increments(e);
      entry.decrements = entries.decrements(e);
    }
    made.resize(made_count);
  }
  delta->slots.resize(slots_used);
  return Status::Ok();
}

// ---- merging --------------------------------------------------------------------

bool CrdtMap::Ready(const Delta& delta) const {
  for (const SlotState& change : delta.slots) {
    if (!change.after) continue;
    const KeyState* ks = FindKey(change.key);
    const StoredSlot* slot = ks ? FindIn(*ks, change.slot) : nullptr;
    for (const auto& [replica, counter] : change.state.clock.entries()) {
      uint64_t needed = replica == change.after->replica ? change.after->counter : counter;
      if (needed > 0 && (slot == nullptr || slot->clock.get(replica) < needed)) return false;
    }
  }
  return true;
}

Status CrdtMap::Join(const Delta& delta, std::vector<std::string>* changed_keys) {
  std::string why;
  if (!delta.IsWellFormed(&why)) return Status::InvalidArgument("malformed delta: " + why);
  for (const SlotState& incoming : delta.slots) {
    // Merged into the slot's own buffers, moved out and back, not into a
    // copy of a clock that may name the whole fleet. The merge changes the
    // slot's hash terms only at the replicas of the incoming clock (see
    // SlotHash in the header), so only those are replaced in the sum
    // (unless the slot is the one left out of it).
    KeyEntry* key = EntryFor(incoming.key);
    const auto& grown = incoming.state.clock.entries();
    PendingStore pending = BeginStore(key, incoming.slot, grown);
    Slot& next = next_slot_;
    pending.view.slot->MoveTo(&next);
    bool in_sum = pending.view.slot != unhashed_.slot;
    uint64_t seed = in_sum ? SlotSeed(key->first, incoming.slot) : 0;
    if (in_sum) TakeFrom(&slot_sum_, TermsOver(seed, next, grown));
    bool entries_changed = MergeSlot(next, incoming.state);
    if (in_sum) AddTo(&slot_sum_, TermsOver(seed, next, grown));
    FinishStore(pending, next, grown);
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
  for (const KeyEntry* entry : key_order_.Sorted(keys_)) {
    ForEachSlot(entry->second, [&](const SlotKey& slot_key, const StoredSlot& slot) {
      d.slots.push_back(SlotState{entry->first, slot_key, slot.ToSlot()});
    });
  }
  return d;
}

void CrdtMap::EncodeState(std::string* out) const {
  EncodeCompact(
      context_,
      [this](auto&& fn) {
        for (const KeyEntry* entry : key_order_.Sorted(keys_)) {
          ForEachSlot(entry->second, [&](const SlotKey& slot_key, const StoredSlot& slot) {
            fn(entry->first, slot_key, slot.clock.entries(), slot.entries);
          });
        }
      },
      out);
}

Delta CrdtMap::ExportSlots(std::span<const SlotRef> slots) const {
  Delta d;
  for (const SlotRef& ref : slots) {
    const KeyState* ks = FindKey(ref.key);
    const StoredSlot* slot = ks ? FindIn(*ks, ref.slot) : nullptr;
    if (slot != nullptr && slot->clock.size() > 0) d.slots.push_back(SlotState{ref.key, ref.slot, slot->ToSlot()});
  }
  return d;
}

std::vector<Delta> CrdtMap::Diff(const CausalContext& peer, size_t max_chunk_bytes) const {
  return ChunksOf(context_.Missing(peer), max_chunk_bytes);
}

std::vector<Delta> CrdtMap::DiffForAnyReader(const CausalContext& peer, size_t max_chunk_bytes) const {
  return ChunksOf(context_.MissingOnward(peer), max_chunk_bytes);
}

std::vector<Delta> CrdtMap::ChunksOf(const std::vector<DotRange>& ranges, size_t max_chunk_bytes) const {
  std::vector<Delta> chunks;
  // Slots of the chunk being built, ordered as a Delta requires.
  std::map<std::pair<std::string_view, const SlotKey*>, const StoredSlot*,
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
      d.slots.push_back(SlotState{std::string(where.first), *where.second, slot->ToSlot()});
    }
    chunks.push_back(std::move(d));
    context = CausalContext();
    slots.clear();
    bytes = 0;
  };

  for (const DotRange& range : ranges) {
    uint64_t start = range.first;  // first counter of this range not yet in a chunk
    // All slots indexed at one dot travel in one chunk: that dot's context
    // entry promises all of them (I3). So a chunk may end only after the
    // last slot of a dot.
    auto end_of_dot = [&](uint64_t counter) {
      if (bytes >= max_chunk_bytes) {
        context.InsertRange({range.replica, start, counter});
        start = counter + 1;
        flush();
      }
    };
    uint64_t current = 0;  // counter whose slots are being added (0: none yet)
    index_.ForEach(range.replica, range.first, range.last, [&](uint64_t counter, SlotIndex::Ref ref) {
      if (current != 0 && counter != current) end_of_dot(current);
      current = counter;
      SlotView view = ViewOf(ref);
      auto [pos, added] = slots.emplace(std::make_pair(std::string_view(view.key->first), view.slot_key),
                                        view.slot);
      if (added) {
        const StoredSlot& slot = *view.slot;
        bytes += 16 + view.key->first.size() + view.slot_key->member.size() + 16 * slot.clock.size();
        for (size_t i = 0; i < slot.entries.size(); ++i) bytes += 40 + slot.entries.value(i).size();
      }
    });
    if (current != 0) end_of_dot(current);
    if (start <= range.last) context.InsertRange({range.replica, start, range.last});
  }
  flush();
  return chunks;
}

std::vector<SlotRef> CrdtMap::UnclaimedSlots() const {
  std::vector<SlotRef> slots;
  auto collect = [&slots](uint64_t, SlotIndex::Ref ref) {
    SlotView view = ViewOf(ref);
    slots.push_back(SlotRef{view.key->first, *view.slot_key});
  };
  index_.ForEachReplica([&](ReplicaId replica) {
    uint64_t next = 1;  // the first counter not yet known to be claimed
    for (const DotRange& claimed : context_.RangesOf(replica)) {
      if (claimed.first > next) index_.ForEach(replica, next, claimed.first - 1, collect);
      if (claimed.last == UINT64_MAX) return;
      next = claimed.last + 1;
    }
    index_.ForEach(replica, next, UINT64_MAX, collect);
  });
  std::sort(slots.begin(), slots.end());  // a slot may be unclaimed for several replicas
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  return slots;
}

// ---- reads --------------------------------------------------------------------

ValueType CrdtMap::TypeOf(std::string_view key) const {
  const KeyState* ks = FindKey(key);
  return ks ? VisibleType(*ks) : ValueType::kNone;
}

// Reads look the key up once: GET and INCR run them per command, and each
// lookup is a walk of the ordered key map.
const std::string* CrdtMap::FindRegister(std::string_view key) const {
  const KeyState* ks = FindKey(key);
  if (ks == nullptr || VisibleType(*ks) != ValueType::kRegister) return nullptr;
  const StoredEntries& entries = FindIn(*ks, FirstSlotKey(ValueType::kRegister))->entries;
  return &entries.value(entries.Newest());
}

std::optional<std::string> CrdtMap::GetRegister(std::string_view key) const {
  const std::string* value = FindRegister(key);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

std::optional<int64_t> CrdtMap::GetCounter(std::string_view key) const {
  const KeyState* ks = FindKey(key);
  if (ks == nullptr || VisibleType(*ks) != ValueType::kCounter) return std::nullopt;
  uint64_t sum = 0;
  const StoredEntries& entries = FindIn(*ks, FirstSlotKey(ValueType::kCounter))->entries;
  for (size_t i = 0; i < entries.size(); ++i) {
    sum += entries.increments(i) - entries.decrements(i);  // two's complement wraps like int64 sums
  }
  return static_cast<int64_t>(sum);
}

std::vector<std::string> CrdtMap::SetMembers(std::string_view key) const {
  std::vector<std::string> out;
  if (TypeOf(key) != ValueType::kSet) return out;
  ForEachSlot(*FindKey(key), [&](const SlotKey& slot_key, const StoredSlot& slot) {
    if (slot_key.type == ValueType::kSet && !slot.entries.empty()) out.push_back(slot_key.member);
  });
  return out;
}

bool CrdtMap::SetContains(std::string_view key, std::string_view member) const {
  if (TypeOf(key) != ValueType::kSet) return false;
  const StoredSlot* slot = FindSlot(key, ValueType::kSet, member);
  return slot != nullptr && !slot->entries.empty();
}

std::optional<std::string> CrdtMap::HashGet(std::string_view key, std::string_view field) const {
  if (TypeOf(key) != ValueType::kHash) return std::nullopt;
  const StoredSlot* slot = FindSlot(key, ValueType::kHash, field);
  if (slot == nullptr || slot->entries.empty()) return std::nullopt;
  return slot->entries.value(slot->entries.Newest());
}

std::vector<std::pair<std::string, std::string>> CrdtMap::HashAll(std::string_view key) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (TypeOf(key) != ValueType::kHash) return out;
  ForEachSlot(*FindKey(key), [&](const SlotKey& slot_key, const StoredSlot& slot) {
    if (slot_key.type == ValueType::kHash && !slot.entries.empty()) {
      out.emplace_back(slot_key.member, slot.entries.value(slot.entries.Newest()));
    }
  });
  return out;
}

std::vector<std::string> CrdtMap::Keys(std::string_view prefix, size_t limit) const {
  std::vector<std::string> out;
  const std::vector<const KeyEntry*>& sorted = key_order_.Sorted(keys_);
  auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix,
                             [](const KeyEntry* entry, std::string_view p) { return entry->first < p; });
  for (; it != sorted.end() && out.size() < limit; ++it) {
    const auto& [key, ks] = **it;
    if (key.compare(0, prefix.size(), prefix) != 0) break;
    if (KeyIsLive(ks)) out.push_back(key);
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
  void Uint(uint64_t v) {
    char buf[kMaxVarint64Bytes];
    sink_.Put(buf, EncodeVarint64(buf, v));
  }
  void Bytes(std::string_view s) {
    Uint(s.size());
    sink_.Put(s.data(), s.size());
  }

 private:
  Sink& sink_;
};

struct StringSink {
  std::string out;
  void Put(const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
};

// The canonical bytes of a causal context, shared by the encoding and the digest.
template <typename Sink>
void EncodeContext(CanonicalWriter<Sink>& w, const CausalContext& context) {
  w.Uint(context.replica_count());
  context.ForEachReplica([&w](ReplicaId replica, std::span<const DotRange> ranges) {
    w.Uint(replica);
    w.Uint(ranges.size());
    for (const DotRange& r : ranges) {
      w.Uint(r.first);
      w.Uint(r.last);
    }
  });
}

// The canonical bytes of one slot.
template <typename Writer>
void EncodeSlot(Writer& w, const SlotKey& slot_key, const StoredSlot& slot) {
  w.Uint(static_cast<uint64_t>(slot_key.type));
  w.Bytes(slot_key.member);
  w.Uint(slot.clock.size());
  for (const auto& [replica, counter] : slot.clock.entries()) {
    w.Uint(replica);
    w.Uint(counter);
  }
  const StoredEntries& entries = slot.entries;
  w.Uint(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    w.Uint(entries.dot(i).replica);
    w.Uint(entries.dot(i).counter);
    w.Uint(entries.ts(i));
    w.Bytes(entries.value(i));
    w.Uint(entries.increments(i));
    w.Uint(entries.decrements(i));
  }
}
}  // namespace

template <typename Sink>
void CrdtMap::Encode(Sink& sink) const {
  CanonicalWriter<Sink> w(sink);
  sink.Put("PCM1", 4);
  EncodeContext(w, context_);
  w.Uint(keys_.size());
  for (const KeyEntry* entry : key_order_.Sorted(keys_)) {
    const auto& [key, ks] = *entry;
    w.Bytes(key);
    w.Uint((ks.first_type != ValueType::kNone ? 1 : 0) + (ks.more ? ks.more->slots.size() : 0));
    ForEachSlot(ks, [&](const SlotKey& slot_key, const StoredSlot& slot) { EncodeSlot(w, slot_key, slot); });
  }
}

std::string CrdtMap::CanonicalEncoding() const {
  StringSink sink;
  Encode(sink);
  return std::move(sink.out);
}

Digest CrdtMap::SlotHash(std::string_view key, const SlotKey& slot_key, const StoredSlot& slot) {
  Digest sum;
  if (slot.clock.size() == 0) return sum;
  uint64_t seed = SlotSeed(key, slot_key);
  for (const auto& [replica, counter] : slot.clock.entries()) AddTo(&sum, ClockTerm(seed, replica, counter));
  const StoredEntries& entries = slot.entries;
  for (size_t i = 0; i < entries.size(); ++i) {
    AddTo(&sum, EntryTerm(seed, entries.dot(i), entries.ts(i), entries.value(i), entries.increments(i),
                        entries.decrements(i)));
  }
  return sum;
}

Digest CrdtMap::DigestWith(const Digest& slot_sum) const {
  // The context, then the slot sum, hashed together: equal states have equal
  // contexts and equal slot sets.
  StringSink sink;
  CanonicalWriter<StringSink> w(sink);
  sink.Put("PCD1", 4);
  EncodeContext(w, context_);
  w.Uint(slot_sum.high);
  w.Uint(slot_sum.low);
  XXH128_hash_t h = XXH3_128bits(sink.out.data(), sink.out.size());
  return Digest{h.high64, h.low64};
}

Digest CrdtMap::SlotSum() const {
  if (unhashed_.slot == nullptr) return slot_sum_;
  Digest sum = slot_sum_;
  AddTo(&sum, SlotHash(*unhashed_.key, *unhashed_.slot_key, *unhashed_.slot));
  return sum;
}

Digest CrdtMap::StateDigest() const { return DigestWith(SlotSum()); }

Digest CrdtMap::RecomputeStateDigest() const {
  Digest sum;
  for (const auto& entry : keys_) {  // no structured binding: clang 14 cannot capture one
    const std::string& key = entry.first;
    ForEachSlot(entry.second,
                [&](const SlotKey& slot_key, const StoredSlot& slot) { AddTo(&sum, SlotHash(key, slot_key, slot)); });
  }
  return DigestWith(sum);
}

}  // namespace parley

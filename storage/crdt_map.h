// CrdtMap: the replicated key/value map of one node (a delta-state CRDT).
//
// The map is an observed-remove map from key to a typed value (register,
// counter, set, hash). Every local write is applied at once and returned as a
// Delta to be logged and gossiped; Join() merges deltas or whole states from
// peers. Reads never block and see the local state.
//
// Why slots with clocks (see slot.h) and not a bare dot store: with a bare
// store, a removal is known only as "this dot is in my context". A range-cut
// anti-entropy chunk then cannot tell a peer to drop an entry the peer has
// already seen, and a delta that arrives out of order can mark a dot as seen
// without its effects. Each slot instead carries a small clock, and every
// event touching a slot (a removal included) raises that clock with the
// event's dot. So the newest event of each replica on each slot is indexed
// by (replica, counter), and shipping that slot's whole state carries every
// older effect with it. Diff() walks that index over exactly the ranges the
// peer lacks (I3) and never scans the whole map.
//
// A write's delta is not the slot's whole state, though: a clock names every
// replica that ever wrote the slot (1000 entries, 16 KB, on a key a 1000-node
// fleet shares), while the write changed one entry. So Apply() returns only
// the change (SlotState::after), and Ready() says when a replica may join it:
// when its slot already reflects the entries the write replaced and the
// writer's previous event on the slot. Joined earlier, the slot's clock would
// claim those events without their effects, which Diff() would then never
// resend; NodeCore holds such a delta back instead.
//
// Memory: an embedded node may hold millions of keys, so slots are kept in
// a compact form (stored_slot.h) and converted to the public Slot only at
// the edges (Apply's delta, Join, ExportState, Diff); a key's first
// member-less slot lives inline in its KeyState, and the index keeps 16 B
// per clock entry (slot_index.h). A register key costs about 165 B.
//
// Rules users see:
//   * A write concurrent with a delete of the same key survives.
//   * Register: last writer wins by (HLC timestamp, replica id, counter).
//   * Counter: each replica keeps a cumulative (increments, decrements) entry;
//     the value is the sum. A delete removes the contributions it observed.
//   * Set: add wins over a concurrent remove of the same member.
//   * Hash: per field, like a register; HDEL removes the observed field.
//   * Writing a register (SET) replaces a value of any type. Counter, set and
//     hash writes against a key holding another type fail with WrongType.
//   * Type conflict: if two replicas concurrently create one key with two
//     types, both survive in the state; the visible type is the type of the
//     live entry with the greatest (timestamp, replica, counter). The next
//     write of the visible type removes the hidden ones.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/causal_context.h"
#include "storage/delta.h"
#include "storage/flat_index.h"
#include "storage/hybrid_clock.h"
#include "storage/key_order.h"
#include "storage/slot.h"
#include "storage/slot_index.h"
#include "storage/status.h"
#include "storage/stored_slot.h"

namespace parley {

// One write. Build with the helpers below; several form an atomic batch.
struct Op {
  enum class Kind : uint8_t { kSet, kDel, kIncr, kSAdd, kSRem, kHSet, kHDel };
  Kind kind = Kind::kSet;
  std::string key;
  std::string member;  // set member or hash field
  std::string value;   // register value or hash field value
  int64_t amount = 0;  // counter increment (negative to decrement)

  static Op Set(std::string key, std::string value);
  static Op Del(std::string key);
  static Op Incr(std::string key, int64_t amount);
  static Op SAdd(std::string key, std::string member);
  static Op SRem(std::string key, std::string member);
  static Op HSet(std::string key, std::string field, std::string value);
  static Op HDel(std::string key, std::string field);
};

// 128-bit digest of the canonical encoding (XXH3-128), as hex.
struct Digest {
  uint64_t high = 0;
  uint64_t low = 0;
  bool operator==(const Digest&) const = default;
  std::string ToHex() const;
};

class CrdtMap {
 public:
  // `self` names this replica's writes; 0 makes a read-only map that can
  // still join (useful for grouping deltas and in tests).
  explicit CrdtMap(ReplicaId self = 0) : self_(self) {}

  CrdtMap(const CrdtMap&) = delete;
  CrdtMap& operator=(const CrdtMap&) = delete;
  CrdtMap(CrdtMap&&) = default;
  CrdtMap& operator=(CrdtMap&&) = default;

  ReplicaId self() const { return self_; }

  // Makes this replica's next write use a counter above `floor`. A node that
  // restarts from its logbook calls this with a wide margin: writes it sent
  // to peers but had not synced are lost locally, and their dots must never
  // be reused for different writes (peers give the old ones back later).
  void SkipCountersTo(uint64_t floor) { counter_floor_ = std::max(counter_floor_, floor); }

  // ---- writes -------------------------------------------------------------
  // Applies `ops` atomically with timestamp `ts` (from a HybridClock): either
  // all apply or, if one is refused (wrong type, bad argument), none does.
  // Returns the delta to log and gossip; an empty delta if nothing changed.
  // Its slots carry only the batch's change (SlotState::after), so its size
  // does not grow with the number of replicas that ever wrote a key.
  Result<Delta> Apply(std::span<const Op> ops, Timestamp ts);
  Result<Delta> Apply(const Op& op, Timestamp ts) { return Apply(std::span<const Op>(&op, 1), ts); }
  // The same, writing the delta into `*delta` (emptied first) and reusing
  // its memory: a node that writes in a loop and keeps its delta (NodeCore
  // does, when it has nobody to push it to) allocates nothing for it.
  // Leaves `*delta` empty if the batch is refused.
  Status Apply(std::span<const Op> ops, Timestamp ts, Delta* delta);

  // ---- merging -------------------------------------------------------------
  // Joins a delta or a whole state. Rejects a malformed delta without changing
  // anything. If `changed_keys` is given, appends each key whose visible value
  // changed (once per key, sorted).
  //
  // A write's delta (slots with SlotState::after) is always safe to join as
  // a lattice value, but a replica that serves Diff() must join it only when
  // Ready(): otherwise a slot's clock could claim an earlier event (say q:5,
  // which removed p:3) whose effect the slot lacks, and Diff(), which indexes
  // a slot only at each replica's newest event on it, would never send q:5's
  // effect again. Diff() chunks and exported states are always ready.
  Status Join(const Delta& delta, std::vector<std::string>* changed_keys = nullptr);
  // True if every write change in `delta` finds its slot already reflecting
  // the entries it replaced and its writer's previous event on the slot.
  bool Ready(const Delta& delta) const;

  // The whole state as one delta (for full-state joins).
  Delta ExportState() const;
  // Appends the whole state in the compact encoding (compact_delta.h): the
  // bytes of EncodeCompactDelta(ExportState()), without building that copy
  // of every key, value and clock. Snapshots write this.
  void EncodeState(std::string* out) const;
  // The full states of the named slots (sorted, unique; absent ones are
  // skipped), with an empty context: joining it claims no dots (I3), it only
  // brings those slots up to date.
  Delta ExportSlots(std::span<const SlotRef> slots) const;

  // The part of this state that a peer with context `peer` lacks, cut by
  // (replica, counter) ranges into chunks of about `max_chunk_bytes` each.
  // Joining all chunks at the peer gives the same state as a full join. Each
  // chunk's context covers only what it carries or what this replica has
  // seen superseded (I3); but the superseding event may travel in a later
  // chunk, so the slots of any prefix are safe to join, its claims are not
  // (NodeCore::HandleChunk takes them once it has every chunk).
  std::vector<Delta> Diff(const CausalContext& peer, size_t max_chunk_bytes = 64 * 1024) const;
  // Diff()'s chunks for readers other than the peer (the relay): a claimed
  // event whose effect a newer event of its replica superseded is safe only
  // with that newer event, which the peer may have and another reader not.
  // So for each replica, every event from the first the peer lacks onward.
  std::vector<Delta> DiffForAnyReader(const CausalContext& peer, size_t max_chunk_bytes = 64 * 1024) const;

  // Every slot whose newest event of some replica is not in context(),
  // sorted and unique. Its effects came with a chunk or a slot-request answer
  // that did not claim that event. The claim normally follows; but if every
  // node that held it lost it (a lost disk), no Diff() ships those effects
  // again, and two nodes with equal contexts keep different states for
  // good. ExportSlots() of these lets them agree (it claims nothing, I3).
  // Walks the index beyond each replica's claimed ranges only.
  std::vector<SlotRef> UnclaimedSlots() const;

  // ---- reads -----------------------------------------------------------------
  ValueType TypeOf(std::string_view key) const;
  std::optional<std::string> GetRegister(std::string_view key) const;
  // The value GetRegister would return, without copying it; null if `key`
  // does not hold a register. Valid until the map next changes.
  const std::string* FindRegister(std::string_view key) const;
  std::optional<int64_t> GetCounter(std::string_view key) const;
  std::vector<std::string> SetMembers(std::string_view key) const;
  bool SetContains(std::string_view key, std::string_view member) const;
  std::optional<std::string> HashGet(std::string_view key, std::string_view field) const;
  std::vector<std::pair<std::string, std::string>> HashAll(std::string_view key) const;
  // Live keys starting with `prefix`, in order; at most `limit`.
  std::vector<std::string> Keys(std::string_view prefix = {}, size_t limit = SIZE_MAX) const;
  size_t KeyCount() const { return live_keys_; }

  const CausalContext& context() const { return context_; }
  // Grows whenever the state may have changed (for caching digests).
  uint64_t version() const { return version_; }

  // ---- comparison ------------------------------------------------------------
  // Canonical byte encoding of the state: equal states give equal bytes (I1).
  std::string CanonicalEncoding() const;
  // Equal states give equal digests. Kept up to date on every slot change
  // (a sum of per-slot hashes, combined with the causal context), so this is
  // O(context), not O(state): anti-entropy asks for it every round, and on a
  // large map recomputing it dominated the 1000-node simulator and made
  // /v1/status cost ~150 ms at 1 M keys.
  Digest StateDigest() const;
  // The same digest computed from scratch, to check the kept one (tests).
  Digest RecomputeStateDigest() const;

 private:
  struct KeyState;
  using KeyEntry = std::pair<const std::string, KeyState>;
  // A slot kept in a key's member map, with its key for the index.
  struct MemberSlot {
    StoredSlot slot;
    KeyEntry* key = nullptr;
  };
  using MemberMap = std::map<SlotKey, MemberSlot>;
  struct Members {
    MemberMap slots;
    uint32_t live[5] = {0, 0, 0, 0, 0};  // live entries per ValueType in `slots`
  };
  // Most keys have one slot, a register's or a counter's, so the first slot
  // with an empty member lives inline (of type first_type); every other slot
  // (set members, hash fields, a second type) goes to `more`. Slots are never
  // removed, so a slot never moves between the two.
  struct KeyState {
    StoredSlot first;
    std::unique_ptr<Members> more;
    ValueType first_type = ValueType::kNone;
  };
  // One slot of the map with its names; slot_key points at storage that
  // lives as long as the slot.
  struct SlotView {
    KeyEntry* key;
    const SlotKey* slot_key;
    StoredSlot* slot;
    SlotIndex::Ref ref;  // the slot's handle in index_
  };

  const KeyState* FindKey(std::string_view key) const;
  KeyEntry* FindEntry(std::string_view key) const { return key_index_.Find(key); }
  // The key's entry, created (with no slots) if the map lacks it.
  KeyEntry* EntryFor(std::string_view key) {
    KeyEntry* entry = FindEntry(key);
    return entry != nullptr ? entry : NewEntry(key);
  }
  KeyEntry* NewEntry(std::string_view key);  // `key` must be absent
  static const std::string& KeyName(const KeyEntry& entry) { return entry.first; }
  const StoredSlot* FindSlot(std::string_view key, ValueType type, std::string_view member) const;
  static const StoredSlot* FindIn(const KeyState& ks, const SlotKey& slot_key);
  // The slot, created empty if the key does not have it yet.
  static SlotView SlotOf(KeyEntry& key, const SlotKey& slot_key);
  // Index handles: a KeyEntry* names the key's first slot, a MemberMap node
  // address with the low bit set names a member slot.
  static SlotView ViewOf(SlotIndex::Ref ref);
  // Calls fn(slot_key, slot) for every slot of the key in SlotKey order.
  template <typename Fn>
  static void ForEachSlot(const KeyState& ks, Fn fn);
  static uint32_t Live(const KeyState& ks, ValueType type);
  static ValueType VisibleType(const KeyState& ks);
  static bool KeyIsLive(const KeyState& ks);
  template <typename Sink>
  void Encode(Sink& sink) const;
  // Whether `op` may write a key in state `ks` (null: no such key).
  static Status CheckType(const Op& op, const KeyState* ks);
  // The same for a batch, with the types earlier ops of it leave.
  Status CheckTypes(std::span<const Op> ops) const;
  // Replaces the state of one slot, keeping live counts, the index and the
  // slot hash sum right. `grown` names every replica whose clock entry may
  // differ from the stored one (a write's own dot; a joined change's clock),
  // so a slot whose clock names a thousand writers is not walked whole.
  // It may move values out of `next` but leaves its buffers, so the write
  // path reuses one scratch Slot instead of allocating two vectors a write.
  SlotView StoreSlot(KeyEntry* key, const SlotKey& slot_key, Slot& next, std::span<const VersionVector::Entry> grown);
  // StoreSlot() in parts, for Join(), which moves the slot's state out
  // (StoredSlot::MoveTo) and merges into it instead of copying a clock of a
  // thousand entries: BeginStore() notes what FinishStore() needs of the old
  // state (the slot may then be emptied) and FinishStore() stores `next`.
  // One store at a time: the old clock entries wait in old_counters_.
  // Between them the caller keeps slot_sum_ right, either with
  // LeaveOutOfSum() (what StoreSlot does) or by replacing the terms it
  // changed (TermsOver in the .cc file).
  struct PendingStore {
    SlotView view;
    bool was_live = false;
    size_t old_entries = 0;
  };
  PendingStore BeginStore(KeyEntry* key, const SlotKey& slot_key, std::span<const VersionVector::Entry> grown);
  SlotView FinishStore(const PendingStore& pending, Slot& next, std::span<const VersionVector::Entry> grown);
  // Takes the slot's term out of slot_sum_ until it is hashed again, and
  // folds in the slot left out before (see Unhashed below).
  void LeaveOutOfSum(const SlotView& view);
  // Hash of one slot with its names: a sum of one term per clock entry and
  // one per entry, seeded by the names. A merge changes only the clock
  // entries and entries of the replicas the incoming clock names, so
  // Join() replaces just their terms and never walks a clock that names a
  // whole fleet. An empty slot (no clock) hashes to 0, as if absent, so
  // creating one changes nothing.
  static Digest SlotHash(std::string_view key, const SlotKey& slot_key, const StoredSlot& slot);
  Digest DigestWith(const Digest& slot_sum) const;

  // Apply()'s scratch, kept between writes for the capacity of its buffers.
  struct Change {
    SlotView view;
    VersionVector removed;    // dots of the entries this change removed
    uint64_t own_before = 0;  // this replica's clock entry before it
  };
  std::vector<Change> changes_;         // the first changes_used_ are this write's;
  size_t changes_used_ = 0;             // the rest keep their memory for the next
  Slot next_slot_;                      // (Join uses it too)
  std::vector<uint64_t> old_counters_;  // BeginStore's: the old clock at `grown`

  ReplicaId self_;
  CausalContext context_;
  // Every key the map ever held, in the order it first came (never erased:
  // LeaveOutOfSum and the index hold pointers to them).
  std::deque<KeyEntry> keys_;
  // keys_ hashed: every write, joined delta and read names its key, and an
  // ordered map costs ~log2(n) cache misses a lookup (flat_index.h).
  FlatIndex<KeyEntry, &KeyName> key_index_;
  // keys_ by name, for Keys(), ExportState() and the encodings.
  KeyOrder<KeyEntry, &KeyName> key_order_;
  size_t live_keys_ = 0;
  uint64_t version_ = 0;
  uint64_t counter_floor_ = 0;
  // (replica, counter) -> slots whose clock entry for that replica is that
  // counter. This is the index Diff() walks (I3).
  SlotIndex index_;
  // Sum (mod 2^64 per half) of SlotHash over every slot but the unhashed
  // one: order-independent, and a change replaces one term.
  Digest slot_sum_;
  // The slot StoreSlot() changed last, whose term is left out of slot_sum_
  // until another slot changes or a digest is asked for. A hot key or a
  // counter written again and again is then hashed once per anti-entropy
  // round instead of once per write (hashing was ~8% of a pipelined INCR).
  // Slots never move or die while the map lives (keys are never erased;
  // member slots live in std::map nodes), so the pointers stay valid; a
  // moved-from map forgets them: the slot is the new owner's now.
  struct Unhashed {
    const std::string* key = nullptr;
    const SlotKey* slot_key = nullptr;
    const StoredSlot* slot = nullptr;
    Unhashed() = default;
    Unhashed(Unhashed&& other) noexcept { *this = std::move(other); }
    Unhashed& operator=(Unhashed&& other) noexcept {
      key = other.key;
      slot_key = other.slot_key;
      slot = std::exchange(other.slot, nullptr);
      return *this;
    }
  };
  Unhashed unhashed_;
  // slot_sum_ with the unhashed slot's term added.
  Digest SlotSum() const;
  // Diff's chunks: every slot indexed at each dot of
  // `ranges` (sorted, within context()), the dots claimed with them.
  std::vector<Delta> ChunksOf(const std::vector<DotRange>& ranges, size_t max_chunk_bytes) const;
};

}  // namespace parley

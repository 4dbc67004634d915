// StoredSlot: switching between the inline and the heap form of a slot.
#include "storage/stored_slot.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace parley {

// ---- StoredClock ----------------------------------------------------------------

VersionVector* StoredClock::heap() const {
  if (one_.first != 0) return nullptr;
  return reinterpret_cast<VersionVector*>(static_cast<uintptr_t>(one_.second));
}

void StoredClock::Clear() {
  delete heap();
  one_ = {0, 0};
}

StoredClock& StoredClock::operator=(StoredClock&& other) noexcept {
  if (this != &other) {
    Clear();
    one_ = other.one_;
    other.one_ = {0, 0};
  }
  return *this;
}

void StoredClock::Assign(const VersionVector& clock) {
  // Decoders do not reject replica 0 in a slot clock, and the inline form
  // cannot hold it: such a clock takes the heap form.
  if (clock.size() == 1 && clock.entries()[0].first != 0) {
    Clear();
    one_ = clock.entries()[0];
    return;
  }
  if (VersionVector* vv = heap(); vv != nullptr && !clock.empty()) {
    *vv = clock;  // already a heap clock: reuse its block
    return;
  }
  Clear();
  if (!clock.empty()) one_.second = reinterpret_cast<uintptr_t>(new VersionVector(clock));
}

void StoredClock::Assign(VersionVector&& clock) {
  if (VersionVector* vv = heap(); vv != nullptr && clock.size() > 1) {
    std::swap(*vv, clock);
    return;
  }
  Assign(clock);
}

void StoredClock::MoveTo(VersionVector* out) {
  if (VersionVector* vv = heap(); vv != nullptr) {
    std::swap(*vv, *out);
  } else {
    out->AssignCanonical(entries());
  }
}

std::span<const VersionVector::Entry> StoredClock::entries() const {
  if (one_.first != 0) return {&one_, 1};
  const VersionVector* vv = heap();
  if (vv == nullptr) return {};
  return std::span<const VersionVector::Entry>(vv->entries());
}

VersionVector StoredClock::ToVersionVector() const {
  if (one_.first != 0) return VersionVector::FromCanonical({one_});
  const VersionVector* vv = heap();
  return vv ? *vv : VersionVector();
}

uint64_t StoredClock::get(ReplicaId replica) const {
  if (one_.first != 0) return one_.first == replica ? one_.second : 0;
  const VersionVector* vv = heap();
  return vv ? vv->get(replica) : 0;
}

// ---- StoredEntries --------------------------------------------------------------

void StoredEntries::Clear() {
  if (dot_.replica == 0) {
    delete heap_;
  } else {
    dot_ = Dot{};
    value_ = std::string();
  }
  heap_ = nullptr;
}

StoredEntries::StoredEntries(StoredEntries&& other) noexcept { *this = std::move(other); }

StoredEntries& StoredEntries::operator=(StoredEntries&& other) noexcept {
  if (this != &other) {
    Clear();
    dot_ = other.dot_;
    value_ = std::move(other.value_);
    if (dot_.replica != 0) {
      ts_ = other.ts_;
    } else {
      heap_ = other.heap_;
    }
    other.dot_ = Dot{};
    other.heap_ = nullptr;
  }
  return *this;
}

void StoredEntries::Assign(std::vector<Entry>&& entries) {
  // Inline only what the inline form can say: well-formed slots never hold a
  // dot with replica 0, but a decoder does not promise that for every entry.
  bool fits_inline = entries.size() == 1 && entries[0].dot.replica != 0 && entries[0].increments == 0 &&
                     entries[0].decrements == 0;
  if (fits_inline) {
    if (dot_.replica == 0) delete heap_;
    dot_ = entries[0].dot;
    ts_ = entries[0].ts;
    // Swapped, not moved: the old value's buffer goes to the caller's
    // scratch entry, which the next write of the slot fills again.
    value_.swap(entries[0].value);
    return;
  }
  if (dot_.replica == 0 && heap_ != nullptr) {
    if (entries.empty()) {
      Clear();
    } else {
      // Swapped, so both vectors keep a buffer: the write path's scratch
      // slot is refilled by the next write (every INCR of a counter came
      // here), and stealing its buffer cost an allocation each.
      heap_->swap(entries);
    }
    return;
  }
  Clear();
  if (!entries.empty()) heap_ = new std::vector<Entry>(std::move(entries));
}

void StoredEntries::MoveTo(std::vector<Entry>* out) {
  if (dot_.replica == 0 && heap_ != nullptr) {
    heap_->swap(*out);
  } else {
    CopyTo(out);
  }
}

void StoredEntries::CopyTo(std::vector<Entry>* out) const {
  if (dot_.replica != 0) {
    out->resize(1);
    Entry& e = (*out)[0];  // assigned field by field: the value keeps its buffer
    e.dot = dot_;
    e.ts = ts_;
    e.value = value_;
    e.increments = 0;
    e.decrements = 0;
  } else if (heap_ != nullptr) {
    out->assign(heap_->begin(), heap_->end());
  } else {
    out->clear();
  }
}

size_t StoredEntries::Newest() const {
  size_t n = size();
  size_t best = n;
  for (size_t i = 0; i < n; ++i) {
    if (best == n || ts(i) > ts(best) || (ts(i) == ts(best) && dot(i) > dot(best))) best = i;
  }
  return best;
}

}  // namespace parley

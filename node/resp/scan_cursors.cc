// SCAN snapshot table (see scan_cursors.h).
#include "node/resp/scan_cursors.h"

#include <utility>

namespace parley::resp {

uint32_t ScanCursors::Add(std::shared_ptr<const Keys> keys) {
  uint32_t id = next_id_++;
  // Ids stay below 2^31 so a cursor fits a signed 64-bit integer, which is
  // what some clients parse it into.
  if (next_id_ >= (1u << 31)) next_id_ = 1;
  entries_.push_front(Entry{id, std::move(keys)});
  while (entries_.size() > max_snapshots_) entries_.pop_back();
  return id;
}

std::shared_ptr<const ScanCursors::Keys> ScanCursors::Find(uint32_t id) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->id == id) {
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().keys;
    }
  }
  return nullptr;
}

void ScanCursors::Remove(uint32_t id) {
  entries_.remove_if([id](const Entry& e) { return e.id == id; });
}

}  // namespace parley::resp

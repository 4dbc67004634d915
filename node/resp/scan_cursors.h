// ScanCursors: the cursors behind SCAN.
//
// Redis guarantees that a full SCAN returns every key that exists for the
// whole scan. The map offers keys in order only from a prefix, so a numeric
// offset would skip keys when earlier ones are deleted, and resuming at an
// offset would cost O(offset) per call. Instead, SCAN 0 takes a snapshot of
// the key names and the cursor names (snapshot, position): each call costs
// O(COUNT), keys deleted meanwhile are filtered out, keys added meanwhile
// may be missed (which Redis allows).
//
// Snapshots are shared by every connection of the server (cursors, like
// Redis's, can move between connections) and the table keeps only the most
// recently used few; an evicted cursor is refused with a clear error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace parley::resp {

class ScanCursors {
 public:
  using Keys = std::vector<std::string>;

  explicit ScanCursors(size_t max_snapshots = 16) : max_snapshots_(max_snapshots) {}

  // Stores a snapshot; returns its id (never 0).
  uint32_t Add(std::shared_ptr<const Keys> keys);
  // The snapshot with `id`, or null if unknown or evicted.
  std::shared_ptr<const Keys> Find(uint32_t id);
  void Remove(uint32_t id);

  // A cursor is (snapshot id << 32 | position); 0 means "start" or "done".
  static uint64_t Cursor(uint32_t id, uint32_t position) {
    return (static_cast<uint64_t>(id) << 32) | position;
  }

 private:
  struct Entry {
    uint32_t id;
    std::shared_ptr<const Keys> keys;
  };
  size_t max_snapshots_;
  uint32_t next_id_ = 1;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace parley::resp

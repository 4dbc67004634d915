// Logbook: a node's durable record of its map (write-ahead log + snapshots).
//
// Every delta the node keeps is appended as a numbered record to the current
// log segment; from time to time the node hands in its full state, which is
// written as a snapshot and lets every segment it covers be deleted. Opening a
// directory recovers the newest snapshot plus every later record.
//
// The logbook does no threading and reads no clock, so the sans-IO node core
// can drive it: Append() writes without waiting for the disk and returns the
// record's sequence number; Sync() makes everything appended so far durable;
// durable_sequence() says how far durability has got. Who calls Sync(), and
// when acknowledgements fire, is a policy decided outside (group_commit.h).
// Sync() may run on another thread than Append(): it fsyncs outside the
// append lock, so appends are not blocked by a slow disk.
//
// Damage on disk is never skipped silently (see segment_reader.h): a torn
// tail of the newest segment is cut off and reported in recovery(); any other
// damage makes Open() fail with Corruption naming the file and byte offset.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/delta.h"
#include "storage/dot.h"
#include "storage/env.h"
#include "storage/status.h"

namespace parley {

class CrdtMap;

struct LogbookOptions {
  // Replica id to store when the directory is new. Must be non-zero then;
  // ignored when the directory already has an identity.
  ReplicaId new_replica_id = 0;
  // Create the directory (and its identity) if missing.
  bool create_if_missing = true;
  // A segment is closed and a new one started once it reaches this size.
  uint64_t segment_bytes = 8 << 20;
  // Sync() keeps about this much of the active segment written with zeros
  // ahead of the records (WritableFile::Preallocate), so most fsyncs land
  // in blocks already allocated and initialized; 0 turns it off. Topped up
  // by half of it at a time, and never past segment_bytes. A failed
  // preallocation (a nearly full disk) is not an error: the segment goes on
  // without it, and the next segment tries again.
  uint64_t preallocate_bytes = 1 << 20;
  // Records above this size are refused when written and are corruption when
  // read (checked before any allocation, invariant I4).
  uint32_t max_record_bytes = 64 << 20;
  uint64_t max_snapshot_bytes = uint64_t{16} << 30;
};

// The part of a segment that recovery cut off because a crash tore it.
struct TornTail {
  std::string file;
  uint64_t offset = 0;         // where the kept part ends
  uint64_t dropped_bytes = 0;  // what was cut off
  std::string reason;
};

struct RecoveryReport {
  bool created = false;        // the directory had no identity yet
  std::string snapshot_file;   // empty if none
  uint64_t snapshot_sequence = 0;
  size_t segments_read = 0;
  uint64_t records_replayed = 0;  // records newer than the snapshot
  uint64_t last_sequence = 0;
  std::optional<TornTail> torn_tail;
  std::string ToString() const;
};

class Logbook {
 public:
  // Opens (or creates) the data directory `dir`: takes its lock, recovers its
  // state, and starts a new segment for appends.
  static Result<std::unique_ptr<Logbook>> Open(Env* env, const std::string& dir, const LogbookOptions& options);

  Logbook(const Logbook&) = delete;
  Logbook& operator=(const Logbook&) = delete;
  // Closes without syncing (as Close() does, minus the sync).
  ~Logbook();

  ReplicaId replica_id() const { return replica_; }
  const RecoveryReport& recovery() const { return recovery_; }
  // The recovered state (snapshot joined with every replayed record), to be
  // joined into a CrdtMap. Moves it out: a second call returns an empty delta.
  Delta TakeRecoveredState() { return std::move(recovered_state_); }

  // Writes `delta` as the next record; returns its sequence number. Does not
  // wait for the disk. After an I/O error every later call fails with it.
  // A delta whose record would exceed max_record_bytes is refused with
  // InvalidArgument, writing nothing; the log stays healthy.
  Result<uint64_t> Append(const Delta& delta);
  // Records appended between these two form a write group (a Redis EXEC's
  // writes): they go into the segment together when the group ends, flagged
  // so that recovery keeps all of them or none (log_format.h). Until then
  // they are not in the file, and neither Sync() nor last_sequence() covers
  // them, so none is reported durable before the whole group can be. One
  // group at a time; Append() and these on one thread. A group of one
  // record is an ordinary record. A snapshot written while a group is open
  // must not hold the group's changes (NodeCore takes none then), or a crash
  // would keep them without the rest.
  void BeginGroup();
  Status EndGroup();
  // Makes every record appended before the call durable (but those of an
  // open group).
  Status Sync();
  uint64_t last_sequence() const;
  // Every record up to this sequence number is durable.
  uint64_t durable_sequence() const { return durable_sequence_.load(std::memory_order_acquire); }
  // Ok, or the failure that stopped the log: after a failed append, flush
  // or fsync the log's state on disk is unknown, and every later Append()
  // and Sync() returns this error. A writer asks first, so that a write the
  // log would refuse is not applied anywhere else either. Cheap (an atomic
  // load) while the log is healthy.
  Status health() const;

  // Writes `full_state` as a snapshot covering every record up to
  // `covered_sequence` (the state must include all of them), then deletes
  // the segments and older snapshots it covers. Appends may continue
  // meanwhile, on any thread.
  Status WriteSnapshot(const Delta& full_state, uint64_t covered_sequence);
  // The same, covering every record appended so far: for a caller that
  // appends on this thread only, so its state includes all of them.
  Status WriteSnapshot(const Delta& full_state) { return WriteSnapshot(full_state, last_sequence()); }
  // The same for a map's state, encoded from the map itself
  // (CrdtMap::EncodeState) instead of from an exported copy.
  Status WriteSnapshot(const CrdtMap& map) { return WriteSnapshot(map, last_sequence()); }
  Status WriteSnapshot(const CrdtMap& map, uint64_t covered_sequence);

  // For a snapshot policy (NodeCore::Record), which weighs the log written
  // since the newest snapshot against that snapshot's size: the bytes of the
  // records appended since Open(), and the newest snapshot's payload size,
  // written or recovered (0 if there is none).
  uint64_t appended_bytes() const;
  uint64_t snapshot_bytes() const;

  // Syncs, closes the segment and releases the directory lock.
  Status Close();

  // Segment files currently in the directory (for tests and tools).
  size_t segment_count() const;

 private:
  // Writes the snapshot file of an encoded state (compact_delta.h).
  Status WriteEncodedSnapshot(std::string_view payload, uint64_t covered_sequence);
  struct Segment {
    uint64_t number = 0;
    uint64_t first_sequence = 0;
  };

  Logbook(Env* env, std::string dir, const LogbookOptions& options);
  Status Recover();
  Status ReplaySegments(const std::vector<uint64_t>& numbers, CrdtMap* map);
  // Starts the next segment, whose first record will be `first_sequence`.
  Status StartSegmentLocked(uint64_t first_sequence);
  // Syncs the active segment and starts the next one. Holds mu_.
  Status RollSegmentLocked();
  // Makes `s` the sticky error (mu_ held) and returns it.
  Status FailLocked(Status s);
  // Writes `records` (`count` whole records, numbered from last_sequence_
  // + 1) to the active segment, first starting a new one if they would
  // overflow it. Holds mu_.
  Status WriteRecordsLocked(std::string_view records, uint64_t count);
  // Tops up the active segment's zeros ahead of its records. Never fails the
  // caller: see the definition. Holds mu_.
  void PreallocateLocked();
  // Deletes segments whose records are all covered by the snapshot at
  // `covered_sequence`, and older snapshots.
  Status DeleteCoveredFiles(uint64_t covered_sequence);
  std::string PathOf(const std::string& name) const;

  Env* const env_;
  const std::string dir_;
  const LogbookOptions options_;
  std::unique_ptr<FileLock> lock_;
  ReplicaId replica_ = 0;
  RecoveryReport recovery_;
  Delta recovered_state_;

  std::mutex snapshot_mu_;  // one snapshot at a time
  std::mutex sync_mu_;      // one Sync() at a time; taken before mu_
  mutable std::mutex mu_;   // guards everything below
  // Shared with an in-flight Sync() that fsyncs outside mu_, so a segment
  // roll cannot close the file under it.
  std::shared_ptr<WritableFile> active_;
  uint64_t active_bytes_ = 0;
  // The active segment's size with the zeros known to be written (a failed
  // Preallocate may have left more, short of its target).
  uint64_t active_preallocated_ = 0;
  bool active_preallocate_failed_ = false;  // no more tries in this segment
  uint64_t active_records_ = 0;
  std::vector<Segment> segments_;  // oldest first; the last is active
  uint64_t next_segment_number_ = 1;
  uint64_t last_sequence_ = 0;  // the last record in the file
  // The open write group (BeginGroup): its records, numbered after
  // last_sequence_, and where the last one starts in group_records_.
  bool grouping_ = false;
  std::string group_records_;
  uint64_t group_count_ = 0;
  size_t group_last_offset_ = 0;
  uint64_t snapshot_sequence_ = 0;
  uint64_t appended_bytes_ = 0;
  uint64_t snapshot_bytes_ = 0;
  Status error_;  // sticky: the log's state on disk is unknown after a failure
  std::atomic<bool> failed_{false};  // !error_.ok(), readable without mu_
  bool closed_ = false;
  std::atomic<uint64_t> durable_sequence_{0};
};

}  // namespace parley

// Logbook: recovery, appends, group-able syncs, snapshots and compaction.
#include "storage/logbook.h"

#include <algorithm>
#include <utility>

#include "storage/crdt_map.h"
#include "storage/compact_delta.h"
#include "storage/log_format.h"
#include "storage/logbook_files.h"
#include "storage/replica_identity.h"
#include "storage/segment_reader.h"
#include "storage/snapshot_file.h"

namespace parley {

namespace {

Status DamageAt(const std::string& path, uint64_t offset, const std::string& why) {
  return Status::Corruption(path + " at byte offset " + std::to_string(offset) + ": " + why);
}

}  // namespace

std::string RecoveryReport::ToString() const {
  std::string s = created ? "new data directory" : "recovered";
  if (!snapshot_file.empty()) {
    s += "; snapshot " + snapshot_file + " (up to record " + std::to_string(snapshot_sequence) + ")";
  }
  s += "; " + std::to_string(segments_read) + " segments, " + std::to_string(records_replayed) +
       " records replayed; last record " + std::to_string(last_sequence);
  if (torn_tail) {
    s += "; torn tail cut from " + torn_tail->file + " at byte offset " + std::to_string(torn_tail->offset) + " (" +
         std::to_string(torn_tail->dropped_bytes) + " bytes dropped: " + torn_tail->reason + ")";
  }
  return s;
}

Logbook::Logbook(Env* env, std::string dir, const LogbookOptions& options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

Logbook::~Logbook() {
  if (closed_) return;
  // No sync: a destructor must not block on the disk. What was not synced
  // was never acknowledged as durable.
  if (active_) active_->Close();
  if (lock_) env_->UnlockFile(std::move(lock_));
}

std::string Logbook::PathOf(const std::string& name) const { return JoinPath(dir_, name); }

Result<std::unique_ptr<Logbook>> Logbook::Open(Env* env, const std::string& dir, const LogbookOptions& options) {
  if (options.segment_bytes < kSegmentHeaderSize || options.max_record_bytes == 0) {
    return Status::InvalidArgument("logbook options: segment_bytes and max_record_bytes are too small");
  }
  std::unique_ptr<Logbook> logbook(new Logbook(env, dir, options));
  Status s = logbook->Recover();
  if (!s.ok()) return s;
  return logbook;
}

Status Logbook::Recover() {
  if (options_.create_if_missing) {
    PARLEY_RETURN_IF_ERROR(env_->CreateDir(dir_));
  } else if (!env_->FileExists(dir_)) {
    return Status::NotFound("data directory " + dir_ + " does not exist");
  }
  auto lock = env_->LockFile(PathOf(kLockFileName));
  if (!lock.ok()) {
    if (lock.status().code() == Status::Code::kUnavailable) {
      return Status::Unavailable("data directory " + dir_ + " is locked by another process");
    }
    return lock.status();
  }
  lock_ = std::move(lock).value();

  auto children = env_->GetChildren(dir_);
  if (!children.ok()) return children.status();
  std::vector<uint64_t> segment_numbers;
  std::vector<uint64_t> snapshot_sequences;
  bool has_identity = false;
  for (const std::string& name : *children) {
    uint64_t number = 0;
    switch (ParseLogbookFileName(name, &number)) {
      case LogbookFileType::kSegment: segment_numbers.push_back(number); break;
      case LogbookFileType::kSnapshot: snapshot_sequences.push_back(number); break;
      case LogbookFileType::kIdentity: has_identity = true; break;
      // Leftovers of an interrupted atomic write; the old file still stands.
      case LogbookFileType::kTemporary: PARLEY_RETURN_IF_ERROR(env_->RemoveFile(PathOf(name))); break;
      case LogbookFileType::kLock:
      case LogbookFileType::kUnknown: break;
    }
  }
  std::sort(segment_numbers.begin(), segment_numbers.end());
  std::sort(snapshot_sequences.begin(), snapshot_sequences.end());

  if (has_identity) {
    auto replica = ReadReplicaIdentity(env_, dir_);
    if (!replica.ok()) return replica.status();
    replica_ = *replica;
  } else if (!segment_numbers.empty() || !snapshot_sequences.empty()) {
    return Status::Corruption("data directory " + dir_ + " has log files but no IDENTITY file");
  } else {
    if (options_.new_replica_id == 0) {
      return Status::InvalidArgument("a new data directory needs a non-zero LogbookOptions::new_replica_id");
    }
    PARLEY_RETURN_IF_ERROR(WriteReplicaIdentity(env_, dir_, options_.new_replica_id));
    replica_ = options_.new_replica_id;
    recovery_.created = true;
  }

  CrdtMap map(0);  // replica 0: joins only, never writes
  if (!snapshot_sequences.empty()) {
    const std::string name = SnapshotFileName(snapshot_sequences.back());
    const std::string path = PathOf(name);
    SnapshotInfo info;
    Delta state;
    PARLEY_RETURN_IF_ERROR(ReadSnapshotFile(env_, path, options_.max_snapshot_bytes, &info, &state));
    if (info.covered_sequence != snapshot_sequences.back()) {
      return DamageAt(path, 16, "header covers record " + std::to_string(info.covered_sequence) +
                                    ", not the one in the file name");
    }
    if (info.replica != replica_) return DamageAt(path, 24, "snapshot belongs to another replica");
    Status joined = map.Join(state);
    if (!joined.ok()) return DamageAt(path, kSnapshotHeaderSize, joined.message());
    recovery_.snapshot_file = name;
    recovery_.snapshot_sequence = info.covered_sequence;
    snapshot_sequence_ = info.covered_sequence;
    snapshot_bytes_ = info.payload_bytes;
  }

  PARLEY_RETURN_IF_ERROR(ReplaySegments(segment_numbers, &map));
  recovered_state_ = map.ExportState();
  recovery_.last_sequence = last_sequence_;
  durable_sequence_.store(last_sequence_, std::memory_order_release);

  {
    std::lock_guard<std::mutex> lock(mu_);
    PARLEY_RETURN_IF_ERROR(StartSegmentLocked(last_sequence_ + 1));
  }
  return DeleteCoveredFiles(snapshot_sequence_);
}

Status Logbook::ReplaySegments(const std::vector<uint64_t>& numbers, CrdtMap* map) {
  uint64_t expected_next = 0;  // 0: no segment read yet
  std::string contents;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const bool newest = i + 1 == numbers.size();
    const std::string name = SegmentFileName(numbers[i]);
    const std::string path = PathOf(name);
    PARLEY_RETURN_IF_ERROR(ReadFileToString(env_, path, &contents));
    SegmentScan scan = ScanSegment(contents, options_.max_record_bytes);
    ++recovery_.segments_read;

    if (scan.damage) {
      const SegmentDamage& damage = *scan.damage;
      if (!newest || !damage.could_be_torn_tail) return DamageAt(path, damage.offset, damage.reason);
      recovery_.torn_tail = TornTail{name, damage.offset, contents.size() - damage.offset, damage.reason};
      if (scan.header_ok) {
        PARLEY_RETURN_IF_ERROR(env_->TruncateFile(path, damage.offset));
      } else {
        // The crash came while the segment was being created; it never held
        // a record (records are written only after its header is synced).
        PARLEY_RETURN_IF_ERROR(env_->RemoveFile(path));
        PARLEY_RETURN_IF_ERROR(env_->SyncDir(dir_));
      }
    }
    if (!scan.header_ok) continue;
    if (scan.zero_tail_bytes > 0) {
      // Preallocated and never written (or written and not synced before a
      // crash): cut, so that only the active segment carries zeros.
      PARLEY_RETURN_IF_ERROR(env_->TruncateFile(path, scan.valid_bytes));
    }

    if (expected_next == 0) {
      if (scan.first_sequence > snapshot_sequence_ + 1) {
        return DamageAt(path, 16, "log starts at record " + std::to_string(scan.first_sequence) +
                                      " but the snapshot ends at record " + std::to_string(snapshot_sequence_) +
                                      "; the records between are missing");
      }
    } else if (scan.first_sequence != expected_next) {
      return DamageAt(path, 16, "segment starts at record " + std::to_string(scan.first_sequence) +
                                    " but the previous segment ended before record " + std::to_string(expected_next));
    }
    for (const SegmentRecord& record : scan.records) {
      if (record.sequence <= snapshot_sequence_) continue;
      auto delta = DecodeStoredDelta(record.payload, scan.version);
      if (!delta.ok()) return DamageAt(path, record.offset, delta.status().message());
      Status joined = map->Join(*delta);
      if (!joined.ok()) return DamageAt(path, record.offset, joined.message());
      ++recovery_.records_replayed;
    }
    expected_next = scan.first_sequence + scan.records.size();
    segments_.push_back({numbers[i], scan.first_sequence});
    // An earlier process may have died before syncing its last records; they
    // are now part of the recovered state, so make them durable before
    // anything newer can be acknowledged.
    if (newest) PARLEY_RETURN_IF_ERROR(env_->SyncFile(path));
  }
  last_sequence_ = std::max(snapshot_sequence_, expected_next == 0 ? 0 : expected_next - 1);
  next_segment_number_ = numbers.empty() ? 1 : numbers.back() + 1;
  return Status::Ok();
}

Status Logbook::StartSegmentLocked(uint64_t first_sequence) {
  const uint64_t number = next_segment_number_++;
  const std::string path = PathOf(SegmentFileName(number));
  auto file = env_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  // The header and the directory entry are synced before any record goes in,
  // so a damaged header can only mean an empty, torn segment.
  Status s = (*file)->Append(EncodeSegmentHeader(first_sequence));
  if (s.ok()) s = (*file)->Flush();
  if (s.ok()) s = (*file)->Sync();
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) return s;
  active_ = std::shared_ptr<WritableFile>(std::move(file).value());
  active_bytes_ = kSegmentHeaderSize;
  active_preallocated_ = kSegmentHeaderSize;
  active_preallocate_failed_ = false;
  active_records_ = 0;
  segments_.push_back({number, first_sequence});
  return Status::Ok();
}

Status Logbook::RollSegmentLocked() {
  // The old segment is synced before the new one receives records, so only
  // the newest segment can ever have a torn tail.
  Status s = active_->Flush();
  if (s.ok()) s = active_->Sync();
  if (s.ok()) s = StartSegmentLocked(last_sequence_ + 1);
  if (!s.ok()) return FailLocked(s);
  // The old file closes when an in-flight Sync() lets go of it.
  durable_sequence_.store(last_sequence_, std::memory_order_release);
  return Status::Ok();
}

Status Logbook::FailLocked(Status s) {
  error_ = s;
  failed_.store(true, std::memory_order_release);
  return s;
}

Status Logbook::health() const {
  if (!failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Result<uint64_t> Logbook::Append(const Delta& delta) {
  // Encode and checksum outside the lock; only the sequence number needs it.
  // One buffer per thread, kept between records: growing a fresh string
  // field by field cost four allocations per small record. A big delta's
  // buffer is kept only until the next record.
  thread_local std::string record;
  if (record.capacity() > (1u << 20)) std::string().swap(record);
  record.assign(kRecordHeaderSize, '\0');
  EncodeCompactDelta(delta, &record);  // sizes the buffer itself
  const size_t payload_bytes = record.size() - kRecordHeaderSize;
  const uint32_t max_payload = std::min(options_.max_record_bytes, kMaxRecordPayload);
  if (payload_bytes > max_payload) {
    return Status::InvalidArgument("delta of " + std::to_string(payload_bytes) + " bytes exceeds the record limit of " +
                                   std::to_string(max_payload));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!error_.ok()) return error_;
  if (closed_) return Status::Unavailable("logbook is closed");
  if (grouping_) {
    // Flagged as continued; EndGroup clears the flag of the last one.
    const uint64_t sequence = last_sequence_ + group_count_ + 1;
    FillRecordHeader(&record, sequence, /*group_continues=*/true);
    group_last_offset_ = group_records_.size();
    group_records_.append(record);
    ++group_count_;
    return sequence;
  }
  const uint64_t sequence = last_sequence_ + 1;
  FillRecordHeader(&record, sequence);
  PARLEY_RETURN_IF_ERROR(WriteRecordsLocked(record, 1));
  return sequence;
}

void Logbook::BeginGroup() {
  std::lock_guard<std::mutex> lock(mu_);
  grouping_ = true;
}

Status Logbook::EndGroup() {
  std::lock_guard<std::mutex> lock(mu_);
  grouping_ = false;
  const uint64_t count = std::exchange(group_count_, 0);
  if (count == 0) return Status::Ok();
  std::string& records = group_records_;
  Status s = error_;
  if (s.ok() && closed_) s = Status::Unavailable("logbook is closed");
  if (s.ok()) {
    char* last = records.data() + group_last_offset_;
    const uint32_t length = DecodeFixed32(last) & ~kGroupContinues;
    FillRecordHeader(last, std::string_view(last + kRecordHeaderSize, length), last_sequence_ + count);
    s = WriteRecordsLocked(records, count);
  }
  records.clear();
  if (records.capacity() > (1u << 20)) std::string().swap(records);
  return s;
}

Status Logbook::WriteRecordsLocked(std::string_view records, uint64_t count) {
  if (active_records_ > 0 && active_bytes_ + records.size() > options_.segment_bytes) {
    PARLEY_RETURN_IF_ERROR(RollSegmentLocked());
  }
  Status s = active_->Append(records);
  if (!s.ok()) return FailLocked(s);  // part of the records may be in the file; stop here
  last_sequence_ += count;
  active_bytes_ += records.size();
  appended_bytes_ += records.size();
  active_records_ += count;
  return Status::Ok();
}

Status Logbook::Sync() {
  std::lock_guard<std::mutex> one_syncer(sync_mu_);
  std::shared_ptr<WritableFile> file;
  uint64_t target = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    if (closed_) return Status::Unavailable("logbook is closed");
    target = last_sequence_;
    if (target <= durable_sequence()) return Status::Ok();
    Status s = active_->Flush();
    if (!s.ok()) return FailLocked(s);
    PreallocateLocked();
    file = active_;
  }
  // The slow part runs unlocked so appends continue meanwhile.
  Status s = file->Sync();
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) {
    // After a failed fsync the kernel may have dropped the dirty pages;
    // retrying could report success for lost data, so the error sticks.
    return FailLocked(s);
  }
  if (target > durable_sequence()) durable_sequence_.store(target, std::memory_order_release);
  return Status::Ok();
}

void Logbook::PreallocateLocked() {
  const uint64_t ahead = options_.preallocate_bytes;
  if (ahead == 0 || active_preallocate_failed_ || active_bytes_ + ahead / 2 <= active_preallocated_) return;
  // The next fsync pays for these zeros (and for the size change) once, so
  // that the ones after it do not.
  const uint64_t target = std::min(active_bytes_ + ahead, options_.segment_bytes);
  if (target <= active_preallocated_) return;
  if (!active_->Preallocate(target).ok()) {
    // Only an optimisation, so not an error of the log: on a nearly full disk
    // the zeros can take room the records would still fit in. The file stays
    // records then zeros: whatever part of the zeros got written lies past
    // the records, where appends overwrite it and Close() or recovery cuts
    // the rest. Retrying at every sync would only fail again; the next
    // segment tries afresh.
    active_preallocate_failed_ = true;
    return;
  }
  active_preallocated_ = target;
}

uint64_t Logbook::last_sequence() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_sequence_;
}

size_t Logbook::segment_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segments_.size();
}

Status Logbook::WriteSnapshot(const Delta& full_state, uint64_t covered) {
  std::string payload;
  EncodeCompactDelta(full_state, &payload);
  return WriteEncodedSnapshot(payload, covered);
}

Status Logbook::WriteSnapshot(const CrdtMap& map, uint64_t covered) {
  std::string payload;
  map.EncodeState(&payload);
  return WriteEncodedSnapshot(payload, covered);
}

Status Logbook::WriteEncodedSnapshot(std::string_view payload, uint64_t covered) {
  std::lock_guard<std::mutex> one_snapshot(snapshot_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    if (closed_) return Status::Unavailable("logbook is closed");
    if (covered > last_sequence_) {
      return Status::InvalidArgument("snapshot claims record " + std::to_string(covered) + " but the log ends at " +
                                     std::to_string(last_sequence_));
    }
    if (covered <= snapshot_sequence_) return Status::Ok();  // nothing new to cover
    // Start a fresh segment so the older ones can go once covered.
    if (active_records_ > 0) PARLEY_RETURN_IF_ERROR(RollSegmentLocked());
  }
  PARLEY_RETURN_IF_ERROR(WriteSnapshotFile(env_, dir_, covered, replica_, payload));
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_sequence_ = covered;
    snapshot_bytes_ = payload.size();
  }
  return DeleteCoveredFiles(covered);
}

uint64_t Logbook::appended_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appended_bytes_;
}

uint64_t Logbook::snapshot_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_bytes_;
}

Status Logbook::DeleteCoveredFiles(uint64_t covered_sequence) {
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A segment is covered when the next one starts at or before the first
    // record the snapshot lacks. The active segment is never deleted.
    while (segments_.size() > 1 && segments_[1].first_sequence <= covered_sequence + 1) {
      doomed.push_back(SegmentFileName(segments_.front().number));
      segments_.erase(segments_.begin());
    }
  }
  auto children = env_->GetChildren(dir_);
  if (!children.ok()) return children.status();
  for (const std::string& name : *children) {
    uint64_t sequence = 0;
    if (ParseLogbookFileName(name, &sequence) == LogbookFileType::kSnapshot && sequence < covered_sequence) {
      doomed.push_back(name);
    }
  }
  if (doomed.empty()) return Status::Ok();
  for (const std::string& name : doomed) PARLEY_RETURN_IF_ERROR(env_->RemoveFile(PathOf(name)));
  // Not needed for safety (a covered file that comes back is deleted again at
  // the next start-up), but it keeps disk use bounded across crashes.
  return env_->SyncDir(dir_);
}

Status Logbook::Close() {
  if (closed_) return Status::Ok();
  Status s = EndGroup();  // a group left open is written, not dropped
  Status synced = Sync();
  if (s.ok()) s = synced;
  std::lock_guard<std::mutex> lock(mu_);
  Status closed = active_->Close();
  if (s.ok()) s = closed;
  closed_ = true;
  Status unlocked = env_->UnlockFile(std::move(lock_));
  if (s.ok()) s = unlocked;
  return s;
}

}  // namespace parley

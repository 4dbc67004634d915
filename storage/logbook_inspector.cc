// LogbookInspector: walks a data directory and verifies every file in it.
#include "storage/logbook_inspector.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "storage/compact_delta.h"
#include "storage/logbook_files.h"
#include "storage/replica_identity.h"
#include "storage/segment_reader.h"
#include "storage/snapshot_file.h"

namespace parley {

namespace {

std::string At(const std::string& path, uint64_t offset, const std::string& why) {
  return path + " at byte offset " + std::to_string(offset) + ": " + why;
}

}  // namespace

std::string Inspection::ToString() const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "replica %016" PRIx64 "\n", replica);
  out += line;
  for (const InspectedSnapshot& s : snapshots) {
    std::snprintf(line, sizeof(line),
                  "snapshot %s: format %" PRIu32 ", %" PRIu64 " bytes, covers records 1..%" PRIu64 ", %" PRIu64
                  " slots\n",
                  s.file.c_str(), s.version, s.bytes, s.covered_sequence, s.slots);
    out += line;
  }
  for (const InspectedSegment& s : segments) {
    std::snprintf(line, sizeof(line), "segment %s: format %" PRIu32 ", %" PRIu64 " bytes, %" PRIu64 " records",
                  s.file.c_str(), s.version, s.bytes, s.records);
    out += line;
    if (s.records > 0) {
      std::snprintf(line, sizeof(line), " (%" PRIu64 "..%" PRIu64 ")", s.first_sequence,
                    s.first_sequence + s.records - 1);
      out += line;
    }
    if (s.write_groups > 0) out += ", write groups: " + std::to_string(s.write_groups);
    out += "\n";
  }
  for (const std::string& w : warnings) out += "warning: " + w + "\n";
  for (const std::string& e : errors) out += "error: " + e + "\n";
  out += errors.empty() ? (warnings.empty() ? "ok\n" : "ok, with warnings\n") : "CORRUPT\n";
  return out;
}

Result<Inspection> InspectDataDirectory(Env* env, const std::string& dir, uint32_t max_record_bytes) {
  auto children = env->GetChildren(dir);
  if (!children.ok()) return children.status();
  Inspection inspection;
  std::vector<uint64_t> segment_numbers, snapshot_sequences;
  bool has_identity = false;
  for (const std::string& name : *children) {
    uint64_t number = 0;
    switch (ParseLogbookFileName(name, &number)) {
      case LogbookFileType::kSegment: segment_numbers.push_back(number); break;
      case LogbookFileType::kSnapshot: snapshot_sequences.push_back(number); break;
      case LogbookFileType::kIdentity: has_identity = true; break;
      case LogbookFileType::kTemporary:
        inspection.warnings.push_back(JoinPath(dir, name) + ": leftover temporary file (deleted at next open)");
        break;
      case LogbookFileType::kLock:
      case LogbookFileType::kUnknown: break;
    }
  }
  std::sort(segment_numbers.begin(), segment_numbers.end());
  std::sort(snapshot_sequences.begin(), snapshot_sequences.end());

  if (has_identity) {
    auto replica = ReadReplicaIdentity(env, dir);
    if (replica.ok()) {
      inspection.replica = *replica;
    } else {
      inspection.errors.push_back(replica.status().message());
    }
  } else if (!segment_numbers.empty() || !snapshot_sequences.empty()) {
    inspection.errors.push_back(JoinPath(dir, kIdentityFileName) + ": missing, but log files exist");
  }

  uint64_t snapshot_sequence = 0;
  for (size_t i = 0; i < snapshot_sequences.size(); ++i) {
    const std::string name = SnapshotFileName(snapshot_sequences[i]);
    const std::string path = JoinPath(dir, name);
    const bool newest = i + 1 == snapshot_sequences.size();
    SnapshotInfo info;
    Delta state;
    // Only the newest is recovered from; older ones are deleted at next open.
    Status s = ReadSnapshotFile(env, path, UINT64_MAX, &info, newest ? &state : nullptr);
    InspectedSnapshot entry{name, info.file_bytes, info.covered_sequence, state.slots.size(), info.version};
    inspection.snapshots.push_back(entry);
    if (!s.ok()) {
      (newest ? inspection.errors : inspection.warnings).push_back(s.message());
      continue;
    }
    if (info.covered_sequence != snapshot_sequences[i]) {
      inspection.errors.push_back(At(path, 16, "header disagrees with the file name"));
    }
    if (inspection.replica != 0 && info.replica != inspection.replica) {
      inspection.errors.push_back(At(path, 24, "snapshot belongs to another replica"));
    }
    if (newest) snapshot_sequence = info.covered_sequence;
  }

  constexpr uint64_t kUnknown = UINT64_MAX;
  uint64_t expected_next = 0;  // 0: no segment seen yet
  std::string contents;
  for (size_t i = 0; i < segment_numbers.size(); ++i) {
    const bool newest = i + 1 == segment_numbers.size();
    const std::string name = SegmentFileName(segment_numbers[i]);
    const std::string path = JoinPath(dir, name);
    Status read = ReadFileToString(env, path, &contents);
    if (!read.ok()) {
      inspection.errors.push_back(read.message());
      continue;
    }
    SegmentScan scan = ScanSegment(contents, max_record_bytes);
    uint64_t groups = 0;
    for (size_t r = 0; r < scan.records.size(); ++r) {
      if (scan.records[r].group_continues && (r == 0 || !scan.records[r - 1].group_continues)) ++groups;
    }
    inspection.segments.push_back(
        {name, contents.size(), scan.first_sequence, scan.records.size(), groups, scan.version});
    if (scan.damage) {
      std::string message = At(path, scan.damage->offset, scan.damage->reason);
      if (newest && scan.damage->could_be_torn_tail) {
        inspection.warnings.push_back(message + " (torn tail of " +
                                      std::to_string(contents.size() - scan.damage->offset) +
                                      " bytes; cut at next open)");
      } else {
        inspection.errors.push_back(message);
      }
    }
    if (!scan.header_ok) {
      expected_next = kUnknown;
      continue;
    }
    if (expected_next == kUnknown) {
      // The previous segment is damaged, so where it ended is unknown; one
      // error for it is enough.
    } else if (expected_next == 0 ? scan.first_sequence > snapshot_sequence + 1
                                  : scan.first_sequence != expected_next) {
      inspection.errors.push_back(At(path, 16, "segment starts at record " + std::to_string(scan.first_sequence) +
                                                   "; records before it are missing"));
    }
    for (const SegmentRecord& record : scan.records) {
      auto delta = DecodeStoredDelta(record.payload, scan.version);
      if (!delta.ok()) inspection.errors.push_back(At(path, record.offset, delta.status().message()));
    }
    expected_next = scan.damage ? kUnknown : scan.first_sequence + scan.records.size();
  }
  return inspection;
}

}  // namespace parley

// SegmentReader: parses one write-ahead log segment and locates damage.
//
// Scanning stops at the first damaged byte. Whether that damage is a torn
// tail (a crash cut the last, unacknowledged write short) or corruption
// (something broke bytes that were once whole) is decided by what follows:
// if any intact record starts after the damage, the file was whole past that
// point, so the damage cannot be a torn write. The logbook only accepts a
// torn tail in the newest segment; anywhere else damage stops start-up.
//
// Zeros from a record boundary to the end of the file are not damage: the
// writer preallocates segments with zeros (env.h, WritableFile::Preallocate)
// and appends overwrite them, so such zeros are space never written. A
// record cannot start with zeros, since its header checksum would not hold.
//
// A write group (log_format.h) whose last record is missing is damage at the
// group's first record, which may be a torn tail; its records are left out
// of `records`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

struct SegmentRecord {
  uint64_t sequence = 0;
  uint64_t offset = 0;       // of the record header in the file
  std::string_view payload;  // points into the scanned contents
  bool group_continues = false;  // the next record belongs to the same write group
};

struct SegmentDamage {
  uint64_t offset = 0;  // first damaged byte position (a record or header start)
  std::string reason;
  // No intact record follows, so this may be a torn write at the tail.
  bool could_be_torn_tail = false;
};

struct SegmentScan {
  bool header_ok = false;
  uint32_t version = 0;         // valid if header_ok; the payloads' encoding
  uint64_t first_sequence = 0;  // valid if header_ok
  std::vector<SegmentRecord> records;
  uint64_t valid_bytes = 0;  // header plus intact records, up to any damage
  uint64_t zero_tail_bytes = 0;  // preallocated zeros after the last record
  std::optional<SegmentDamage> damage;
};

// `contents` must outlive the returned views.
SegmentScan ScanSegment(std::string_view contents, uint32_t max_record_bytes);

}  // namespace parley

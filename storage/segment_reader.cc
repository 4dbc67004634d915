// SegmentReader: record-by-record scan of a segment with torn-tail detection.
#include "storage/segment_reader.h"

#include <algorithm>
#include <cstring>

#include "storage/log_format.h"

namespace parley {

namespace {

// True if a complete record with valid checksums starts at `pos`.
bool IntactRecordAt(std::string_view contents, size_t pos, uint32_t version, uint32_t max_record_bytes) {
  if (contents.size() - pos < kRecordHeaderSize) return false;
  RecordHeader header;
  if (!DecodeRecordHeader(contents.data() + pos, version, &header)) return false;
  if (header.length > max_record_bytes) return false;
  if (contents.size() - pos - kRecordHeaderSize < header.length) return false;
  return Checksum64(contents.substr(pos + kRecordHeaderSize, header.length)) == header.payload_checksum;
}

bool IntactRecordAfter(std::string_view contents, size_t from, uint32_t version, uint32_t max_record_bytes) {
  for (size_t pos = from; pos + kRecordHeaderSize <= contents.size(); ++pos) {
    if (IntactRecordAt(contents, pos, version, max_record_bytes)) return true;
  }
  return false;
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

SegmentScan ScanSegment(std::string_view contents, uint32_t max_record_bytes) {
  SegmentScan scan;
  max_record_bytes = std::min(max_record_bytes, kMaxRecordPayload);
  auto damage_at = [&](uint64_t offset, std::string reason, bool header_trusted) {
    // A record whose header checksum holds was written whole, so an
    // impossible length or sequence in it is corruption, never a torn write.
    // (Before the segment header is read, records are read as the newest
    // version does, which reads older records the same.)
    const uint32_t version = scan.header_ok ? scan.version : kLogFormatVersion;
    bool torn = !header_trusted && !IntactRecordAfter(contents, offset + 1, version, max_record_bytes);
    scan.damage = SegmentDamage{offset, std::move(reason), torn};
  };

  if (contents.size() < kSegmentHeaderSize) {
    damage_at(0, "segment header is incomplete (" + std::to_string(contents.size()) + " bytes)", false);
    return scan;
  }
  if (std::memcmp(contents.data(), kSegmentMagic, sizeof(kSegmentMagic)) != 0 ||
      DecodeFixed64(contents.data() + 24) != Checksum64(contents.substr(0, 24))) {
    damage_at(0, "segment header is damaged", false);
    return scan;
  }
  uint32_t version = DecodeFixed32(contents.data() + 8);
  if (version < kOldestLogFormatVersion || version > kLogFormatVersion) {
    scan.damage = SegmentDamage{8, "unsupported segment format version " + std::to_string(version), false};
    return scan;
  }
  scan.header_ok = true;
  scan.version = version;
  scan.first_sequence = DecodeFixed64(contents.data() + 16);
  scan.valid_bytes = kSegmentHeaderSize;

  uint64_t expected = scan.first_sequence;
  size_t pos = kSegmentHeaderSize;
  size_t group_first = 0;  // index in scan.records of the open write group's first record
  while (pos < contents.size()) {
    if (AllZero(contents.substr(pos))) {  // stops at the first non-zero byte
      scan.zero_tail_bytes = contents.size() - pos;
      break;
    }
    if (contents.size() - pos < kRecordHeaderSize) {
      damage_at(pos, "record header is incomplete", false);
      break;
    }
    RecordHeader header;
    if (!DecodeRecordHeader(contents.data() + pos, version, &header)) {
      damage_at(pos, "record header checksum mismatch", false);
      break;
    }
    if (header.length > max_record_bytes) {
      damage_at(pos, "record length " + std::to_string(header.length) + " exceeds the limit of " +
                         std::to_string(max_record_bytes),
                true);
      break;
    }
    if (header.sequence != expected) {
      damage_at(pos, "record has sequence " + std::to_string(header.sequence) + " where " +
                         std::to_string(expected) + " was expected",
                true);
      break;
    }
    if (contents.size() - pos - kRecordHeaderSize < header.length) {
      // The header was written whole but the payload was cut: a torn write,
      // unless something intact follows (impossible for a real tail).
      damage_at(pos, "record payload is incomplete", false);
      break;
    }
    std::string_view payload = contents.substr(pos + kRecordHeaderSize, header.length);
    if (Checksum64(payload) != header.payload_checksum) {
      damage_at(pos, "record payload checksum mismatch", false);
      break;
    }
    const bool group_open = !scan.records.empty() && scan.records.back().group_continues;
    if (!group_open) group_first = scan.records.size();
    scan.records.push_back({header.sequence, pos, payload, header.group_continues});
    pos += kRecordHeaderSize + header.length;
    scan.valid_bytes = pos;
    ++expected;
  }
  if (!scan.records.empty() && scan.records.back().group_continues &&
      (!scan.damage || scan.damage->could_be_torn_tail)) {
    // The group was written in one piece and is synced whole or not at all
    // (Logbook::EndGroup), so a crash is what cut it: its records go too.
    const SegmentRecord& first = scan.records[group_first];
    std::string reason = "write group from record " + std::to_string(first.sequence) + " lacks its last record";
    if (scan.damage) reason += " (then " + scan.damage->reason + ")";
    scan.damage = SegmentDamage{first.offset, std::move(reason), true};
    scan.valid_bytes = first.offset;
    scan.zero_tail_bytes = 0;
    scan.records.resize(group_first);
  }
  return scan;
}

}  // namespace parley

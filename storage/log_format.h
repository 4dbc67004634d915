// LogFormat: the byte layout of write-ahead log segments.
//
// A segment file is a header followed by records:
//
//   segment header (32 bytes)
//     0  magic "PRLYWAL\n"
//     8  u32 format version (kLogFormatVersion)
//    12  u32 reserved, zero
//    16  u64 sequence number of the segment's first record
//    24  u64 XXH3-64 of bytes 0..23
//
//   record (24-byte header + payload)
//     0  u32 payload length; from version 3 its top bit (kGroupContinues)
//        says the next record belongs to the same write group
//     4  u64 sequence number (one more than the previous record's)
//    12  u64 XXH3-64 of the payload
//    20  u32 XXH32 of header bytes 0..19
//    24  payload: a Delta in the encoding of the segment's format version:
//        2 and 3 are compact_delta.h, 1 (still read, no longer written) is
//        delta_archive.h
//
// A write group (Logbook::BeginGroup) is a run of records in one segment,
// each but the last flagged kGroupContinues. Recovery keeps a group whole or
// not at all: one whose last record is missing was cut by a crash (it is
// written in one piece, and never synced in part), so it is a torn tail.
//
// Integers are little endian. The header has its own checksum so a length can
// be trusted before it is used: a damaged length is reported as damage at its
// record, never followed into the next record or into a huge allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace parley {

inline constexpr char kSegmentMagic[8] = {'P', 'R', 'L', 'Y', 'W', 'A', 'L', '\n'};
inline constexpr uint32_t kLogFormatVersion = 3;        // written
inline constexpr uint32_t kFirstGroupFormatVersion = 3;  // has kGroupContinues
inline constexpr uint32_t kOldestLogFormatVersion = 1;  // still read
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 24;
inline constexpr uint32_t kGroupContinues = 1u << 31;  // in the length field
// Payloads stay below the flag, whatever LogbookOptions::max_record_bytes says.
inline constexpr uint32_t kMaxRecordPayload = kGroupContinues - 1;

inline void EncodeFixed32(char* out, uint32_t v) { std::memcpy(out, &v, 4); }
inline void EncodeFixed64(char* out, uint64_t v) { std::memcpy(out, &v, 8); }
inline uint32_t DecodeFixed32(const char* in) {
  uint32_t v;
  std::memcpy(&v, in, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* in) {
  uint64_t v;
  std::memcpy(&v, in, 8);
  return v;
}

uint64_t Checksum64(std::string_view bytes);  // XXH3-64
uint32_t Checksum32(std::string_view bytes);  // XXH32, seed 0

// `version` other than kLogFormatVersion is for tests that make older files.
std::string EncodeSegmentHeader(uint64_t first_sequence, uint32_t version = kLogFormatVersion);

// Fills the kRecordHeaderSize bytes at `header`, whose payload follows them.
// `group_continues`: the next record belongs to the same write group.
void FillRecordHeader(char* header, std::string_view payload, uint64_t sequence, bool group_continues = false);
// The same for a record whose payload follows the header in `record`.
void FillRecordHeader(std::string* record, uint64_t sequence, bool group_continues = false);

struct RecordHeader {
  uint32_t length = 0;
  uint64_t sequence = 0;
  uint64_t payload_checksum = 0;
  bool group_continues = false;
};
// False if the header checksum does not match. `version` is the segment's:
// before kFirstGroupFormatVersion the length has no flag bit.
bool DecodeRecordHeader(const char* header, uint32_t version, RecordHeader* out);

}  // namespace parley

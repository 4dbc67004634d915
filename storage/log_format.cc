// LogFormat: checksums and header encoding for write-ahead log segments.
#include "storage/log_format.h"

#include <xxhash.h>

namespace parley {

uint64_t Checksum64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }
uint32_t Checksum32(std::string_view bytes) { return XXH32(bytes.data(), bytes.size(), 0); }

std::string EncodeSegmentHeader(uint64_t first_sequence, uint32_t version) {
  std::string header(kSegmentHeaderSize, '\0');
  std::memcpy(header.data(), kSegmentMagic, sizeof(kSegmentMagic));
  EncodeFixed32(header.data() + 8, version);
  EncodeFixed32(header.data() + 12, 0);
  EncodeFixed64(header.data() + 16, first_sequence);
  EncodeFixed64(header.data() + 24, Checksum64(std::string_view(header.data(), 24)));
  return header;
}

void FillRecordHeader(char* h, std::string_view payload, uint64_t sequence, bool group_continues) {
  EncodeFixed32(h, static_cast<uint32_t>(payload.size()) | (group_continues ? kGroupContinues : 0));
  EncodeFixed64(h + 4, sequence);
  EncodeFixed64(h + 12, Checksum64(payload));
  EncodeFixed32(h + 20, Checksum32(std::string_view(h, 20)));
}

void FillRecordHeader(std::string* record, uint64_t sequence, bool group_continues) {
  std::string_view payload(record->data() + kRecordHeaderSize, record->size() - kRecordHeaderSize);
  FillRecordHeader(record->data(), payload, sequence, group_continues);
}

bool DecodeRecordHeader(const char* header, uint32_t version, RecordHeader* out) {
  if (DecodeFixed32(header + 20) != Checksum32(std::string_view(header, 20))) return false;
  out->length = DecodeFixed32(header);
  out->group_continues = false;
  if (version >= kFirstGroupFormatVersion) {
    out->group_continues = (out->length & kGroupContinues) != 0;
    out->length &= ~kGroupContinues;
  }
  out->sequence = DecodeFixed64(header + 4);
  out->payload_checksum = DecodeFixed64(header + 12);
  return true;
}

}  // namespace parley

// LogbookFiles: building and parsing data-directory file names.
#include "storage/logbook_files.h"

#include <cstdio>
#include <string_view>

namespace parley {

namespace {

std::string Numbered(const char* prefix, uint64_t number, const char* suffix) {
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%s%020llu%s", prefix, static_cast<unsigned long long>(number), suffix);
  return buf;
}

// Parses prefix + exactly 20 digits + suffix.
bool ParseNumbered(std::string_view name, std::string_view prefix, std::string_view suffix, uint64_t* number) {
  if (name.size() != prefix.size() + 20 + suffix.size()) return false;
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return false;
  uint64_t value = 0;
  for (char c : name.substr(prefix.size(), 20)) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *number = value;
  return true;
}

}  // namespace

std::string SegmentFileName(uint64_t number) { return Numbered("wal-", number, ".log"); }
std::string SnapshotFileName(uint64_t sequence) { return Numbered("snapshot-", sequence, ".snap"); }

LogbookFileType ParseLogbookFileName(const std::string& name, uint64_t* number) {
  if (name == kLockFileName) return LogbookFileType::kLock;
  if (name == kIdentityFileName) return LogbookFileType::kIdentity;
  if (name.ends_with(".tmp")) return LogbookFileType::kTemporary;
  if (ParseNumbered(name, "wal-", ".log", number)) return LogbookFileType::kSegment;
  if (ParseNumbered(name, "snapshot-", ".snap", number)) return LogbookFileType::kSnapshot;
  return LogbookFileType::kUnknown;
}

}  // namespace parley

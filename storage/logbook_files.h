// LogbookFiles: the names of the files in a data directory.
//
//   LOCK                         held (flock) while a process has the directory open
//   IDENTITY                     the replica id, written once (replica_identity.h)
//   wal-<20-digit number>.log    write-ahead log segments, numbered in write order
//   snapshot-<20-digit seq>.snap full state covering every record up to seq
//   *.tmp                        half-written files; deleted at start-up
//
// Fixed-width numbers make directory listings sort in order for humans.
#pragma once

#include <cstdint>
#include <string>

namespace parley {

inline constexpr char kLockFileName[] = "LOCK";
inline constexpr char kIdentityFileName[] = "IDENTITY";

std::string SegmentFileName(uint64_t number);
std::string SnapshotFileName(uint64_t sequence);

enum class LogbookFileType { kUnknown, kLock, kIdentity, kSegment, kSnapshot, kTemporary };

// Classifies `name`; for segments and snapshots sets `number`.
LogbookFileType ParseLogbookFileName(const std::string& name, uint64_t* number);

}  // namespace parley

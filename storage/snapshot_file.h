// SnapshotFile: a checksummed file holding the full map state.
//
// Layout:
//   header (56 bytes)
//     0  magic "PRLYSNAP"
//     8  u32 format version (kSnapshotFormatVersion)
//    12  u32 block size
//    16  u64 covered sequence: the state includes every log record up to it
//    24  u64 replica id of the directory (a cross-check against IDENTITY)
//    32  u64 payload length
//    40  u64 reserved, zero
//    48  u64 XXH3-64 of bytes 0..47
//   body: the payload (a Delta in the encoding of the format version: 2 is
//         compact_delta.h, 1, still read, is delta_archive.h) cut into
//         blocks of `block size` bytes, each followed by its XXH3-64.
// Per-block checksums let an error name the damaged block's offset instead of
// only "somewhere in this file".
//
// Snapshots are written with WriteFileAtomically, so a crash leaves either the
// previous snapshot set or the complete new file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/delta.h"
#include "storage/dot.h"
#include "storage/env.h"
#include "storage/status.h"

namespace parley {

inline constexpr uint32_t kSnapshotFormatVersion = 2;        // written
inline constexpr uint32_t kOldestSnapshotFormatVersion = 1;  // still read
inline constexpr size_t kSnapshotHeaderSize = 56;

struct SnapshotInfo {
  uint64_t covered_sequence = 0;
  ReplicaId replica = 0;
  uint64_t payload_bytes = 0;
  uint64_t file_bytes = 0;
  uint32_t version = 0;  // format version the file was written in
};

// Writes `dir/SnapshotFileName(covered_sequence)` atomically, holding
// `payload`: a state in the current format's encoding (compact_delta.h).
Status WriteSnapshotFile(Env* env, const std::string& dir, uint64_t covered_sequence, ReplicaId replica,
                         std::string_view payload);

// Reads and verifies a snapshot. Every error is Corruption (or the I/O error)
// naming the file and byte offset. `state` may be null to verify only the
// checksums and the encoding without keeping the state.
Status ReadSnapshotFile(Env* env, const std::string& path, uint64_t max_snapshot_bytes, SnapshotInfo* info,
                        Delta* state);

}  // namespace parley

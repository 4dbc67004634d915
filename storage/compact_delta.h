// CompactDelta: the on-disk encoding of Deltas since format version 2.
//
// Log records and snapshots carry a Delta in this encoding (the log segment
// and snapshot headers name their format version; version 1 files, written
// in the fixed-width encoding of delta_archive.h, are still read). Integers
// are LEB128 varints (varint.h) unless noted:
//
//   delta   := replica_table context slot_count slot*
//   replica_table := count, then the ids in increasing order as gaps from the
//              previous id (the first from 0); every gap is > 0
//   replica := an index into the replica table
//   context := replica_count { replica run_count { first, last - first }* }*
//   slot    := key_len key type(1 byte) member_len member
//              clock_count { replica counter }* entry_count entry*
//   entry   := replica counter ts(8 bytes, little endian) value_len value
//              increments decrements
//
// Why not the fixed-width encoding: a write's record is its delta, and with
// 8-byte integers and its writer's 64-bit id repeated in the context, the
// slot clock and the entry it was ~190 bytes for a 16-byte key and a 3-byte
// value. Each synced write costs its bytes in the fsync that acknowledges
// it, so fewer bytes are faster acknowledgements under load; this encoding
// takes ~60 bytes for the same write. The replica table also shrinks slots
// whose clocks name many writers, which anti-entropy chunks and snapshots
// carry, to about two bytes per clock entry.
//
// The decoder checks every count against the bytes left before it allocates
// (invariant I4) and every canonical-form rule (sorted, unique, non-zero ids),
// then Delta::IsWellFormed, so a decoded Delta never holds a broken state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/delta.h"
#include "storage/status.h"

namespace parley {

// Appends the encoding of `delta` to `out`. SlotState::after is not stored:
// the logbook replays records in the order they were applied.
void EncodeCompactDelta(const Delta& delta, std::string* out);

// Decodes a whole Delta from `bytes`; trailing bytes are an error. Errors are
// Corruption saying why; the caller adds the file and offset.
Result<Delta> DecodeCompactDelta(std::string_view bytes);

// Decodes a delta stored in format `version` of a log segment or snapshot:
// 1 is delta_archive.h, 2 is this encoding.
Result<Delta> DecodeStoredDelta(std::string_view bytes, uint32_t version);

}  // namespace parley

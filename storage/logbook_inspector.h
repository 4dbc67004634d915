// LogbookInspector: read-only verification of a data directory.
//
// Backs `parley-logbook verify DIR`. It checks everything Logbook::Open
// checks (identity, the newest snapshot, every segment and record, sequence
// continuity) but changes nothing: no lock is taken, no torn tail is cut. It
// reads the directory of a running node too, though the newest segment may
// then show a tail still being written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/env.h"
#include "storage/status.h"

namespace parley {

struct InspectedSegment {
  std::string file;
  uint64_t bytes = 0;
  uint64_t first_sequence = 0;
  uint64_t records = 0;
  uint64_t write_groups = 0;  // runs of records kept whole (Logbook::BeginGroup)
  uint32_t version = 0;       // format version (0 if the header is unreadable)
};

struct InspectedSnapshot {
  std::string file;
  uint64_t bytes = 0;
  uint64_t covered_sequence = 0;
  uint64_t slots = 0;
  uint32_t version = 0;  // format version
};

struct Inspection {
  uint64_t replica = 0;
  std::vector<InspectedSnapshot> snapshots;  // only the newest is decoded
  std::vector<InspectedSegment> segments;
  // Each names a file and byte offset. A torn tail of the newest segment is
  // a warning (the next open cuts it); everything else is an error.
  std::vector<std::string> warnings;
  std::vector<std::string> errors;

  bool clean() const { return errors.empty() && warnings.empty(); }
  // A human-readable listing, one line per file, then warnings and errors.
  std::string ToString() const;
};

// Fails only if the directory cannot be read at all; damage is listed in
// the returned Inspection.
Result<Inspection> InspectDataDirectory(Env* env, const std::string& dir, uint32_t max_record_bytes = 64 << 20);

}  // namespace parley

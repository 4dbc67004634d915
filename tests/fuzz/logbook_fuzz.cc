// libFuzzer target: the logbook's decoders (segment scan, both delta
// encodings, snapshot file) on arbitrary bytes. They must return errors,
// never crash, hang or allocate beyond their limits (invariant I4). Seeds in
// corpus/logbook_fuzz: segments of format versions 1, 2 and 3 (with a write
// group), a snapshot and a bare compact delta.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/compact_delta.h"
#include "storage/delta_archive.h"
#include "storage/mem_env.h"
#include "storage/segment_reader.h"
#include "storage/snapshot_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Segment scan, then every record payload through its version's decoder.
  parley::SegmentScan scan = parley::ScanSegment(bytes, 1 << 20);
  for (const parley::SegmentRecord& record : scan.records) {
    (void)parley::DecodeStoredDelta(record.payload, scan.version);
  }
  // The bytes as a raw delta in either encoding.
  (void)parley::DecodeCompactDelta(bytes);
  (void)parley::DecodeDeltaArchive(bytes);
  // The bytes as a snapshot file.
  parley::MemEnv env;
  (void)env.CreateDir("/d");
  auto file = env.NewWritableFile("/d/snapshot");
  if (file.ok()) {
    (void)(*file)->Append(bytes);
    (void)(*file)->Close();
    parley::SnapshotInfo info;
    parley::Delta state;
    (void)parley::ReadSnapshotFile(&env, "/d/snapshot", 1 << 24, &info, &state);
  }
  return 0;
}

// SnapshotFile: encoding, atomic writing and verified reading of snapshots.
#include "storage/snapshot_file.h"

#include <algorithm>
#include <cstring>

#include "storage/compact_delta.h"
#include "storage/log_format.h"
#include "storage/logbook_files.h"

namespace parley {

namespace {

constexpr char kSnapshotMagic[8] = {'P', 'R', 'L', 'Y', 'S', 'N', 'A', 'P'};
constexpr uint32_t kBlockSize = 64 * 1024;

uint64_t BlockCount(uint64_t payload_bytes, uint32_t block_size) {
  return (payload_bytes + block_size - 1) / block_size;
}

}  // namespace

Status WriteSnapshotFile(Env* env, const std::string& dir, uint64_t covered_sequence, ReplicaId replica,
                         std::string_view payload) {

  std::string file(kSnapshotHeaderSize, '\0');
  char* h = file.data();
  std::memcpy(h, kSnapshotMagic, sizeof(kSnapshotMagic));
  EncodeFixed32(h + 8, kSnapshotFormatVersion);
  EncodeFixed32(h + 12, kBlockSize);
  EncodeFixed64(h + 16, covered_sequence);
  EncodeFixed64(h + 24, replica);
  EncodeFixed64(h + 32, payload.size());
  EncodeFixed64(h + 40, 0);
  EncodeFixed64(h + 48, Checksum64(std::string_view(h, 48)));

  file.reserve(file.size() + payload.size() + 8 * BlockCount(payload.size(), kBlockSize));
  for (size_t pos = 0; pos < payload.size(); pos += kBlockSize) {
    std::string_view block = payload.substr(pos, kBlockSize);
    file.append(block);
    char check[8];
    EncodeFixed64(check, Checksum64(block));
    file.append(check, sizeof(check));
  }
  return WriteFileAtomically(env, dir, SnapshotFileName(covered_sequence), file);
}

Status ReadSnapshotFile(Env* env, const std::string& path, uint64_t max_snapshot_bytes, SnapshotInfo* info,
                        Delta* state) {
  auto damaged = [&](uint64_t offset, const std::string& why) {
    return Status::Corruption("snapshot " + path + " at byte offset " + std::to_string(offset) + ": " + why);
  };
  auto size = env->GetFileSize(path);
  if (!size.ok()) return size.status();
  if (*size > max_snapshot_bytes) {
    return damaged(0, "file is " + std::to_string(*size) + " bytes, over the limit of " +
                          std::to_string(max_snapshot_bytes));
  }
  std::string file;
  PARLEY_RETURN_IF_ERROR(ReadFileToString(env, path, &file));
  if (file.size() < kSnapshotHeaderSize) return damaged(0, "header is incomplete");
  const char* h = file.data();
  if (std::memcmp(h, kSnapshotMagic, sizeof(kSnapshotMagic)) != 0) return damaged(0, "not a snapshot file");
  if (DecodeFixed64(h + 48) != Checksum64(std::string_view(h, 48))) return damaged(0, "header checksum mismatch");
  uint32_t version = DecodeFixed32(h + 8);
  if (version < kOldestSnapshotFormatVersion || version > kSnapshotFormatVersion) {
    return damaged(8, "unsupported format version " + std::to_string(version));
  }
  uint32_t block_size = DecodeFixed32(h + 12);
  if (block_size == 0) return damaged(12, "block size 0");

  info->version = version;
  info->covered_sequence = DecodeFixed64(h + 16);
  info->replica = DecodeFixed64(h + 24);
  info->payload_bytes = DecodeFixed64(h + 32);
  info->file_bytes = file.size();
  // Check the header's length against the real file before trusting it.
  uint64_t body_bytes = file.size() - kSnapshotHeaderSize;
  if (info->payload_bytes > body_bytes ||
      info->payload_bytes + 8 * BlockCount(info->payload_bytes, block_size) != body_bytes) {
    return damaged(32, "header says " + std::to_string(info->payload_bytes) + " payload bytes but the file has " +
                           std::to_string(file.size()) + " bytes");
  }

  std::string payload;
  payload.reserve(info->payload_bytes);
  size_t pos = kSnapshotHeaderSize;
  for (uint64_t left = info->payload_bytes; left > 0;) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(left, block_size));
    std::string_view block(file.data() + pos, take);
    if (DecodeFixed64(file.data() + pos + take) != Checksum64(block)) {
      return damaged(pos, "checksum mismatch in the block of " + std::to_string(take) + " bytes starting here");
    }
    payload.append(block);
    pos += take + 8;
    left -= take;
  }
  file.clear();
  file.shrink_to_fit();

  auto decoded = DecodeStoredDelta(payload, version);
  if (!decoded.ok()) return damaged(kSnapshotHeaderSize, decoded.status().message());
  if (state != nullptr) *state = std::move(decoded).value();
  return Status::Ok();
}

}  // namespace parley

// MemEnv: an in-memory disk that can lose what was not synced.
//
// The simulator and the fault tests run the real logbook on a MemEnv and call
// SimulateCrash() to model a machine losing power. The model is deliberately
// simple (the worst case a real disk is allowed to produce, minus reordering
// inside one file):
//   * Each file remembers how many of its bytes were synced. A crash cuts every
//     file back to that length: unsynced appends are lost, synced ones survive.
//   * The directory listing remembers its state as of the last SyncDir of each
//     directory. A crash restores that state: files created, renamed or
//     removed since then reappear, vanish or get their old name back.
//     Directories themselves are always durable.
//   * A truncation is durable at once (TruncateFile syncs on a real disk too).
//   * Handles opened before a crash fail with IoError afterwards, as the
//     process that held them would be gone.
// Thread-safe: every call takes one mutex.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"

namespace parley {

class MemEnv final : public Env {
 public:
  MemEnv() = default;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status SyncFile(const std::string& path) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Status UnlockFile(std::unique_ptr<FileLock> lock) override;

  // Drops every unsynced byte and every unsynced directory change, releases
  // all locks, and invalidates every open handle (see the file comment).
  void SimulateCrash();

  // For tests: overwrite or cut file contents behind the logbook's back.
  Status CorruptByte(const std::string& path, uint64_t offset, uint8_t xor_mask);

  // A file's bytes in fixed blocks. Appending never moves what is already
  // written: one string grown record by record copied an 8 MB log segment
  // about eight times over (8% of the 1000-node simulator), and an open file
  // wastes at most one block's spare room.
  class Blocks {
   public:
    size_t size() const { return size_; }
    void Append(std::string_view data);
    // Appends bytes [pos, pos + n) to `out`; the range must be inside.
    void CopyTo(size_t pos, size_t n, std::string* out) const;
    void Truncate(size_t n);  // n <= size()
    char& operator[](size_t i) { return blocks_[i / kBlockBytes][i % kBlockBytes]; }
    void ShrinkToFit();       // a closed file keeps exactly its bytes

   private:
    static constexpr size_t kBlockBytes = 16 << 10;
    std::vector<std::string> blocks_;  // all full but the last
    size_t size_ = 0;
  };

  // Contents stored in memory.
  struct FileState {
    Blocks data;
    uint64_t synced = 0;  // bytes of `data` that survive a crash
  };

 private:
  friend class MemWritableFile;
  friend class MemSequentialFile;
  using FileMap = std::map<std::string, std::shared_ptr<FileState>>;

  std::mutex mu_;
  FileMap files_;          // the directory listing as the program sees it
  FileMap durable_files_;  // the listing a crash would leave behind
  std::set<std::string> dirs_;
  std::set<std::string> locked_;
  uint64_t generation_ = 0;  // bumped by each crash to invalidate handles
};

}  // namespace parley

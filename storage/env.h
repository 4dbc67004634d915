// Env: the logbook's only way to reach a file system.
//
// Following LevelDB's Env idea, the logbook never calls the operating system
// itself. PosixEnv (posix_env.h) talks to a real disk; MemEnv (mem_env.h) keeps
// files in memory and can simulate a crash that loses every byte and every
// directory change that was not synced, so the simulator and the fault tests
// can run the real logbook code against a disk that fails on command.
//
// Durability model shared by every Env:
//   * WritableFile::Append may buffer; Flush hands the bytes to the OS (they
//     survive the process being killed, not a machine crash); Sync makes the
//     flushed bytes durable.
//   * Creating, renaming or removing a file is durable only after SyncDir on
//     its directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace parley {

// A file being written from its current end. Not thread-safe, except that
// Sync() may run on one thread while another calls Append()/Flush(): the
// logbook fsyncs outside its append lock so appends are not blocked.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Hands buffered bytes to the operating system.
  virtual Status Flush() = 0;
  // Makes durable at least every byte flushed before this call started.
  virtual Status Sync() = 0;
  // Writes zeros past the written end until the file is `size` bytes long
  // (nothing if it is already), without moving where appends go: they later
  // overwrite the zeros. Why: on a journaling file system an fdatasync after
  // an append that grows the file also commits the new size and block
  // allocation to the journal; into blocks already written it flushes only
  // the data, about a third cheaper on ext4 (bench/RESULTS.md). A reader of
  // such a file must take zeros after the last record as its end
  // (segment_reader.h). Close() cuts off what was not overwritten. Envs
  // without a cost to save (MemEnv) do nothing.
  virtual Status Preallocate(uint64_t size) {
    (void)size;
    return Status::Ok();
  }
  virtual Status Close() = 0;
};

// A file read from start to end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes, appending them to `out`. Fewer bytes (possibly
  // none) means the end of the file was reached.
  virtual Status Read(size_t n, std::string* out) = 0;
};

// A held lock on a data directory; released by Env::UnlockFile.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide PosixEnv. Never deleted.
  static Env* Default();

  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  // Creates `path`, or truncates it if it exists.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Makes the current contents of an existing file durable (used at start-up
  // for a log that an earlier process wrote but may not have synced).
  virtual Status SyncFile(const std::string& path) = 0;
  // Shortens `path` to `size` bytes and makes that durable.
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Creates `dir` if missing (the parent must exist).
  virtual Status CreateDir(const std::string& dir) = 0;
  // Makes creations, renames and removals inside `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive lock on `path` (created if missing). Fails with
  // Unavailable if another process, or another open in this process, holds it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;
};

// Passes every call to another Env, as LevelDB's EnvWrapper does: a test
// that needs one file operation to be slow or to fail overrides just that.
// NewWritableFile can wrap its files in a WritableFileWrapper likewise.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    return target_->NewSequentialFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return target_->NewWritableFile(path);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override { return target_->GetChildren(dir); }
  Result<uint64_t> GetFileSize(const std::string& path) override { return target_->GetFileSize(path); }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status SyncFile(const std::string& path) override { return target_->SyncFile(path); }
  Status TruncateFile(const std::string& path, uint64_t size) override { return target_->TruncateFile(path, size); }
  Status CreateDir(const std::string& dir) override { return target_->CreateDir(dir); }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override { return target_->LockFile(path); }
  Status UnlockFile(std::unique_ptr<FileLock> lock) override { return target_->UnlockFile(std::move(lock)); }

 private:
  Env* target_;
};

// Passes every call to the file it owns; see EnvWrapper.
class WritableFileWrapper : public WritableFile {
 public:
  explicit WritableFileWrapper(std::unique_ptr<WritableFile> target) : target_(std::move(target)) {}
  Status Append(std::string_view data) override { return target_->Append(data); }
  Status Flush() override { return target_->Flush(); }
  Status Sync() override { return target_->Sync(); }
  Status Preallocate(uint64_t size) override { return target_->Preallocate(size); }
  Status Close() override { return target_->Close(); }

 private:
  std::unique_ptr<WritableFile> target_;
};

// Reads a whole file. Files the logbook reads whole (segments, snapshots) are
// bounded by its options, so this never reads an unbounded amount by surprise.
Status ReadFileToString(Env* env, const std::string& path, std::string* out);

// Writes `data` to `dir/name` so that a crash leaves either the old file or
// the complete new one: write `name.tmp`, sync it, rename over `name`, sync
// the directory.
Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data);

// "dir/name".
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace parley

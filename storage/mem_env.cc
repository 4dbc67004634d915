// MemEnv: in-memory files with synced lengths and durable directory listings.
#include "storage/mem_env.h"

#include <algorithm>

namespace parley {

namespace {

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string StripTrailingSlash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

class MemFileLock final : public FileLock {
 public:
  explicit MemFileLock(std::string path, uint64_t generation)
      : path(std::move(path)), generation(generation) {}
  std::string path;
  uint64_t generation;
};

}  // namespace

void MemEnv::Blocks::Append(std::string_view data) {
  while (!data.empty()) {
    if (blocks_.empty() || blocks_.back().size() == kBlockBytes) {
      blocks_.emplace_back();
      blocks_.back().reserve(kBlockBytes);
    }
    std::string& last = blocks_.back();
    size_t take = std::min(kBlockBytes - last.size(), data.size());
    last.append(data.substr(0, take));
    data.remove_prefix(take);
    size_ += take;
  }
}

void MemEnv::Blocks::CopyTo(size_t pos, size_t n, std::string* out) const {
  while (n > 0) {
    const std::string& block = blocks_[pos / kBlockBytes];
    size_t offset = pos % kBlockBytes;
    size_t take = std::min(n, block.size() - offset);
    out->append(block, offset, take);
    pos += take;
    n -= take;
  }
}

void MemEnv::Blocks::Truncate(size_t n) {
  blocks_.resize((n + kBlockBytes - 1) / kBlockBytes);
  if (!blocks_.empty()) blocks_.back().resize(n - (blocks_.size() - 1) * kBlockBytes);
  size_ = n;
}

void MemEnv::Blocks::ShrinkToFit() {
  if (!blocks_.empty()) blocks_.back().shrink_to_fit();
}

class MemSequentialFile final : public SequentialFile {
 public:
  MemSequentialFile(MemEnv* env, std::shared_ptr<MemEnv::FileState> file, uint64_t generation)
      : env_(env), file_(std::move(file)), generation_(generation) {}

  Status Read(size_t n, std::string* out) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    if (generation_ != env_->generation_) return Status::IoError("file handle from before a crash");
    if (position_ >= file_->data.size()) return Status::Ok();
    size_t take = std::min<size_t>(n, file_->data.size() - position_);
    file_->data.CopyTo(position_, take, out);
    position_ += take;
    return Status::Ok();
  }

 private:
  MemEnv* env_;
  std::shared_ptr<MemEnv::FileState> file_;
  uint64_t generation_;
  size_t position_ = 0;
};

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::shared_ptr<MemEnv::FileState> file, uint64_t generation)
      : env_(env), file_(std::move(file)), generation_(generation) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    PARLEY_RETURN_IF_ERROR(CheckAlive());
    file_->data.Append(data);
    return Status::Ok();
  }
  // Appends reach the in-memory "kernel" at once, so there is nothing to flush.
  Status Flush() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    return CheckAlive();
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    PARLEY_RETURN_IF_ERROR(CheckAlive());
    file_->synced = file_->data.size();
    return Status::Ok();
  }
  // A closed file keeps exactly its bytes: nothing more is appended to it.
  // (The logbook lets a rolled segment's handle go without Close().)
  ~MemWritableFile() override { (void)Close(); }
  Status Close() override {
    std::lock_guard<std::mutex> lock(env_->mu_);
    file_->data.ShrinkToFit();
    return Status::Ok();
  }

 private:
  Status CheckAlive() const {
    if (generation_ != env_->generation_) return Status::IoError("file handle from before a crash");
    return Status::Ok();
  }

  MemEnv* env_;
  std::shared_ptr<MemEnv::FileState> file_;
  uint64_t generation_;
};

Result<std::unique_ptr<SequentialFile>> MemEnv::NewSequentialFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("open " + path + ": no such file");
  return std::unique_ptr<SequentialFile>(new MemSequentialFile(this, it->second, generation_));
}

Result<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(ParentDir(path))) return Status::NotFound("create " + path + ": no such directory");
  // A fresh FileState, as O_TRUNC on a new inode: a durable listing entry of
  // the old file keeps the old contents until the directory is synced.
  auto state = std::make_shared<FileState>();
  files_[path] = state;
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, state, generation_));
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) > 0 || dirs_.count(StripTrailingSlash(path)) > 0;
}

Result<std::vector<std::string>> MemEnv::GetChildren(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string dir = StripTrailingSlash(dir_in);
  if (!dirs_.count(dir)) return Status::NotFound("list directory " + dir + ": no such directory");
  std::vector<std::string> names;
  for (const auto& [path, state] : files_) {
    if (ParentDir(path) == dir) names.push_back(path.substr(dir.size() + (dir == "/" ? 0 : 1)));
  }
  for (const auto& sub : dirs_) {
    if (sub != dir && ParentDir(sub) == dir) names.push_back(sub.substr(dir.size() + 1));
  }
  return names;
}

Result<uint64_t> MemEnv::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("stat " + path + ": no such file");
  return static_cast<uint64_t>(it->second->data.size());
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return Status::NotFound("remove " + path + ": no such file");
  return Status::Ok();
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename " + from + ": no such file");
  auto state = it->second;
  files_.erase(it);
  files_[to] = std::move(state);
  return Status::Ok();
}

Status MemEnv::SyncFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("sync " + path + ": no such file");
  it->second->synced = it->second->data.size();
  return Status::Ok();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("truncate " + path + ": no such file");
  FileState& file = *it->second;
  if (size < file.data.size()) file.data.Truncate(size);
  file.synced = std::min<uint64_t>(file.synced, file.data.size());
  return Status::Ok();
}

Status MemEnv::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  dirs_.insert(StripTrailingSlash(dir));
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& dir_in) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string dir = StripTrailingSlash(dir_in);
  if (!dirs_.count(dir)) return Status::NotFound("sync directory " + dir + ": no such directory");
  std::erase_if(durable_files_, [&](const auto& entry) { return ParentDir(entry.first) == dir; });
  for (const auto& [path, state] : files_) {
    if (ParentDir(path) == dir) durable_files_[path] = state;
  }
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> MemEnv::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(ParentDir(path))) return Status::NotFound("lock " + path + ": no such directory");
  if (!locked_.insert(path).second) return Status::Unavailable("lock " + path + " is held by another process");
  if (!files_.count(path)) files_[path] = std::make_shared<FileState>();
  return std::unique_ptr<FileLock>(new MemFileLock(path, generation_));
}

Status MemEnv::UnlockFile(std::unique_ptr<FileLock> lock_in) {
  std::lock_guard<std::mutex> lock(mu_);
  auto* mem_lock = static_cast<MemFileLock*>(lock_in.get());
  // A lock from before a crash died with its process.
  if (mem_lock->generation == generation_) locked_.erase(mem_lock->path);
  return Status::Ok();
}

void MemEnv::SimulateCrash() {
  std::lock_guard<std::mutex> lock(mu_);
  files_ = durable_files_;
  for (auto& [path, state] : files_) {
    // Copy, so a handle that survived in some test cannot reach the new state.
    auto survivor = std::make_shared<FileState>();
    survivor->data = state->data;
    survivor->data.Truncate(state->synced);
    survivor->synced = survivor->data.size();
    state = survivor;
  }
  durable_files_ = files_;
  locked_.clear();
  ++generation_;
}

Status MemEnv::CorruptByte(const std::string& path, uint64_t offset, uint8_t xor_mask) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("corrupt " + path + ": no such file");
  if (offset >= it->second->data.size()) return Status::InvalidArgument("offset past end of " + path);
  it->second->data[offset] = static_cast<char>(it->second->data[offset] ^ xor_mask);
  return Status::Ok();
}

}  // namespace parley

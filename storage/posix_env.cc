// PosixEnv: files, directories and locks on a real POSIX file system.
#include "storage/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace parley {

namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int error) {
  std::string msg = what + " " + path + ": " + std::strerror(error);
  if (error == ENOENT) return Status::NotFound(msg);
  return Status::IoError(msg);
}

// Retries a call interrupted by a signal.
template <typename Call>
auto RetryOnInterrupt(Call call) {
  while (true) {
    auto r = call();
    if (r >= 0 || errno != EINTR) return r;
  }
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string* out) override {
    size_t old_size = out->size();
    out->resize(old_size + n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = RetryOnInterrupt([&] { return ::read(fd_, out->data() + old_size + got, n - got); });
      if (r < 0) {
        out->resize(old_size + got);
        return ErrnoStatus("read", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out->resize(old_size + got);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) Close();
  }

  Status Append(std::string_view data) override {
    // Small appends are gathered so the log costs one write() per buffer,
    // not one per record; big ones go straight through.
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::Ok();
    }
    PARLEY_RETURN_IF_ERROR(Flush());
    if (data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::Ok();
    }
    return WriteAll(data);
  }

  Status Flush() override {
    if (buffer_.empty()) return Status::Ok();
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

  Status Sync() override {
    // fdatasync also writes the file size, which is all the metadata a
    // reader needs; it may run while another thread appends to the buffer.
    if (RetryOnInterrupt([&] { return ::fdatasync(fd_); }) != 0) {
      return ErrnoStatus("fdatasync", path_, errno);
    }
    return Status::Ok();
  }

  Status Preallocate(uint64_t size) override {
    // Past what the buffer will write too, so a later Flush never lands
    // behind the zeros it should overwrite.
    uint64_t from = std::max(file_size_, written_ + buffer_.size());
    static const char kZeros[64 * 1024] = {};
    while (from < size) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), size - from));
      ssize_t r = RetryOnInterrupt([&] { return ::pwrite(fd_, kZeros, n, static_cast<off_t>(from)); });
      if (r < 0) return ErrnoStatus("preallocate", path_, errno);
      from += static_cast<uint64_t>(r);
      file_size_ = from;
    }
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    Status s = Flush();
    // Zeros nobody overwrote would only make readers scan them.
    if (s.ok() && file_size_ > written_ &&
        RetryOnInterrupt([&] { return ::ftruncate(fd_, static_cast<off_t>(written_)); }) != 0) {
      s = ErrnoStatus("truncate", path_, errno);
    }
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;

  // Writes at the written end with pwrite: the file may be longer than
  // that (preallocated), so the file offset is not where appends go.
  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t r = RetryOnInterrupt(
          [&] { return ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(written_)); });
      if (r < 0) return ErrnoStatus("write", path_, errno);
      data.remove_prefix(static_cast<size_t>(r));
      written_ += static_cast<uint64_t>(r);
      file_size_ = std::max(file_size_, written_);
    }
    return Status::Ok();
  }

  std::string path_;
  int fd_;
  std::string buffer_;
  uint64_t written_ = 0;    // bytes handed to the OS: where the next write goes
  uint64_t file_size_ = 0;  // written_ plus any preallocated zeros after it
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(std::string path, int fd) : path(std::move(path)), fd(fd) {}
  std::string path;
  int fd;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    int fd = RetryOnInterrupt([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd));
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = RetryOnInterrupt(
        [&] { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); });
    if (fd < 0) return ErrnoStatus("create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("list directory", dir, errno);
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("remove", path, errno);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename to " + to, from, errno);
    return Status::Ok();
  }

  Status SyncFile(const std::string& path) override {
    int fd = RetryOnInterrupt([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("open", path, errno);
    Status s;
    if (RetryOnInterrupt([&] { return ::fsync(fd); }) != 0) s = ErrnoStatus("fsync", path, errno);
    ::close(fd);
    return s;
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = RetryOnInterrupt([&] { return ::open(path.c_str(), O_WRONLY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("open", path, errno);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      s = ErrnoStatus("truncate", path, errno);
    } else if (RetryOnInterrupt([&] { return ::fsync(fd); }) != 0) {
      s = ErrnoStatus("fsync", path, errno);
    }
    ::close(fd);
    return s;
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir", dir, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = RetryOnInterrupt([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("open directory", dir, errno);
    Status s;
    if (RetryOnInterrupt([&] { return ::fsync(fd); }) != 0) s = ErrnoStatus("fsync directory", dir, errno);
    ::close(fd);
    return s;
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = RetryOnInterrupt([&] { return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); });
    if (fd < 0) return ErrnoStatus("open lock file", path, errno);
    // flock locks belong to the open file description, so a second open of
    // the same directory in this very process is refused too.
    if (RetryOnInterrupt([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) != 0) {
      int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) return Status::Unavailable("lock " + path + " is held by another process");
      return ErrnoStatus("lock", path, error);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(path, fd));
  }

  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    auto* posix_lock = static_cast<PosixFileLock*>(lock.get());
    Status s;
    if (::flock(posix_lock->fd, LOCK_UN) != 0) s = ErrnoStatus("unlock", posix_lock->path, errno);
    ::close(posix_lock->fd);
    return s;
  }
};

}  // namespace

std::unique_ptr<Env> NewPosixEnv() { return std::make_unique<PosixEnv>(); }

Env* Env::Default() {
  static Env* const env = NewPosixEnv().release();  // lives for the whole process
  return env;
}

}  // namespace parley

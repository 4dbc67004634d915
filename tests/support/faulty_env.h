// FaultyEnv: an Env whose writable files fail on demand, as a full or
// failing disk does.
//
// Passes everything to `base`, except that the files it opens fail
// Append(), Sync() or Preallocate() while the matching flag is set.
// MemEnv's own Preallocate does nothing, so this is the only way a MemEnv
// test sees one fail.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "storage/env.h"

namespace parley::testing {

class FaultyEnv final : public EnvWrapper {
 public:
  explicit FaultyEnv(Env* base) : EnvWrapper(base) {}

  std::atomic<bool> fail_append{false};
  std::atomic<bool> fail_preallocate{false};
  std::atomic<bool> fail_sync{false};
  std::atomic<int> preallocate_calls{0};

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto file = target()->NewWritableFile(path);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(new FaultyFile(this, std::move(file).value()));
  }

 private:
  class FaultyFile final : public WritableFileWrapper {
   public:
    FaultyFile(FaultyEnv* env, std::unique_ptr<WritableFile> base) : WritableFileWrapper(std::move(base)), env_(env) {}
    Status Append(std::string_view data) override {
      if (env_->fail_append) return Status::IoError("write: no space left on device (injected)");
      return WritableFileWrapper::Append(data);
    }
    Status Sync() override {
      if (env_->fail_sync) return Status::IoError("fdatasync: injected I/O error");
      return WritableFileWrapper::Sync();
    }
    Status Preallocate(uint64_t size) override {
      ++env_->preallocate_calls;
      if (env_->fail_preallocate) return Status::IoError("preallocate: no space left on device (injected)");
      return WritableFileWrapper::Preallocate(size);
    }

   private:
    FaultyEnv* env_;
  };
};

}  // namespace parley::testing

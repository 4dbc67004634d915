// Env helpers shared by every Env implementation.
#include "storage/env.h"

namespace parley {

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

Status ReadFileToString(Env* env, const std::string& path, std::string* out) {
  out->clear();
  auto file = env->NewSequentialFile(path);
  if (!file.ok()) return file.status();
  constexpr size_t kChunk = 1 << 20;
  while (true) {
    size_t before = out->size();
    PARLEY_RETURN_IF_ERROR((*file)->Read(kChunk, out));
    if (out->size() == before) return Status::Ok();
  }
}

Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& name,
                           std::string_view data) {
  const std::string temp = JoinPath(dir, name + ".tmp");
  const std::string final_path = JoinPath(dir, name);
  {
    auto file = env->NewWritableFile(temp);
    if (!file.ok()) return file.status();
    Status s = (*file)->Append(data);
    if (s.ok()) s = (*file)->Flush();
    if (s.ok()) s = (*file)->Sync();
    Status closed = (*file)->Close();
    if (s.ok()) s = closed;
    if (!s.ok()) {
      env->RemoveFile(temp);
      return s;
    }
  }
  PARLEY_RETURN_IF_ERROR(env->RenameFile(temp, final_path));
  return env->SyncDir(dir);
}

}  // namespace parley

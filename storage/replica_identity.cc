// ReplicaIdentity: reading and writing the IDENTITY file.
#include "storage/replica_identity.h"

#include <cinttypes>
#include <cstdio>

#include "storage/log_format.h"
#include "storage/logbook_files.h"

namespace parley {

namespace {

std::string IdentityBody(ReplicaId replica) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "parley-replica %016" PRIx64, replica);
  return buf;
}

}  // namespace

Status WriteReplicaIdentity(Env* env, const std::string& dir, ReplicaId replica) {
  if (replica == 0) return Status::InvalidArgument("replica id 0 is reserved");
  std::string body = IdentityBody(replica);
  char check[16];
  std::snprintf(check, sizeof(check), " %08" PRIx32 "\n", Checksum32(body));
  return WriteFileAtomically(env, dir, kIdentityFileName, body + check);
}

Result<ReplicaId> ReadReplicaIdentity(Env* env, const std::string& dir) {
  const std::string path = JoinPath(dir, kIdentityFileName);
  std::string contents;
  PARLEY_RETURN_IF_ERROR(ReadFileToString(env, path, &contents));
  auto damaged = [&](const char* why) {
    return Status::Corruption(path + " at byte offset 0: " + why);
  };
  // "parley-replica " + 16 hex + " " + 8 hex + "\n"
  if (contents.size() != 15 + 16 + 1 + 8 + 1) return damaged("unexpected length");
  unsigned long long replica = 0;
  unsigned int check = 0;
  char newline = 0;
  if (std::sscanf(contents.c_str(), "parley-replica %16llx %8x%c", &replica, &check, &newline) != 3 ||
      newline != '\n') {
    return damaged("not an identity line");
  }
  std::string body = IdentityBody(replica);
  if (contents.compare(0, body.size(), body) != 0 || Checksum32(body) != check) {
    return damaged("checksum mismatch");
  }
  if (replica == 0) return damaged("replica id 0");
  return static_cast<ReplicaId>(replica);
}

}  // namespace parley

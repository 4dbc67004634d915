// ReplicaIdentity: the replica id stored in a data directory's IDENTITY file.
//
// A replica id names every write a node makes, so it must never change for a
// directory and never be reused by a new one. It is written once, atomically
// (temp file, sync, rename, directory sync), as one line of text a person can
// read: "parley-replica <16 hex digits> <8 hex digits XXH32 of the rest>".
#pragma once

#include <string>

#include "storage/dot.h"
#include "storage/env.h"
#include "storage/status.h"

namespace parley {

Status WriteReplicaIdentity(Env* env, const std::string& dir, ReplicaId replica);

// Corruption (naming the file) if the file is damaged or holds id 0.
Result<ReplicaId> ReadReplicaIdentity(Env* env, const std::string& dir);

}  // namespace parley

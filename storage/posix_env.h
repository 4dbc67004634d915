// PosixEnv: the Env that reaches a real disk through POSIX calls.
//
// Writes are buffered in user space until Flush (or a full buffer); Sync is
// fdatasync. Directory locks use flock(), which conflicts between two opens in
// one process as well as between processes, so a second Logbook on the same
// directory fails fast instead of corrupting it.
#pragma once

#include <memory>

#include "storage/env.h"

namespace parley {

// A new PosixEnv. Most callers want the shared Env::Default() instead.
std::unique_ptr<Env> NewPosixEnv();

}  // namespace parley

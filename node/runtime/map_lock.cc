// MapLock: a writer-preferring pthread rwlock.
#include "node/runtime/map_lock.h"

namespace parley {

MapLock::MapLock() {
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  // glibc's only writer-preferring kind is the non-recursive one: a thread
  // holding the lock shared must not take it shared again while a writer
  // waits. Readers here never nest.
  pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&rwlock_, &attr);
  pthread_rwlockattr_destroy(&attr);
}

MapLock::~MapLock() { pthread_rwlock_destroy(&rwlock_); }

void MapLock::lock() { pthread_rwlock_wrlock(&rwlock_); }
bool MapLock::try_lock() { return pthread_rwlock_trywrlock(&rwlock_) == 0; }
void MapLock::unlock() { pthread_rwlock_unlock(&rwlock_); }
void MapLock::lock_shared() { pthread_rwlock_rdlock(&rwlock_); }
bool MapLock::try_lock_shared() { return pthread_rwlock_tryrdlock(&rwlock_) == 0; }
void MapLock::unlock_shared() { pthread_rwlock_unlock(&rwlock_); }

}  // namespace parley

// MapLock: a reader/writer lock that lets a waiting writer in first.
//
// The embedding API (node/embed) reads the core's map from program threads
// under a shared lock while the loop thread changes it under an exclusive
// one (RuntimeOptions::map_lock). std::shared_mutex is a glibc rwlock that
// prefers readers: a few threads reading in a loop keep it shared forever
// and the node's loop — every write, every packet — starves. Here a waiting
// writer blocks new readers, so the loop waits at most for the reads in
// progress (microseconds). Satisfies SharedMutex for std::unique_lock and
// std::shared_lock; not recursive.
#pragma once

#include <pthread.h>

namespace parley {

class MapLock {
 public:
  MapLock();
  ~MapLock();
  MapLock(const MapLock&) = delete;
  MapLock& operator=(const MapLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();
  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

 private:
  pthread_rwlock_t rwlock_;
};

}  // namespace parley

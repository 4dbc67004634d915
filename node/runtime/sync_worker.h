// SyncWorker: runs Logbook::Sync() off the loop thread, one at a time.
//
// An fsync can take milliseconds; doing it on the loop thread would stall
// probes and acks, and other nodes would start suspecting this one. The
// worker hands the sync to libuv's thread pool and reports the result back
// on the loop thread. Only one sync is in flight: a request that arrives
// meanwhile is remembered and served by one more sync right after (it must
// cover records appended after the running sync began).
//
// A sync does not start inside Request() but once the loop has run every
// callback of its current iteration (from an idle handle, before the next
// poll), like Redis's fsync in beforeSleep: all clients' writes read in one
// iteration then share one fsync, instead of the first write's fsync
// covering it alone and the rest waiting for a second one.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

#include "node/runtime/uv_handle.h"
#include "storage/logbook.h"
#include "storage/status.h"

namespace parley {

class SyncWorker {
 public:
  // Called on the loop thread with the logbook's durable sequence after a sync.
  using DoneCallback = std::function<void(uint64_t durable_sequence, const Status& status)>;

  SyncWorker(uv_loop_t* loop, Logbook* logbook, DoneCallback done);
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;
  // The loop must have finished any sync in flight (run it until idle first).
  ~SyncWorker() = default;

  void Request();
  // Starts a scheduled sync now and closes the idle handle (the runtime is
  // stopping); later requests start at once. The loop must run on until
  // busy() is false.
  void Close();
  // A sync is running or about to start.
  bool busy() const { return in_flight_ || scheduled_; }
  uint64_t syncs() const { return syncs_; }

 private:
  void Schedule();  // starts a sync once this loop iteration is over
  void Start();
  static void Work(uv_work_t* req);
  static void AfterWork(uv_work_t* req, int status);

  uv_loop_t* loop_;
  Logbook* logbook_;
  DoneCallback done_;
  uv_work_t work_{};
  UvHandle<uv_idle_t> idle_;  // active only while a sync is scheduled
  Status result_;  // written by the pool thread, read after AfterWork
  bool in_flight_ = false;
  bool scheduled_ = false;
  bool again_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace parley

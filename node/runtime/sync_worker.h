// SyncWorker: runs Logbook::Sync() off the loop thread, one at a time.
//
// An fsync can take milliseconds; doing it on the loop thread would stall
// probes and acks, and other nodes would start suspecting this one. The
// worker hands the sync to libuv's thread pool and reports the result back
// on the loop thread. Only one sync is in flight: a request that arrives
// meanwhile is remembered and served by one more sync right after (it must
// cover records appended after the running sync began).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

#include "storage/logbook.h"
#include "storage/status.h"

namespace parley {

class SyncWorker {
 public:
  // Called on the loop thread with the logbook's durable sequence after a sync.
  using DoneCallback = std::function<void(uint64_t durable_sequence, const Status& status)>;

  SyncWorker(uv_loop_t* loop, Logbook* logbook, DoneCallback done)
      : loop_(loop), logbook_(logbook), done_(std::move(done)) {}
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;
  // The loop must have finished any sync in flight (run it until idle first).
  ~SyncWorker() = default;

  void Request();
  bool busy() const { return in_flight_; }
  uint64_t syncs() const { return syncs_; }

 private:
  void Start();
  static void Work(uv_work_t* req);
  static void AfterWork(uv_work_t* req, int status);

  uv_loop_t* loop_;
  Logbook* logbook_;
  DoneCallback done_;
  uv_work_t work_{};
  Status result_;  // written by the pool thread, read after AfterWork
  bool in_flight_ = false;
  bool again_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace parley

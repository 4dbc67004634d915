// SyncWorker: runs Logbook::Sync(), one at a time, on the loop thread while
// syncs are quick, else on libuv's thread pool.
//
// On the loop thread, as Redis runs its fsync, the commands that arrive
// during an fsync wait in their sockets and are read together after it:
// one wake-up for many of them, and no hand-off between threads. With the
// pool, the loop wakes for nearly every command that arrives during the
// fsync and pays futex and eventfd wake-ups per fsync: a durable
// unpipelined SET cost ~19 µs of CPU there against ~14.5 µs on the loop
// thread, and 11-25% more requests/s; 16-deep pipelines cost ~0.5 µs less
// system CPU per SET and ran 3-15% faster (bench/RESULTS.md).
//
// The pool stays for a slow disk: an fsync on the loop thread stalls
// probes, acks and reads, and other nodes would start suspecting this one.
// A sync that took longer than `inline_limit_ns` sends the next ones to the
// pool, and one that is quick again brings them back, so the loop is
// stalled by one slow fsync at most: the one that showed the disk had
// become slow.
//
// Only one sync is in flight: a request that arrives meanwhile is
// remembered and served by one more sync right after (it must cover records
// appended after the running sync began).
//
// A sync does not start inside Request() but once the loop has run every
// callback of its current iteration (from an idle handle, before the next
// poll), like Redis's fsync in beforeSleep: all clients' writes read in one
// iteration then share one fsync, instead of the first write's fsync
// covering it alone and the rest waiting for a second one.
//
// An inline sync also waits while writes keep coming: if the last poll
// brought more of them, the loop polls once more (without blocking) before
// the fsync, up to kMaxGatherPolls times. Clients whose replies went out
// after the previous fsync send their next writes a few µs apart, and
// without this pause the fsync started on the first few of them, leaving
// the rest to wait a whole fsync more: 15 writes per fsync against Redis's
// 28 with 50 unpipelined clients, and 0.9x Redis's SET rate. Gathering them
// lifted that to ~1.0-1.1x (bench/RESULTS.md). A lone client is never held
// up: a poll that brings nothing starts the fsync.
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

  // Syncs that take longer than this move to the thread pool.
  static constexpr uint64_t kDefaultInlineLimitNs = 2'000'000;
  static constexpr int kMaxGatherPolls = 4;  // see above

  SyncWorker(uv_loop_t* loop, Logbook* logbook, DoneCallback done,
             uint64_t inline_limit_ns = kDefaultInlineLimitNs);
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
  // Whether the next sync runs on the loop thread (the last one was quick).
  bool runs_inline() const { return quick_; }

 private:
  void Schedule();  // starts a sync once this loop iteration is over
  void Start();
  static void Work(uv_work_t* req);  // on either thread: syncs and times it
  static void AfterWork(uv_work_t* req, int status);

  uv_loop_t* loop_;
  Logbook* logbook_;
  DoneCallback done_;
  uv_work_t work_{};
  UvHandle<uv_idle_t> idle_;  // active only while a sync is scheduled
  const uint64_t inline_limit_ns_;
  Status result_;              // written by Work (maybe on the pool), read after it
  uint64_t last_sync_ns_ = 0;  // likewise
  bool quick_ = true;          // the last sync took at most inline_limit_ns_
  bool in_flight_ = false;
  bool scheduled_ = false;
  bool again_ = false;
  bool arrived_ = false;  // Request() came while scheduled, since the last poll
  int gathered_ = 0;      // polls waited for more writes before this sync
  uint64_t syncs_ = 0;
};

}  // namespace parley

// GroupCommitter: acknowledges logbook writes once they are durable.
//
// The Logbook only appends and syncs; this class applies a sync policy and
// runs the acknowledgement callbacks, so a write is acknowledged only once it
// is durable under that policy (invariant I2):
//   always  Write() appends, syncs, then calls `done`, all on the caller's thread.
//   batch   Write() appends and queues `done`; a background thread syncs every
//           `batch_interval` while writes are waiting (one fsync covers all of
//           them: group commit) and then calls their callbacks, in order,
//           on that thread.
//   none    Write() appends and calls `done` at once; a crash may lose it.
// The node core stays free of threads: the runtime (or a test) owns this.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "storage/delta.h"
#include "storage/logbook.h"
#include "storage/status.h"

namespace parley {

enum class SyncPolicy { kAlways, kBatch, kNone };
const char* SyncPolicyName(SyncPolicy policy);  // "always", "batch", "none"
// Parses "always", "batch" or "none".
Result<SyncPolicy> ParseSyncPolicy(std::string_view name);

class GroupCommitter {
 public:
  using Callback = std::function<void(Status)>;

  // `logbook` must outlive this object.
  GroupCommitter(Logbook* logbook, SyncPolicy policy,
                 std::chrono::microseconds batch_interval = std::chrono::milliseconds(2));
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  // Syncs what is pending, fires the remaining callbacks, stops the thread.
  ~GroupCommitter();

  // Appends `delta`; `done` runs once (with OK, or the error that made the
  // write fail or not become durable). Returns the record's sequence number,
  // or the append error (after `done` has been called with it).
  // Thread-safe.
  Result<uint64_t> Write(const Delta& delta, Callback done);

  // Blocks until every write made before the call is durable and its
  // callback has run. Returns the last sync error, if any.
  Status Flush();

  SyncPolicy policy() const { return policy_; }
  // Fsyncs issued so far (to see how many writes share one).
  uint64_t sync_count() const;

 private:
  struct Waiter {
    uint64_t sequence;
    Callback done;
  };
  void Run();

  Logbook* const logbook_;
  const SyncPolicy policy_;
  const std::chrono::microseconds batch_interval_;

  mutable std::mutex mu_;
  std::condition_variable work_;       // the thread waits for waiters
  std::condition_variable drained_;    // Flush() waits for acknowledgements
  std::deque<Waiter> waiters_;
  uint64_t queued_ = 0;        // writes queued so far
  uint64_t acknowledged_ = 0;  // of those, how many callbacks have run
  uint64_t sync_count_ = 0;
  Status last_error_;
  bool stopping_ = false;
  std::thread thread_;  // only for kBatch
};

}  // namespace parley

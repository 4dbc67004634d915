// GroupCommitter: sync policies and the group-commit thread.
#include "storage/group_commit.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace parley {

const char* SyncPolicyName(SyncPolicy policy) {
  switch (policy) {
    case SyncPolicy::kAlways: return "always";
    case SyncPolicy::kBatch: return "batch";
    case SyncPolicy::kNone: return "none";
  }
  return "unknown";
}

Result<SyncPolicy> ParseSyncPolicy(std::string_view name) {
  if (name == "always") return SyncPolicy::kAlways;
  if (name == "batch") return SyncPolicy::kBatch;
  if (name == "none") return SyncPolicy::kNone;
  return Status::InvalidArgument("unknown sync policy \"" + std::string(name) + "\" (want always, batch or none)");
}

GroupCommitter::GroupCommitter(Logbook* logbook, SyncPolicy policy, std::chrono::microseconds batch_interval)
    : logbook_(logbook), policy_(policy), batch_interval_(batch_interval) {
  if (policy_ == SyncPolicy::kBatch) thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<uint64_t> GroupCommitter::Write(const Delta& delta, Callback done) {
  if (policy_ != SyncPolicy::kBatch) {
    auto sequence = logbook_->Append(delta);
    Status s = sequence.status();
    if (s.ok() && policy_ == SyncPolicy::kAlways) {
      s = logbook_->Sync();
      std::lock_guard<std::mutex> lock(mu_);
      ++sync_count_;
      if (!s.ok()) last_error_ = s;
    }
    if (done) done(s);
    if (!s.ok()) return s;
    return sequence;
  }

  // Append outside mu_: encoding is the slow part, and holding mu_ through it
  // starves the sync thread of the lock it needs to hand out acks.
  auto sequence = logbook_->Append(delta);
  if (!sequence.ok()) {
    if (done) done(sequence.status());
    return sequence;
  }
  std::unique_lock<std::mutex> lock(mu_);
  const bool was_idle = waiters_.empty();
  waiters_.push_back({*sequence, std::move(done)});
  ++queued_;
  lock.unlock();
  if (was_idle) work_.notify_one();
  return sequence;
}

void GroupCommitter::Run() {
  auto last_sync = std::chrono::steady_clock::now() - batch_interval_;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_.wait(lock, [&] { return stopping_ || !waiters_.empty(); });
    if (waiters_.empty()) return;  // stopping with nothing left
    // Let writes gather for up to one interval since the last sync, so one
    // fsync serves many of them; never delay when stopping.
    auto next_sync = last_sync + batch_interval_;
    if (!stopping_) work_.wait_until(lock, next_sync, [&] { return stopping_; });
    lock.unlock();

    last_sync = std::chrono::steady_clock::now();
    Status s = logbook_->Sync();
    const uint64_t durable = logbook_->durable_sequence();

    lock.lock();
    ++sync_count_;
    std::vector<Waiter> ready;
    // Writers on several threads may queue slightly out of sequence order,
    // so pick every durable waiter, keeping each thread's order.
    auto first_ready = std::stable_partition(waiters_.begin(), waiters_.end(), [&](const Waiter& w) {
      return s.ok() && w.sequence > durable;  // after a failed sync, fail them all
    });
    if (!s.ok()) last_error_ = s;
    std::move(first_ready, waiters_.end(), std::back_inserter(ready));
    waiters_.erase(first_ready, waiters_.end());
    lock.unlock();
    for (Waiter& waiter : ready) {
      if (waiter.done) waiter.done(s);
    }
    lock.lock();
    acknowledged_ += ready.size();
    drained_.notify_all();
  }
}

Status GroupCommitter::Flush() {
  if (policy_ != SyncPolicy::kBatch) {
    Status s = logbook_->Sync();
    std::lock_guard<std::mutex> lock(mu_);
    ++sync_count_;
    if (!s.ok()) last_error_ = s;
    return s;
  }
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = queued_;
  drained_.wait(lock, [&] { return acknowledged_ >= target; });
  return last_error_;
}

uint64_t GroupCommitter::sync_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sync_count_;
}

}  // namespace parley

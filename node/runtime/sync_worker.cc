// SyncWorker: logbook syncs on the loop thread, or on libuv's pool when slow.
#include "node/runtime/sync_worker.h"

namespace parley {

SyncWorker::SyncWorker(uv_loop_t* loop, Logbook* logbook, DoneCallback done, uint64_t inline_limit_ns)
    : loop_(loop), logbook_(logbook), done_(std::move(done)), inline_limit_ns_(inline_limit_ns) {
  if (idle_.Init(uv_idle_init, loop_) == 0) idle_.get()->data = this;
}

void SyncWorker::Request() {
  if (in_flight_) {
    again_ = true;
    return;
  }
  if (scheduled_) arrived_ = true;
  Schedule();
}

void SyncWorker::Close() {
  if (scheduled_) {
    uv_idle_stop(idle_.get());
    scheduled_ = false;
    Start();
  }
  idle_.Close();
}

void SyncWorker::Schedule() {
  if (scheduled_) return;
  if (!idle_.initialized()) {  // cannot happen with a valid loop
    Start();
    return;
  }
  scheduled_ = true;
  arrived_ = false;
  gathered_ = 0;
  uv_idle_start(idle_.get(), [](uv_idle_t* h) {
    auto* self = static_cast<SyncWorker*>(h->data);
    // While the idle handle stays active, the next poll does not block, so
    // waiting one more iteration costs one epoll_wait, not a delay.
    if (self->arrived_ && self->gathered_ < kMaxGatherPolls && self->runs_inline()) {
      self->arrived_ = false;
      ++self->gathered_;
      return;
    }
    uv_idle_stop(h);
    self->scheduled_ = false;
    self->Start();
  });
}

void SyncWorker::Start() {
  in_flight_ = true;
  again_ = false;
  work_.data = this;
  // uv_queue_work cannot fail with a valid loop; if it did, syncing here
  // beats never acknowledging.
  const bool on_loop = runs_inline();
  if (on_loop || uv_queue_work(loop_, &work_, Work, AfterWork) != 0) {
    Work(&work_);
    AfterWork(&work_, 0);
  }
}

void SyncWorker::Work(uv_work_t* req) {
  auto* self = static_cast<SyncWorker*>(req->data);
  uint64_t start = uv_hrtime();  // thread-safe, unlike uv_now
  self->result_ = self->logbook_->Sync();
  self->last_sync_ns_ = uv_hrtime() - start;
}

void SyncWorker::AfterWork(uv_work_t* req, int status) {
  auto* self = static_cast<SyncWorker*>(req->data);
  self->in_flight_ = false;
  ++self->syncs_;
  self->quick_ = self->last_sync_ns_ <= self->inline_limit_ns_;
  Status result = status == UV_ECANCELED ? Status::Unavailable("sync cancelled") : self->result_;
  self->done_(self->logbook_->durable_sequence(), result);
  if (self->again_) {
    self->again_ = false;
    self->Schedule();
  }
}

}  // namespace parley

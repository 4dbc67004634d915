// SyncWorker: logbook syncs on libuv's thread pool.
#include "node/runtime/sync_worker.h"

namespace parley {

SyncWorker::SyncWorker(uv_loop_t* loop, Logbook* logbook, DoneCallback done)
    : loop_(loop), logbook_(logbook), done_(std::move(done)) {
  if (idle_.Init(uv_idle_init, loop_) == 0) idle_.get()->data = this;
}

void SyncWorker::Request() {
  if (in_flight_) {
    again_ = true;
    return;
  }
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
  uv_idle_start(idle_.get(), [](uv_idle_t* h) {
    auto* self = static_cast<SyncWorker*>(h->data);
    uv_idle_stop(h);
    self->scheduled_ = false;
    self->Start();
  });
}

void SyncWorker::Start() {
  in_flight_ = true;
  again_ = false;
  work_.data = this;
  int rc = uv_queue_work(loop_, &work_, Work, AfterWork);
  if (rc != 0) {
    // Cannot happen with a valid loop; sync inline rather than never acking.
    in_flight_ = false;
    Status s = logbook_->Sync();
    done_(logbook_->durable_sequence(), s);
  }
}

void SyncWorker::Work(uv_work_t* req) {
  auto* self = static_cast<SyncWorker*>(req->data);
  self->result_ = self->logbook_->Sync();
}

void SyncWorker::AfterWork(uv_work_t* req, int status) {
  auto* self = static_cast<SyncWorker*>(req->data);
  self->in_flight_ = false;
  ++self->syncs_;
  Status result = status == UV_ECANCELED ? Status::Unavailable("sync cancelled") : self->result_;
  self->done_(self->logbook_->durable_sequence(), result);
  if (self->again_) {
    self->again_ = false;
    self->Schedule();
  }
}

}  // namespace parley

// SyncWorker: logbook syncs on libuv's thread pool.
#include "node/runtime/sync_worker.h"

namespace parley {

void SyncWorker::Request() {
  if (in_flight_) {
    again_ = true;
    return;
  }
  Start();
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
  if (self->again_) self->Start();
}

}  // namespace parley

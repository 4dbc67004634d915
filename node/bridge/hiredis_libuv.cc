// hiredis_libuv: hiredis's event hooks implemented with one uv_poll_t.
#include "node/bridge/hiredis_libuv.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace parley {
namespace {

struct Events {
  redisAsyncContext* context = nullptr;  // null once hiredis cleaned up
  uv_poll_t handle{};
  int events = 0;
};

void OnPoll(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<Events*>(handle->data);
  // On an error, let hiredis find it out from the socket.
  int ready = status != 0 ? p->events : events;
  if (p->context != nullptr && (ready & UV_READABLE)) redisAsyncHandleRead(p->context);
  if (p->context != nullptr && (ready & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

void Update(Events* p, int add, int remove) {
  p->events = (p->events | add) & ~remove;
  if (p->events != 0) {
    uv_poll_start(&p->handle, p->events, OnPoll);
  } else {
    uv_poll_stop(&p->handle);
  }
}

void AddRead(void* privdata) { Update(static_cast<Events*>(privdata), UV_READABLE, 0); }
void DelRead(void* privdata) { Update(static_cast<Events*>(privdata), 0, UV_READABLE); }
void AddWrite(void* privdata) { Update(static_cast<Events*>(privdata), UV_WRITABLE, 0); }
void DelWrite(void* privdata) { Update(static_cast<Events*>(privdata), 0, UV_WRITABLE); }

void Cleanup(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->context = nullptr;  // a poll callback already running must not touch it
  uv_close(reinterpret_cast<uv_handle_t*>(&p->handle),
           [](uv_handle_t* h) { delete static_cast<Events*>(h->data); });
}

}  // namespace

int AttachHiredisToLibuv(redisAsyncContext* context, uv_loop_t* loop) {
  if (context->ev.data != nullptr) return REDIS_ERR;
  auto* p = new Events;
  if (uv_poll_init(loop, &p->handle, context->c.fd) != 0) {
    delete p;
    return REDIS_ERR;
  }
  p->handle.data = p;
  p->context = context;
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  context->ev.cleanup = Cleanup;
  context->ev.data = p;
  return REDIS_OK;
}

}  // namespace parley

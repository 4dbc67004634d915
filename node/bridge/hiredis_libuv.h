// hiredis_libuv: attaches a hiredis async context to a libuv loop.
//
// Replaces <hiredis/adapters/libuv.h> of hiredis 0.14, whose poll callback
// ignores a non-zero status: a refused connection (POLLERR) then never
// reaches hiredis, and the connect hangs forever instead of failing and
// being retried. Here an error status is handled like the events we were
// waiting for, so hiredis looks at the socket and reports the failure (the
// fix later made upstream).
#pragma once

#include <uv.h>

struct redisAsyncContext;

namespace parley {

// REDIS_OK or REDIS_ERR. The poll handle is freed by hiredis's cleanup hook
// (uv_close, memory released in the close callback).
int AttachHiredisToLibuv(redisAsyncContext* context, uv_loop_t* loop);

}  // namespace parley

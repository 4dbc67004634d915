// RedisConnection: hiredis async on libuv, with reconnection and a watchdog.
#include "node/bridge/redis_connection.h"

#include "node/bridge/hiredis_libuv.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <utility>

namespace parley {
namespace {

RedisReply CopyReply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(CopyReply(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

// hiredis takes argv as parallel C arrays.
struct Argv {
  explicit Argv(const std::vector<std::string>& args) {
    for (const std::string& a : args) {
      pointers.push_back(a.data());
      lengths.push_back(a.size());
    }
  }
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
};

}  // namespace

RedisConnection::RedisConnection(uv_loop_t* loop, RedisConnectionOptions options)
    : loop_(loop), options_(std::move(options)), backoff_(options_.backoff_min_ms, options_.backoff_max_ms) {
  retry_timer_.Init(uv_timer_init, loop_);
  retry_timer_.get()->data = this;
  watchdog_.Init(uv_timer_init, loop_);
  watchdog_.get()->data = this;
}

RedisConnection::~RedisConnection() { Close(); }

void RedisConnection::Log(bool error, const std::string& line) {
  if (on_log_) on_log_(error, options_.name + ": " + line);
}

void RedisConnection::Start() {
  if (started_ || closed_) return;
  started_ = true;
  if (options_.reply_timeout_ms > 0) ArmWatchdog();
  Connect();
}

void RedisConnection::Connect() {
  if (closed_ || context_ != nullptr) return;
  redisAsyncContext* ac = redisAsyncConnect(options_.host.c_str(), options_.port);
  if (ac == nullptr) {
    Lost(Status::IoError("cannot allocate a hiredis context"));
    return;
  }
  if (ac->err != 0) {
    Status why = Status::IoError(std::string("connect: ") + ac->errstr);
    redisAsyncFree(ac);  // never attached: ours to free
    Lost(why);
    return;
  }
  ac->data = this;
  if (AttachHiredisToLibuv(ac, loop_) != REDIS_OK) {
    ac->data = nullptr;
    redisAsyncFree(ac);
    Lost(Status::IoError("cannot attach hiredis to the libuv loop"));
    return;
  }
  context_ = ac;
  connect_started_ms_ = uv_now(loop_);
  redisAsyncSetConnectCallback(ac, &RedisConnection::OnConnected);
  redisAsyncSetDisconnectCallback(ac, &RedisConnection::OnDisconnected);
}

void RedisConnection::OnConnected(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context right after this callback.
    self->context_ = nullptr;
    self->Lost(Status::Unavailable(std::string("cannot connect to ") + self->options_.host + ":" +
                                   std::to_string(self->options_.port) + ": " + ac->errstr));
    return;
  }
  self->ready_ = true;
  self->backoff_.Reset();
  if (self->ever_connected_) ++self->reconnects_;
  self->ever_connected_ = true;
  self->Log(false, "connected to " + self->options_.host + ":" + std::to_string(self->options_.port));
  if (self->on_ready_) self->on_ready_();
}

void RedisConnection::OnDisconnected(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;
  // hiredis frees the context (and already failed its pending commands).
  self->context_ = nullptr;
  self->Lost(status == REDIS_OK ? Status::Unavailable("connection dropped")
                                : Status::Unavailable(std::string("connection lost: ") + ac->errstr));
}

void RedisConnection::Lost(const Status& why) {
  bool was_ready = ready_;
  ready_ = false;
  pending_ = 0;
  subscriptions_.clear();
  if (closed_) return;
  if (was_ready || !ever_connected_) Log(true, why.message() + "; retrying with backoff");
  if (was_ready && on_lost_) on_lost_(why);
  ScheduleReconnect();
}

void RedisConnection::ScheduleReconnect() {
  if (closed_ || !retry_timer_.initialized()) return;
  uv_timer_start(
      retry_timer_.get(),
      [](uv_timer_t* t) {
        if (t->data != nullptr) static_cast<RedisConnection*>(t->data)->Connect();
      },
      backoff_.Next(), 0);
}

void RedisConnection::ArmWatchdog() {
  uint64_t period = std::max<uint64_t>(options_.reply_timeout_ms / 4, 10);
  uv_timer_start(
      watchdog_.get(),
      [](uv_timer_t* t) {
        auto* self = static_cast<RedisConnection*>(t->data);
        if (self == nullptr || self->context_ == nullptr) return;
        uint64_t now = uv_now(self->loop_);
        if (!self->ready_) {
          // A connect to a black-holed address waits for the kernel's
          // timeout (minutes) unless we give up earlier.
          if (now - self->connect_started_ms_ > self->options_.reply_timeout_ms) self->Drop("connect timed out");
          return;
        }
        if (self->pending_ > 0 && now - self->last_progress_ms_ > self->options_.reply_timeout_ms) {
          self->Drop("no reply for " + std::to_string(self->options_.reply_timeout_ms) + " ms");
        }
      },
      period, period);
}

void RedisConnection::Drop(const std::string& why) {
  if (context_ == nullptr) return;
  Log(true, "dropping the connection: " + why);
  // Freeing fails the pending commands and calls OnDisconnected, which
  // forgets the context and schedules the reconnection.
  redisAsyncContext* ac = context_;
  if (!ready_) {
    // Still connecting: no disconnect callback will come.
    ac->data = nullptr;
    context_ = nullptr;
    redisAsyncFree(ac);
    Lost(Status::TimedOut(why));
    return;
  }
  redisAsyncFree(ac);
}

Status RedisConnection::Command(const std::vector<std::string>& args, ReplyCallback done) {
  if (!ready_ || context_ == nullptr) return Status::Unavailable(options_.name + " is not connected");
  Argv argv(args);
  auto* cb = new ReplyCallback(std::move(done));
  int rc = redisAsyncCommandArgv(context_, &RedisConnection::OnReply, cb, static_cast<int>(args.size()),
                                 argv.pointers.data(), argv.lengths.data());
  if (rc != REDIS_OK) {
    delete cb;
    return Status::Unavailable(options_.name + " refused the command (disconnecting)");
  }
  if (pending_++ == 0) last_progress_ms_ = uv_now(loop_);
  return Status::Ok();
}

Status RedisConnection::Subscribe(const std::vector<std::string>& args, ReplyCallback on_message) {
  if (!ready_ || context_ == nullptr) return Status::Unavailable(options_.name + " is not connected");
  Argv argv(args);
  subscriptions_.push_back(std::make_unique<ReplyCallback>(std::move(on_message)));
  int rc = redisAsyncCommandArgv(context_, &RedisConnection::OnPush, subscriptions_.back().get(),
                                 static_cast<int>(args.size()), argv.pointers.data(), argv.lengths.data());
  if (rc != REDIS_OK) {
    subscriptions_.pop_back();
    return Status::Unavailable(options_.name + " refused the subscription");
  }
  return Status::Ok();
}

void RedisConnection::OnReply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<ReplyCallback> done(static_cast<ReplyCallback*>(privdata));
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;  // closing: nobody to tell
  if (reply == nullptr) {
    (*done)(nullptr);
    return;
  }
  if (self->pending_ > 0) --self->pending_;
  self->last_progress_ms_ = uv_now(self->loop_);
  RedisReply copy = CopyReply(static_cast<redisReply*>(reply));
  (*done)(&copy);
}

void RedisConnection::OnPush(redisAsyncContext* ac, void* reply, void* privdata) {
  // The callback belongs to subscriptions_, which is gone once `data` is cleared.
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;
  auto* on_message = static_cast<ReplyCallback*>(privdata);
  if (reply == nullptr) {
    (*on_message)(nullptr);
    return;
  }
  RedisReply copy = CopyReply(static_cast<redisReply*>(reply));
  (*on_message)(&copy);
}

void RedisConnection::Close() {
  if (closed_) return;
  closed_ = true;
  ready_ = false;
  retry_timer_.Close();
  watchdog_.Close();
  if (context_ != nullptr) {
    redisAsyncContext* ac = std::exchange(context_, nullptr);
    ac->data = nullptr;  // trampolines stay silent from here on
    redisAsyncFree(ac);  // deferred by hiredis if we are inside one of its callbacks
  }
  subscriptions_.clear();
}

}  // namespace parley

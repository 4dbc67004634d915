// RedisConnection: one hiredis async connection on a libuv loop that keeps
// itself connected.
//
// It connects, and whenever the connection fails or drops it tells its owner
// (on_lost) and tries again after an exponential backoff, forever, until
// Close(). Commands are accepted only while ready(); their callback gets the
// reply, or nullptr if the connection was lost first (the command may or may
// not have run). A connection whose oldest command waits longer than the
// reply timeout is dropped: hiredis 0.14 has no timeouts, and a Redis behind
// a dead network path would otherwise hang the bridge silently.
//
// Ownership: hiredis frees its context itself after a failed connect or a
// disconnect, so this class forgets the context in those callbacks and only
// frees it in Close(). Callbacks never run after Close() or destruction:
// the context's `data` is cleared first, and the trampolines check it.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "node/bridge/backoff.h"
#include "node/bridge/redis_reply.h"
#include "node/runtime/uv_handle.h"
#include "storage/status.h"

struct redisAsyncContext;

namespace parley {

struct RedisConnectionOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string name = "redis";  // in log lines: "redis (relay reader)"
  uint64_t backoff_min_ms = 100;
  uint64_t backoff_max_ms = 5000;
  uint64_t reply_timeout_ms = 15000;  // 0: never
};

class RedisConnection {
 public:
  using ReplyCallback = std::function<void(const RedisReply* reply)>;  // nullptr: connection lost
  using ReadyCallback = std::function<void()>;
  using LostCallback = std::function<void(const Status& why)>;
  using LogCallback = std::function<void(bool error, const std::string& line)>;

  RedisConnection(uv_loop_t* loop, RedisConnectionOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Set before Start().
  void OnReady(ReadyCallback cb) { on_ready_ = std::move(cb); }
  void OnLost(LostCallback cb) { on_lost_ = std::move(cb); }
  void OnLog(LogCallback cb) { on_log_ = std::move(cb); }

  void Start();
  // Frees the connection now; no callback runs afterwards. Idempotent.
  void Close();

  bool ready() const { return ready_; }
  // Successful connections after the first.
  uint64_t reconnects() const { return reconnects_; }
  uint64_t pending() const { return pending_; }

  // Sends one command (binary-safe arguments). Unavailable when not ready.
  Status Command(const std::vector<std::string>& args, ReplyCallback done);
  // SUBSCRIBE/PSUBSCRIBE: `on_message` gets the confirmation and then every
  // message, until the connection is lost (once more with nullptr).
  Status Subscribe(const std::vector<std::string>& args, ReplyCallback on_message);

  // Drops the connection as if the network failed (tests, reply timeouts).
  void Drop(const std::string& why);

 private:
  static void OnConnected(const redisAsyncContext* ac, int status);
  static void OnDisconnected(const redisAsyncContext* ac, int status);
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void OnPush(redisAsyncContext* ac, void* reply, void* privdata);

  void Connect();
  void Lost(const Status& why);
  void ScheduleReconnect();
  void ArmWatchdog();
  void Log(bool error, const std::string& line);

  uv_loop_t* loop_;
  RedisConnectionOptions options_;
  Backoff backoff_;
  ReadyCallback on_ready_;
  LostCallback on_lost_;
  LogCallback on_log_;

  redisAsyncContext* context_ = nullptr;  // null while disconnected
  bool ready_ = false;
  bool closed_ = false;
  bool started_ = false;
  bool ever_connected_ = false;
  uint64_t reconnects_ = 0;
  uint64_t pending_ = 0;          // commands sent and not answered
  uint64_t connect_started_ms_ = 0;
  uint64_t last_progress_ms_ = 0;  // uv_now of the last reply (or send into an idle connection)
  // Subscription callbacks live as long as the context they were given to.
  std::vector<std::unique_ptr<ReplyCallback>> subscriptions_;

  UvHandle<uv_timer_t> retry_timer_;
  UvHandle<uv_timer_t> watchdog_;
};

}  // namespace parley

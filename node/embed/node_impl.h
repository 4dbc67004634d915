// Node::Impl: the state behind a public Node — the runtime, the thread that
// runs its loop (unless the program's loop does), and the reader lock.
//
// Why a reader lock and not Post()-and-wait for reads: a read through the
// loop costs a cross-thread wake-up each way (tens of microseconds, more
// under load), while DESIGN.md promises microsecond reads. The runtime takes
// `map_lock` exclusively only around core calls that may change the map
// (RuntimeOptions::map_lock, writer-preferring so busy readers cannot
// starve it) and never while running callbacks, so a reader
// in any thread — the loop thread included — takes it shared and reads the
// core's map directly. Everything else (writes, watches, membership, status)
// is handed to the loop thread, which owns the runtime.
//
// Closing: `closed` and `map` change only under the exclusive lock, and every
// call that touches the runtime from outside the loop checks `closed` under
// the shared lock, so the runtime is destroyed only when no other thread is
// inside it.
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>

#include "node/runtime/node_runtime.h"
#include "parley/node.h"

namespace parley::embed {

struct Node::Impl {
  std::string name;
  std::string gossip_address;
  parley::Limits limits;

  mutable parley::MapLock map_lock;
  const parley::CrdtMap* map = nullptr;  // null once closed (under map_lock)
  bool closed = false;                    // under map_lock

  std::unique_ptr<parley::NodeRuntime> runtime;
  // runtime.get(), kept after Close() resets `runtime` so that building a
  // task never races with it; tasks only run while the node is open.
  parley::NodeRuntime* task_runtime = nullptr;
  std::thread loop_thread;  // Open(); not with OpenOnLoop
  bool external_loop = false;
  std::atomic<std::thread::id> loop_thread_id;
  std::mutex close_mu;  // one Close() at a time

  bool OnLoopThread() const { return std::this_thread::get_id() == loop_thread_id.load(); }
  Status ClosedError() const;

  // Runs `fn` on the loop thread (directly if already there) and waits for
  // its result. kUnavailable if the node closes first.
  template <typename T>
  Result<T> RunOnLoop(std::function<Result<T>()> fn) const;
  // Runs `read(map)` in this thread under the shared lock.
  template <typename T, typename Read>
  Result<T> ReadMap(Read read) const {
    std::shared_lock lock(map_lock);
    if (map == nullptr) return ClosedError();
    return read(*map);
  }
  // Hands `fn` to the loop thread; false if the node is closed.
  bool Post(std::function<void()> fn) const;
};

template <typename T>
Result<T> Node::Impl::RunOnLoop(std::function<Result<T>()> fn) const {
  if (OnLoopThread()) {
    std::shared_lock lock(map_lock);
    if (closed) return ClosedError();
    lock.unlock();
    return fn();
  }
  // Shared, so that a posted task dropped by a closing runtime breaks the
  // promise (and the waiter learns it) instead of leaving it hanging.
  auto promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future = promise->get_future();
  if (!Post([promise, fn = std::move(fn)] { promise->set_value(fn()); })) return ClosedError();
  promise.reset();
  future.wait();
  // A broken promise would throw from get(); valid() alone does not tell.
  try {
    return future.get();
  } catch (const std::future_error&) {
    return ClosedError();
  }
}

}  // namespace parley::embed

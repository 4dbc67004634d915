// UvHandle<T>: a move-only owner of one libuv handle.
//
// libuv forbids freeing a handle's memory until its close callback has run,
// so the owner never deletes the handle itself: destroying (or Close()-ing)
// the owner calls uv_close, and the close callback frees the memory. The
// handle may therefore outlive its owner by one loop iteration; the owner
// must make sure no callback of the handle touches it afterwards (uv_close
// guarantees that for the handle's own callbacks, except write/send request
// callbacks, which carry their own state).
//
// A handle whose init function failed was never registered with the loop and
// is deleted directly.
#pragma once

#include <uv.h>

#include <utility>

namespace parley {

template <typename T>
class UvHandle {
 public:
  UvHandle() : handle_(new T{}) {}
  ~UvHandle() { Close(); }

  UvHandle(UvHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), initialized_(other.initialized_) {}
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      Close();
      handle_ = std::exchange(other.handle_, nullptr);
      initialized_ = other.initialized_;
    }
    return *this;
  }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  // Runs `init(loop, handle, args...)` (uv_timer_init, uv_udp_init, ...).
  // Returns libuv's error code; on failure the handle stays unregistered.
  template <typename InitFn, typename... Args>
  int Init(InitFn init, uv_loop_t* loop, Args&&... args) {
    int rc = init(loop, handle_, std::forward<Args>(args)...);
    initialized_ = (rc == 0);
    return rc;
  }

  T* get() const { return handle_; }
  uv_handle_t* base() const { return reinterpret_cast<uv_handle_t*>(handle_); }
  uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(handle_); }
  bool initialized() const { return handle_ != nullptr && initialized_; }

  // Starts closing; the memory is freed in the close callback.
  void Close() {
    if (handle_ == nullptr) return;
    T* h = std::exchange(handle_, nullptr);
    if (!initialized_) {
      delete h;
      return;
    }
    uv_handle_t* base = reinterpret_cast<uv_handle_t*>(h);
    base->data = nullptr;
    if (uv_is_closing(base)) return;  // someone else closed it; their callback frees it
    uv_close(base, [](uv_handle_t* closed) { delete reinterpret_cast<T*>(closed); });
  }

 private:
  T* handle_;
  bool initialized_ = false;
};

}  // namespace parley

// Node: opening and closing an embedded node, on its own thread or on the
// program's libuv loop.
#include "parley/node.h"

#include <uv.h>

#include "node/embed/node_impl.h"
#include "node/embed/options_conversion.h"
#include "node/embed/status_conversion.h"
#include "node/runtime/net_address.h"

namespace parley::embed {

Status Node::Impl::ClosedError() const {
  return Status::Error(Status::Code::kUnavailable, "node '" + name + "' is closed");
}

bool Node::Impl::Post(std::function<void()> fn) const {
  std::shared_lock lock(map_lock);
  if (closed) return false;
  return runtime->Post(std::move(fn));
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() {
  if (!impl_) return;
  if (Status s = Close(); !s.ok()) {
    // Only a destructor running on the node's own loop thread (from one of
    // its callbacks) gets here: joining would wait forever, so the runtime
    // is left running detached rather than crashing the program.
    impl_->runtime->logger()->error("node destroyed from its own callback; leaking it: {}", s.ToString());
    impl_->loop_thread.detach();
    (void)impl_.release();
  }
}

Result<std::unique_ptr<Node>> Node::Open(const Options& options) { return OpenOnLoop(options, nullptr); }

Result<std::unique_ptr<Node>> Node::OpenOnLoop(const Options& options, uv_loop_s* loop) {
  parley::Result<parley::RuntimeOptions> runtime_options = ToRuntimeOptions(options);
  if (!runtime_options.ok()) return ToPublic(runtime_options.status());
  auto impl = std::make_unique<Impl>();
  impl->name = options.name;
  impl->limits = runtime_options->config.limits;
  impl->external_loop = loop != nullptr;
  runtime_options->loop = loop;
  runtime_options->map_lock = &impl->map_lock;

  parley::Result<std::unique_ptr<parley::NodeRuntime>> runtime = parley::NodeRuntime::Create(*runtime_options);
  // With port 0 the kernel picks a free UDP port and TCP must take the same
  // number, which another process may hold: pick again a few times.
  for (int retry = 0; retry < 8 && runtime_options->bind.port == 0 && !runtime.ok() &&
                      runtime.status().message().find("address already in use") != std::string::npos;
       ++retry) {
    runtime = parley::NodeRuntime::Create(*runtime_options);
  }
  if (!runtime.ok()) return ToPublic(runtime.status());
  impl->runtime = std::move(runtime).value();
  impl->task_runtime = impl->runtime.get();
  // Until the loop runs, the opening thread is the one allowed to touch the
  // runtime (Start() below; with the program's loop, everything).
  impl->loop_thread_id = std::this_thread::get_id();
  if (parley::Status s = impl->runtime->Start(); !s.ok()) return ToPublic(s);
  impl->map = &impl->runtime->core().map();
  impl->gossip_address = parley::FormatAddress(impl->runtime->bound_address());

  if (!impl->external_loop) {
    // Until the thread records itself, other threads post (correct anyway).
    impl->loop_thread_id = std::thread::id();
    Impl* raw = impl.get();
    impl->loop_thread = std::thread([raw] {
      raw->loop_thread_id = std::this_thread::get_id();
      raw->runtime->Run();
    });
  }
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Status Node::Close() {
  Impl& impl = *impl_;
  if (impl.OnLoopThread() && !impl.external_loop) {
    return Status::Error(Status::Code::kInvalidArgument,
                         "Close() was called from a callback of node '" + impl.name +
                             "', which runs on the node's thread and cannot wait for it; close from another thread");
  }
  std::lock_guard close_lock(impl.close_mu);
  {
    std::shared_lock lock(impl.map_lock);
    if (impl.closed) return Status::Ok();
  }
  if (impl.external_loop) {
    // The program's loop: announce the leave, then drive the loop here
    // through the grace period (other handles on it may run meanwhile).
    impl.runtime->LeaveAndStop();
    while (!impl.runtime->stopping()) uv_run(impl.runtime->loop(), UV_RUN_ONCE);
  } else {
    // If the loop already stopped, Post() fails and the thread has ended.
    parley::NodeRuntime* runtime = impl.runtime.get();
    impl.runtime->Post([runtime] { runtime->LeaveAndStop(); });
    impl.loop_thread.join();
  }
  {
    std::unique_lock lock(impl.map_lock);
    impl.closed = true;
    impl.map = nullptr;
  }
  // Posted tasks that never ran are dropped here: their waiters wake up with
  // kUnavailable, and their write callbacks run with it (see node_writes.cc).
  impl.runtime.reset();
  return Status::Ok();
}

bool Node::closed() const {
  std::shared_lock lock(impl_->map_lock);
  return impl_->closed;
}

std::string Node::gossip_address() const { return impl_->gossip_address; }

}  // namespace parley::embed

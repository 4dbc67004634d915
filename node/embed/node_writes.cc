// Node writes and watches: checked in the calling thread (so a bad write
// fails fast with a message naming the key), then handed to the loop.
#include <string>

#include "node/embed/batch_rep.h"
#include "node/embed/node_impl.h"
#include "node/embed/options_conversion.h"
#include "node/embed/status_conversion.h"

namespace parley::embed {
namespace {

Status Invalid(const std::string& message) { return Status::Error(Status::Code::kInvalidArgument, message); }

// The core checks these too; checking here avoids copying an oversized
// value to the loop and gives the key in the message.
Status CheckBatch(const std::vector<parley::Op>& ops, const parley::Limits& limits) {
  if (ops.empty()) return Invalid("empty batch: nothing to write");
  for (const parley::Op& op : ops) {
    if (op.key.empty()) return Invalid("empty key");
    if (op.key.size() > limits.max_key_bytes) {
      return Invalid("key '" + op.key.substr(0, 32) + "...' is " + std::to_string(op.key.size()) +
                     " bytes; the limit is " + std::to_string(limits.max_key_bytes));
    }
    if (op.member.size() > limits.max_key_bytes) {
      return Invalid("member or field of key '" + op.key + "' is " + std::to_string(op.member.size()) +
                     " bytes; the limit is " + std::to_string(limits.max_key_bytes));
    }
    if (op.value.size() > limits.max_value_bytes) {
      return Invalid("value of key '" + op.key + "' is " + std::to_string(op.value.size()) +
                     " bytes; the limit is " + std::to_string(limits.max_value_bytes));
    }
  }
  return Status::Ok();
}

// Calls the write's callback exactly once: with the result, or — if the
// node closes before the loop takes the write — with kUnavailable when the
// dropped task is destroyed.
class PendingWrite {
 public:
  PendingWrite(Status if_dropped, Node::WriteCallback done)
      : if_dropped_(std::move(if_dropped)), done_(std::move(done)) {}
  ~PendingWrite() {
    if (done_) done_(if_dropped_);
  }
  Node::WriteCallback Take() { return std::exchange(done_, nullptr); }

 private:
  Status if_dropped_;
  Node::WriteCallback done_;
};

}  // namespace

void Node::WriteAsync(const Batch& batch, Durability durability, WriteCallback done) {
  if (!done) done = [](const Status&) {};
  parley::Result<parley::Durability> internal = ToInternal(durability);
  if (!internal.ok()) return done(ToPublic(internal.status()));
  if (Status s = CheckBatch(batch.rep_->ops, impl_->limits); !s.ok()) return done(s);

  auto pending = std::make_shared<PendingWrite>(impl_->ClosedError(), std::move(done));
  parley::NodeRuntime* runtime = impl_->task_runtime;
  auto task = [runtime, pending, ops = batch.rep_->ops, d = *internal]() mutable {
    runtime->Write(std::move(ops), d, [done = pending->Take()](const parley::Status& s) { done(ToPublic(s)); });
  };
  if (impl_->OnLoopThread()) {
    std::shared_lock lock(impl_->map_lock);
    bool closed = impl_->closed;
    lock.unlock();
    if (!closed) task();
    return;  // if closed, `pending` reports it when released
  }
  impl_->Post(std::move(task));  // if refused, the dropped task reports it
}

std::future<Status> Node::WriteFuture(const Batch& batch, Durability durability) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> future = promise->get_future();
  WriteAsync(batch, durability, [promise](const Status& s) { promise->set_value(s); });
  return future;
}

Status Node::Write(const Batch& batch, Durability durability) {
  if (impl_->OnLoopThread()) {
    return Invalid("a blocking write from a callback of node '" + impl_->name +
                   "' would wait for its own thread; use WriteAsync there");
  }
  return WriteFuture(batch, durability).get();
}

Status Node::Set(std::string_view key, std::string_view value, Durability durability) {
  return Write(Batch().Set(key, value), durability);
}
Status Node::Del(std::string_view key, Durability durability) { return Write(Batch().Del(key), durability); }
Status Node::Incr(std::string_view key, int64_t amount, Durability durability) {
  return Write(Batch().Incr(key, amount), durability);
}
Status Node::SAdd(std::string_view key, std::string_view member, Durability durability) {
  return Write(Batch().SAdd(key, member), durability);
}
Status Node::SRem(std::string_view key, std::string_view member, Durability durability) {
  return Write(Batch().SRem(key, member), durability);
}
Status Node::HSet(std::string_view key, std::string_view field, std::string_view value, Durability durability) {
  return Write(Batch().HSet(key, field, value), durability);
}
Status Node::HDel(std::string_view key, std::string_view field, Durability durability) {
  return Write(Batch().HDel(key, field), durability);
}

Result<uint64_t> Node::Watch(std::string_view prefix, WatchCallback on_change) {
  if (!on_change) return Invalid("Watch needs a callback");
  parley::NodeRuntime* runtime = impl_->task_runtime;
  return impl_->RunOnLoop<uint64_t>([runtime, prefix = std::string(prefix), on_change]() -> Result<uint64_t> {
    return runtime->Watch(prefix, on_change);
  });
}

Status Node::Unwatch(uint64_t watch) {
  parley::NodeRuntime* runtime = impl_->task_runtime;
  return impl_->RunOnLoop<bool>([runtime, watch]() -> Result<bool> {
           runtime->Unwatch(watch);
           return true;
         })
      .status();
}

}  // namespace parley::embed

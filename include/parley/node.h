// parley/node.h: one embedded parley node — a member of a gossip cluster
// holding the whole shared map in this process.
//
//   parley::embed::Options options;
//   options.name = "sensor-1";
//   options.in_memory = true;
//   options.seeds = {"10.0.0.2:7946"};
//   auto node = parley::embed::Node::Open(options);
//   if (!node.ok()) { /* node.status().ToString() says why */ }
//   (*node)->Set("temperature", "21.5");
//   parley::embed::Result<std::string> t = (*node)->Get("temperature");
//
// Threads. Open() starts the node on a thread of its own, or on a libuv
// loop the program runs (OpenOnLoop). Every method may be called from any
// thread. Reads are served in the calling thread under a reader lock that
// the node's loop takes only while it changes the map, so they cost
// microseconds and always see a consistent state (every write of a batch or
// none). Writes, watches and status are handed to the loop thread.
//
// Callbacks (write completions, watches) run on the loop thread. They may
// read and write asynchronously, but must not call a blocking write,
// Watch/Unwatch-and-wait methods or Close(): those would wait for the very
// thread they run on, and return kInvalidArgument instead.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/batch.h"
#include "parley/options.h"
#include "parley/status.h"

struct uv_loop_s;  // libuv's uv_loop_t, for OpenOnLoop

namespace parley::embed {

enum class ValueType { kNone, kRegister, kCounter, kSet, kHash };

struct MemberInfo {
  std::string name;
  std::string address;  // gossip "host:port"
  std::string state;    // "alive", "suspect", "dead" or "left"
  uint64_t incarnation = 0;
};

struct NodeStatus {
  std::string name;
  std::string gossip_address;  // as advertised to peers
  uint64_t replica = 0;        // this node's replica id
  std::string digest;          // of the whole map: equal on converged nodes
  uint64_t keys = 0;
  uint64_t alive_members = 0;  // this node included
};

class Node {
 public:
  using WriteCallback = std::function<void(const Status& status)>;
  using WatchCallback = std::function<void(const std::string& key)>;

  // Opens the data directory (or an in-memory map), binds the gossip
  // address, joins through the seeds and runs on a thread of its own.
  static Result<std::unique_ptr<Node>> Open(const Options& options);
  // The same on a libuv loop the program runs. Call it from the thread that
  // runs `loop`, or before the loop runs; `loop` must outlive the node.
  // Close() and the destructor must then run on that thread too.
  static Result<std::unique_ptr<Node>> OpenOnLoop(const Options& options, uv_loop_s* loop);

  // Leaves the cluster gracefully (Close()) if still open.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // ---- reads: kNotFound if the key is absent, kWrongType if it holds another type
  Result<std::string> Get(std::string_view key) const;
  Result<int64_t> GetCounter(std::string_view key) const;
  Result<std::vector<std::string>> SetMembers(std::string_view key) const;
  Result<bool> SetContains(std::string_view key, std::string_view member) const;
  Result<std::string> HashGet(std::string_view key, std::string_view field) const;
  Result<std::vector<std::pair<std::string, std::string>>> HashGetAll(std::string_view key) const;
  // Live keys starting with `prefix`, in order; at most `limit`.
  Result<std::vector<std::string>> Keys(std::string_view prefix = {}, size_t limit = SIZE_MAX) const;
  Result<ValueType> TypeOf(std::string_view key) const;

  // ---- writes, blocking until acknowledged at `durability`
  Status Set(std::string_view key, std::string_view value, Durability durability = Durability::Local());
  Status Del(std::string_view key, Durability durability = Durability::Local());
  Status Incr(std::string_view key, int64_t amount = 1, Durability durability = Durability::Local());
  Status SAdd(std::string_view key, std::string_view member, Durability durability = Durability::Local());
  Status SRem(std::string_view key, std::string_view member, Durability durability = Durability::Local());
  Status HSet(std::string_view key, std::string_view field, std::string_view value,
              Durability durability = Durability::Local());
  Status HDel(std::string_view key, std::string_view field, Durability durability = Durability::Local());
  Status Write(const Batch& batch, Durability durability = Durability::Local());

  // ---- writes, asynchronous. The write is applied (visible to reads)
  // before `done` runs; `done` runs on the loop thread, exactly once.
  void WriteAsync(const Batch& batch, Durability durability, WriteCallback done);
  std::future<Status> WriteFuture(const Batch& batch, Durability durability = Durability::Local());

  // ---- watches: `on_change(key)` for every visible change of a key
  // starting with `prefix`, by this node or a peer, on the loop thread.
  Result<uint64_t> Watch(std::string_view prefix, WatchCallback on_change);
  // No callback of `watch` runs after this returns.
  Status Unwatch(uint64_t watch);

  // ---- the cluster
  Result<std::vector<MemberInfo>> Members() const;
  Result<NodeStatus> GetStatus() const;
  // The bound gossip address, "host:port" (useful with port 0).
  std::string gossip_address() const;

  // Leaves the cluster (peers learn it at once instead of suspecting this
  // node), stops and closes the data directory. Later calls return
  // kUnavailable. Idempotent.
  Status Close();
  bool closed() const;

 private:
  struct Impl;
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::embed

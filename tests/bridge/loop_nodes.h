// LoopNodes: several NodeCores and their Redis bridges on one libuv loop,
// for the bridge tests.
//
// Each node implements BridgeHost over a bare NodeCore (no logbook). Packets
// between nodes travel in-process, and only within a node's group: groups
// have no direct path to each other, so whatever crosses between them went
// through Redis. Packets to kRelayAddress go to the node's bridge, exactly
// as the runtime routes them.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/bridge/bridge.h"
#include "node/core/node_core.h"
#include "protocol/random_source.h"

namespace parley::testing {

class LoopNodes;

class LoopNode : public BridgeHost {
 public:
  LoopNode(LoopNodes* owner, size_t index, int group) : owner_(owner), index_(index), group_(group) {}
  ~LoopNode() override;

  NodeCore& core() { return *core_; }
  Bridge* bridge() { return bridge_.get(); }
  int group() const { return group_; }
  const Address& address() const { return address_; }

  // Starts a bridge for this node (Close()s and replaces any earlier one).
  void AttachBridge(BridgeOptions options);
  void DetachBridge();
  // A local write, drained at once; false if refused.
  bool Put(std::vector<Op> ops);

  // ---- BridgeHost ----
  const std::string& node_name() const override { return name_; }
  const CrdtMap& map() const override { return core_->map(); }
  void Write(std::vector<Op> ops, std::function<void(const Status&)> done) override;
  uint64_t Watch(std::string prefix, std::function<void(const std::string&)> on_change) override;
  void Unwatch(uint64_t watch) override;
  void ReceiveRelayFrame(std::string_view frame) override;
  void SyncThroughRelay() override;

 private:
  friend class LoopNodes;
  void Drain();
  void ArmTimer();

  LoopNodes* owner_;
  size_t index_;
  int group_;
  std::string name_;
  Address address_;
  std::unique_ptr<NodeCore> core_;
  std::unique_ptr<Bridge> bridge_;
  uv_timer_t* timer_ = nullptr;  // freed in its close callback
  std::map<uint64_t, std::function<void(const Status&)>> pending_;
  std::map<uint64_t, std::function<void(const std::string&)>> watchers_;
  bool draining_ = false, drain_again_ = false;
};

class LoopNodes {
 public:
  LoopNodes();
  ~LoopNodes();

  // Adds and starts a node in `group`; its seed is the group's first node.
  LoopNode& Add(int group);
  LoopNode& node(size_t i) { return *nodes_[i]; }
  size_t size() const { return nodes_.size(); }
  uv_loop_t* loop() { return &loop_; }
  uint64_t now() { return uv_now(&loop_) + 1'700'000'000'000ull; }

  // Runs the loop until `done()` or `timeout_ms` passed; returns done().
  bool RunUntil(const std::function<bool()>& done, uint64_t timeout_ms);
  void RunFor(uint64_t ms) {
    RunUntil([] { return false; }, ms);
  }
  bool AllConverged();

 private:
  friend class LoopNode;
  struct Packet {
    size_t from, to;
    Transport transport;
    std::string bytes;
  };
  void Send(size_t from, OutgoingPacket packet);
  void Deliver();

  uv_loop_t loop_{};
  uv_timer_t* pump_ = nullptr;
  std::vector<std::unique_ptr<LoopNode>> nodes_;
  std::deque<Packet> packets_;
};

}  // namespace parley::testing

// Runtime host: BridgeHost over NodeRuntime, and the bridge as a front door.
#include "node/bridge/runtime_host.h"

#include <memory>

namespace parley {
namespace {

class RuntimeHost : public BridgeHost {
 public:
  explicit RuntimeHost(NodeRuntime* runtime) : runtime_(runtime) {}

  const std::string& node_name() const override { return runtime_->name(); }
  const CrdtMap& map() const override { return runtime_->core().map(); }
  void Write(std::vector<Op> ops, std::function<void(const Status&)> done) override {
    runtime_->Write(std::move(ops), Durability::Local(), std::move(done));
  }
  uint64_t Watch(std::string prefix, std::function<void(const std::string&)> on_change) override {
    return runtime_->Watch(std::move(prefix), std::move(on_change));
  }
  void Unwatch(uint64_t watch) override { runtime_->Unwatch(watch); }
  void ReceiveRelayFrame(std::string_view frame) override { runtime_->ReceiveRelayFrame(frame); }
  void SyncThroughRelay() override { runtime_->SyncThroughRelay(); }

 private:
  NodeRuntime* runtime_;
};

// Owns the host and the bridge; the runtime owns this.
class BridgeDoor : public FrontDoor {
 public:
  explicit BridgeDoor(NodeRuntime* runtime) : host_(runtime) {}
  ~BridgeDoor() override { Close(); }
  void Close() override {
    if (bridge_) bridge_->Close();
  }
  RuntimeHost host_;
  std::unique_ptr<Bridge> bridge_;
};

}  // namespace

Result<Bridge*> AttachBridge(NodeRuntime* runtime, BridgeOptions options) {
  if (!runtime->started()) return Status::InvalidArgument("attach the Redis bridge after the runtime started");
  if (options.relay && !runtime->core().config().relay) {
    return Status::InvalidArgument("--redis-relay needs the node created with config.relay set");
  }
  auto door = std::make_unique<BridgeDoor>(runtime);
  Result<std::unique_ptr<Bridge>> bridge = Bridge::Create(runtime->loop(), &door->host_, std::move(options),
                                                          runtime->logger());
  if (!bridge.ok()) return bridge.status();
  door->bridge_ = std::move(bridge).value();
  Bridge* raw = door->bridge_.get();
  runtime->SetRelaySink([raw](std::string frame) { raw->PublishRelayFrame(std::move(frame)); });
  raw->Start();
  runtime->AttachFrontDoor(std::move(door));
  return raw;
}

}  // namespace parley

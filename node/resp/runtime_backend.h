// RuntimeBackend: the RESP command layer's view of a running node.
//
// Forwards reads to the core's map and writes and watches to the libuv
// runtime, translating the runtime's "done may run at once with the error"
// convention into RespBackend's "refusals are returned" one. Lives on the
// loop thread, like the runtime.
#pragma once

#include "node/resp/resp_backend.h"
#include "node/runtime/node_runtime.h"

namespace parley::resp {

class RuntimeBackend : public RespBackend {
 public:
  // `runtime` must outlive the backend. Writes are acknowledged at
  // `durability` (local by default, like the HTTP API).
  explicit RuntimeBackend(NodeRuntime* runtime, Durability durability = Durability::Local())
      : runtime_(runtime), durability_(durability) {}

  const CrdtMap& map() const override;
  Status Write(std::span<const Op> ops, WriteCallback done) override;
  void BeginWriteGroup() override { runtime_->BeginWriteGroup(); }
  void EndWriteGroup() override { runtime_->EndWriteGroup(); }
  uint64_t Watch(std::string prefix, ChangeCallback on_change) override;
  void Unwatch(uint64_t watch) override;
  std::vector<std::pair<std::string, std::string>> NodeInfo() const override;

 private:
  NodeRuntime* runtime_;
  Durability durability_;
  CrdtMap empty_;  // served before the core exists
};

}  // namespace parley::resp

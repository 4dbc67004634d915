// BridgeHost: what the Redis bridge needs from the node it serves.
//
// The bridge runs on the node's loop thread and never touches the core
// directly: the runtime implements this (runtime_host.h), and tests
// implement it over a bare NodeCore, so the bridge can be tested without
// sockets between nodes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/crdt_map.h"
#include "storage/status.h"

namespace parley {

class BridgeHost {
 public:
  virtual ~BridgeHost() = default;

  virtual const std::string& node_name() const = 0;
  virtual const CrdtMap& map() const = 0;
  // A local write (durability local); `done` runs once acknowledged.
  virtual void Write(std::vector<Op> ops, std::function<void(const Status&)> done) = 0;
  virtual uint64_t Watch(std::string prefix, std::function<void(const std::string& key)> on_change) = 0;
  virtual void Unwatch(uint64_t watch) = 0;
  // One frame read from the relay stream (no length prefix), for the core.
  virtual void ReceiveRelayFrame(std::string_view frame) = 0;
  // NodeCore::SyncThroughRelay: anti-entropy for a node that fell behind.
  virtual void SyncThroughRelay() = 0;
};

}  // namespace parley

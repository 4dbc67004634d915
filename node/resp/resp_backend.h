// RespBackend: what the RESP command layer needs from a node.
//
// Commands read the local map directly and hand writes and watches to the
// backend. The real backend forwards to the libuv runtime (runtime_backend.h);
// tests and the fuzzer use an in-memory one. Keeping this seam small is what
// lets every command be tested without sockets or an event loop.
//
// All calls happen on one thread (the runtime's loop thread).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "storage/crdt_map.h"
#include "storage/status.h"

namespace parley::resp {

class RespBackend {
 public:
  using WriteCallback = std::function<void(const Status&)>;
  using ChangeCallback = std::function<void(const std::string& key)>;

  virtual ~RespBackend() = default;

  // The node's map, as of now. Local writes show up here as soon as Write()
  // has returned OK.
  virtual const CrdtMap& map() const = 0;

  // Applies `ops` as one atomic batch. A refused batch (wrong type, bad
  // argument, node stopping) returns the error and `done` is never called.
  // Otherwise the ops are already visible in map() on return, and `done`
  // runs once, when the write is acknowledged (or failed to become
  // durable): later, or before Write() returns (an in-memory node).
  virtual Status Write(std::span<const Op> ops, WriteCallback done) = 0;
  // The writes between these two are one write group, seen and kept whole
  // (EXEC's; see NodeCore::BeginWriteGroup). A backend without peers or a
  // logbook need not care.
  virtual void BeginWriteGroup() {}
  virtual void EndWriteGroup() {}

  // Calls `on_change` for every key starting with `prefix` whose visible
  // value changed, by a local or a remote write. Returns an id for Unwatch.
  virtual uint64_t Watch(std::string prefix, ChangeCallback on_change) = 0;
  virtual void Unwatch(uint64_t watch) = 0;

  // Lines for the "# Parley" section of INFO (node name, replica, members,
  // durability...), in order.
  virtual std::vector<std::pair<std::string, std::string>> NodeInfo() const = 0;
};

}  // namespace parley::resp

// Runtime host: the Redis bridge attached to a running NodeRuntime — what
// `parley node --redis ...` does.
//
// The bridge becomes one of the runtime's front doors, so it closes on the
// loop thread when the node stops and is destroyed before the core.
#pragma once

#include "node/bridge/bridge.h"
#include "node/bridge/bridge_options.h"
#include "node/runtime/node_runtime.h"
#include "storage/status.h"

namespace parley {

// Call after runtime->Start(), on the loop thread (or before Run()). The
// runtime must have been created with config.relay = options.relay, so its
// core publishes local writes to the relay. The returned bridge is owned by
// the runtime (for stats).
Result<Bridge*> AttachBridge(NodeRuntime* runtime, BridgeOptions options);

}  // namespace parley

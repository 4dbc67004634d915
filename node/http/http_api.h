// The HTTP API as a front door of a runtime: routes + server in one call.
#pragma once

#include "node/http/http_server.h"
#include "node/runtime/node_runtime.h"

namespace parley {

// Binds `address` (port 0: a free port), registers every endpoint, attaches
// the server to `runtime` (which closes it when stopping), publishes the
// address as meta "http" and status address "http", and returns the bound
// address. Call before runtime.Start().
Result<Address> StartHttpApi(NodeRuntime& runtime, const Address& address, HttpServerOptions options = {});

}  // namespace parley

// The HTTP API's endpoints, grouped by concern; each Add*Routes registers
// its group on the router. Handlers run on the runtime's loop thread and
// read the core directly (see HTTP_API.md for the contract).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node/http/http_exchange.h"
#include "node/http/router.h"
#include "node/runtime/node_runtime.h"

namespace parley {

void AddStatusRoutes(Router& router, NodeRuntime& runtime);    // healthz, metrics, status, members
void AddKeyRoutes(Router& router, NodeRuntime& runtime);       // keys: list, get, delete
void AddWriteRoutes(Router& router, NodeRuntime& runtime);     // register, counter, set, hash, batch
void AddWatchRoutes(Router& router, NodeRuntime& runtime);     // server-sent events
void AddTreasureRoutes(Router& router, NodeRuntime& runtime);  // the Redis-era app's endpoints
void AddAdminRoutes(Router& router, NodeRuntime& runtime);     // fault injection, leave

// Shared by the write endpoints: parses ?durability, writes, and answers
// with `on_ok()` once acknowledged (or with the error).
void SubmitWrite(NodeRuntime& runtime, const HttpRequest& request, std::vector<Op> ops, ExchangePtr exchange,
                 std::function<HttpResponse()> on_ok);

// The query string, or a 400 sent on `exchange` (then nullopt).
std::optional<std::map<std::string, std::string>> QueryOrReject(const HttpRequest& request,
                                                                const ExchangePtr& exchange);

}  // namespace parley

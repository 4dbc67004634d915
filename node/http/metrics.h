// Metrics: the node's counters and gauges, for /metrics and /v1/status.
//
// One list of named values feeds both the Prometheus text exposition
// (names prefixed parley_, counters suffixed _total) and the "stats" object
// of /v1/status, so the two never disagree.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "node/runtime/node_runtime.h"

namespace parley {

// Prometheus text format (version 0.0.4).
std::string RenderMetrics(const NodeRuntime& runtime);

// NodeStats as {"packets_sent": N, ...}.
nlohmann::json StatsJson(const NodeStats& stats);

}  // namespace parley

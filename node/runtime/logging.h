// Logging: one spdlog logger per node, with the node's name in every line.
//
// Several nodes may live in one process (tests, the embedding API), so each
// runtime gets its own unregistered logger instead of spdlog's global one.
// Lines go to stderr: stdout is reserved for the "ready" line that scripts
// and the fleet launcher wait for.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace parley {

using Logger = std::shared_ptr<spdlog::logger>;

// "trace", "debug", "info", "warn", "error", "critical", "off".
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// A logger writing "2024-05-01T12:00:00.123 info  [n1] message" to stderr.
Logger MakeNodeLogger(const std::string& node_name, spdlog::level::level_enum level);

}  // namespace parley

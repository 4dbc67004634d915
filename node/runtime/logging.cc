// Per-node loggers on stderr.
#include "node/runtime/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace parley {

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  static const std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
      {"critical", spdlog::level::critical}, {"off", spdlog::level::off},
  };
  for (const auto& [text, level] : kLevels) {
    if (name == text) return level;
  }
  return Status::InvalidArgument("--log-level: '" + std::string(name) +
                                 "' is not one of trace, debug, info, warn, error, critical, off");
}

Logger MakeNodeLogger(const std::string& node_name, spdlog::level::level_enum level) {
  // One sink shared by every node of the process keeps their lines whole.
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>(node_name, sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace parley

// The subcommands of the `parley` binary, each registered on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace parley::cli {

// `parley demo`: three in-memory replicas write concurrently, then converge.
void AddDemoCommand(CLI::App& app);

}  // namespace parley::cli

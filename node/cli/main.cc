// Entry point of the `parley` binary: adds every registered subcommand
// (see command_registry.h), parses the command line and runs it.
#include <algorithm>

#include <CLI/CLI.hpp>

#include "node/cli/command_registry.h"

int main(int argc, char** argv) {
  CLI::App app{"parley: a peer-to-peer gossip node sharing one CRDT key/value map"};
  app.require_subcommand(1);
  auto commands = parley::cli::RegisteredCommands();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : commands) add(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

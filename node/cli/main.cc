// Entry point of the `parley` binary: parses the subcommand and runs it.
#include <CLI/CLI.hpp>

#include "node/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"parley: a peer-to-peer gossip node sharing one CRDT key/value map"};
  app.require_subcommand(1);
  parley::cli::AddDemoCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}

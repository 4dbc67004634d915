// Options shared by every client command (get, set, members, watch, ...):
// which node to talk to and how writes wait.
//
// They are options of the top-level `parley` app, and the client
// subcommands "fall through" to it, so both `parley --node h:p get k` and
// `parley get k --node h:p` work. The node is, in order: --fleet DIR --on
// NAME (a node of a local fleet), --node, $PARLEY_NODE, 127.0.0.1:8080
// (n1 of `parley fleet up` with default ports).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "node/cli/node_api.h"
#include "node/cli/reply_printer.h"
#include "storage/status.h"

namespace parley::cli {

struct ClientOptions {
  std::string node;        // --node host:port (HTTP)
  std::string fleet_dir;   // --fleet DIR
  std::string on;          // --on NAME
  std::string durability;  // --durability local|quorum:K
  int timeout_ms = 0;      // --timeout-ms for quorum writes
  bool raw = false;        // --raw: bare values for scripts
};

// The one instance the top-level options write into.
ClientOptions& GlobalClientOptions();

// The HTTP address chosen by the options (see the file comment).
Result<std::string> ResolveNodeAddress(const ClientOptions& options);

// Adds a client subcommand to `app` that falls through to the global
// options. `run` gets a connected NodeApi and a printer; a non-OK Status it
// returns is printed as "(error) ..." and the command exits with status 1.
CLI::App* AddClientCommand(CLI::App& app, const std::string& name, const std::string& description,
                           std::function<Status(NodeApi&, const ReplyPrinter&)> run);

// Write options from --durability/--timeout-ms.
WriteOptions ClientWriteOptions();

}  // namespace parley::cli

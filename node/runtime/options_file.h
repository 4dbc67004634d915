// Options file: `parley node --config FILE` reads node options from TOML.
//
// Keys are the flag names (with dashes or underscores), e.g.
//
//   name = "n1"
//   bind = "127.0.0.1:7946"
//   seeds = ["127.0.0.1:7947", "127.0.0.1:7948"]   # or one "a,b" string
//   key-file = ["primary.key", "old.key"]
//   sync = "batch"
//   in-memory = false
//
// Flags given on the command line override the file.
#pragma once

#include <string>

#include "node/runtime/node_options.h"
#include "storage/status.h"

namespace parley {

// Applies every option in `path` to `options`. Unknown keys and wrong types
// are errors naming the file and the key; TOML syntax errors are returned
// with toml11's message (which names the line).
Status LoadOptionsFile(const std::string& path, NodeOptions* options);

}  // namespace parley

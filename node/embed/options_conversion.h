// Checks libparley's public Options and turns them into the runtime's.
//
// Every error names the option and the fix ("Options.bind: 'x' is not
// host:port"), because the embedding program's author reads them, usually
// at the first run.
#pragma once

#include "node/runtime/node_runtime.h"
#include "parley/options.h"

namespace parley::embed {

parley::Result<parley::RuntimeOptions> ToRuntimeOptions(const Options& options);

// The internal durability, or an error for a nonsensical one.
parley::Result<parley::Durability> ToInternal(const Durability& durability);

}  // namespace parley::embed

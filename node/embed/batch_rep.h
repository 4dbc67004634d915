// Batch::Rep: what a public Batch holds — the internal ops, ready for the
// core — shared by batch.cc and the node's write path.
#pragma once

#include <vector>

#include "parley/batch.h"
#include "storage/crdt_map.h"

namespace parley::embed {

struct Batch::Rep {
  std::vector<parley::Op> ops;
};

}  // namespace parley::embed

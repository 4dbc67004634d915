// IngestDiff: the CRDT writes that turn parley's value of a key into what a
// legacy app left in Redis.
//
// Writes are the smallest that say what changed, so concurrent writes made
// elsewhere in the fleet survive: a set or hash gets the added and removed
// members/fields only, and a parley counter that Redis shows as a new
// integer (INCRBY by a legacy app) gets incremented by the difference
// instead of being overwritten.
#pragma once

#include <string>
#include <vector>

#include "node/bridge/key_value.h"
#include "storage/crdt_map.h"

namespace parley {

// Empty when parley already holds `redis`.
std::vector<Op> IngestOps(const CrdtMap& map, const std::string& key, const KeyValue& redis);

}  // namespace parley

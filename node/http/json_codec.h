// JSON codec of the HTTP API: map values out, write requests in.
//
// Values: register -> string, counter -> integer, set -> array of strings,
// hash -> object. Requests are checked completely before anything is
// written, so a malformed body never changes state (I4): unknown ops, wrong
// JSON types and missing fields are all InvalidArgument naming the field.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/node_config.h"
#include "storage/crdt_map.h"
#include "storage/status.h"

namespace parley {

// {"key","type","value"} for a live key, nullopt if absent.
std::optional<nlohmann::json> KeyToJson(const CrdtMap& map, const std::string& key);

// A request body as a JSON object; an empty body is {}.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// The "ops" of POST /v1/batch: [{"op":"set","key":k,"value":v}, ...].
Result<std::vector<Op>> ParseBatchOps(const nlohmann::json& body);
// The bodies of the typed write endpoints, for key `key`.
Result<std::vector<Op>> ParseRegisterWrite(const std::string& key, const nlohmann::json& body);
Result<Op> ParseCounterWrite(const std::string& key, const nlohmann::json& body);
Result<std::vector<Op>> ParseSetWrite(const std::string& key, const nlohmann::json& body);
Result<std::vector<Op>> ParseHashWrite(const std::string& key, const nlohmann::json& body);

// ?durability=local|quorum:K and &timeout_ms=N.
Result<Durability> ParseDurability(const std::map<std::string, std::string>& query);

// Replica ids print as 16 hex digits everywhere in the API.
std::string ReplicaHex(ReplicaId replica);

}  // namespace parley

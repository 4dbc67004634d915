// NodeApi: typed calls to one parley node's HTTP/JSON API (node/HTTP_API.md).
//
// The CLI client commands, `parley fleet` and the fleet tests all speak to
// nodes through this class, so the URL layout, key escaping and the mapping
// of the API's {"error": {"code", "message"}} bodies to Status live in one
// place. Every call returns Status/Result; nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/cli/http_client.h"
#include "node/cli/sse_parser.h"
#include "storage/status.h"

namespace parley::cli {

// How a write waits: durability "" (the node's default), "local" or
// "quorum:K"; timeout_ms 0 means the node's default.
struct WriteOptions {
  std::string durability;
  int timeout_ms = 0;
};

// A value read from the map: type is "register", "counter", "set" or "hash";
// value is a JSON string, integer, array of strings or object of strings.
struct KeyValue {
  std::string key;
  std::string type;
  nlohmann::json value;
};

class NodeApi {
 public:
  explicit NodeApi(std::string http_address);

  const std::string& address() const { return http_.address(); }

  // Reads.
  Result<nlohmann::json> GetStatus();
  Result<nlohmann::json> GetMembers();  // the "members" array
  Result<std::optional<KeyValue>> Get(const std::string& key);  // nullopt: no such key
  // The value of KEY if it holds `type`, `if_missing` if there is no such
  // key, WrongType naming the actual type otherwise.
  Result<nlohmann::json> GetAs(const std::string& key, const std::string& type,
                               nlohmann::json if_missing);
  Result<std::vector<std::string>> ListKeys(const std::string& prefix, int limit = 0);
  Status CheckHealth();

  // Writes.
  Status SetRegister(const std::string& key, const std::string& value, const WriteOptions& w = {});
  Result<int64_t> Increment(const std::string& key, int64_t by, const WriteOptions& w = {});
  Status AddToSet(const std::string& key, const std::vector<std::string>& members,
                  const WriteOptions& w = {});
  Status RemoveFromSet(const std::string& key, const std::vector<std::string>& members,
                       const WriteOptions& w = {});
  Status SetHashFields(const std::string& key,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       const WriteOptions& w = {});
  Status RemoveHashFields(const std::string& key, const std::vector<std::string>& fields,
                          const WriteOptions& w = {});
  Status Delete(const std::string& key, const WriteOptions& w = {});
  Status Batch(const nlohmann::json& ops, const WriteOptions& w = {});

  // Fault injection for local fleets: drop gossip to/from the named nodes.
  Status SetFaults(const std::vector<std::string>& drop_names, int delay_ms = 0);
  Status ClearFaults();

  // Streams changes under `prefix` to `on_change` ({"key","type","value"})
  // until the node closes the stream, on_change returns false, or
  // should_stop returns true.
  Status Watch(const std::string& prefix, const std::function<bool(const nlohmann::json&)>& on_change,
               const std::function<bool()>& should_stop);

  // One raw request, for callers (tests) that need the exact status and body.
  Result<HttpResponse> Raw(const std::string& method, const std::string& target,
                           const std::string& body = {});

 private:
  // Sends a request and returns the parsed JSON body of a 2xx response, or
  // the API's error as a Status.
  Result<nlohmann::json> Call(const std::string& method, const std::string& target,
                              const nlohmann::json* body);
  Result<nlohmann::json> Write(const std::string& method, const std::string& path,
                               const nlohmann::json& body, const WriteOptions& w);

  HttpClient http_;
};

// Field readers that never throw: replies come from another process, and a
// missing or mistyped field must become a blank in a table, not a crash.
// JsonText: a string field as is, another value as JSON text, "" if absent
// or null. JsonInteger: an integer field, `otherwise` if absent or not one.
std::string JsonText(const nlohmann::json& object, const char* field);
int64_t JsonInteger(const nlohmann::json& object, const char* field, int64_t otherwise = 0);

// Percent-encodes every byte outside RFC 3986's unreserved set, so any key
// (slashes, spaces, UTF-8) fits in one path segment or query value.
std::string PercentEncode(std::string_view text);

// Maps an error response to a Status: wrong_type → WrongType, not_found →
// NotFound, quorum_timeout → TimedOut, unavailable → Unavailable, the rest
// → InvalidArgument; the message is the API's message.
Status StatusFromErrorResponse(const HttpResponse& response);

}  // namespace parley::cli

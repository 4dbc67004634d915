// NodeApi: URL building, JSON bodies and error mapping for the HTTP API.
#include "node/cli/node_api.h"

#include <algorithm>

namespace parley::cli {
namespace {

using nlohmann::json;

std::string WriteQuery(const WriteOptions& w) {
  std::string query;
  auto add = [&](const std::string& name, const std::string& value) {
    query += query.empty() ? "?" : "&";
    query += name + "=" + PercentEncode(value);
  };
  if (!w.durability.empty()) add("durability", w.durability);
  if (w.timeout_ms > 0) add("timeout_ms", std::to_string(w.timeout_ms));
  return query;
}

Result<json> ParseJson(const std::string& text, const std::string& what) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Corruption(what + " is not JSON: " + text.substr(0, 200));
  }
  return parsed;
}

}  // namespace

std::string JsonText(const json& object, const char* field) {
  if (!object.is_object()) return "";
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

int64_t JsonInteger(const json& object, const char* field, int64_t otherwise) {
  if (!object.is_object()) return otherwise;
  auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : otherwise;
}

std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Status StatusFromErrorResponse(const HttpResponse& response) {
  std::string code;
  std::string message;
  json parsed = json::parse(response.body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") &&
      parsed["error"].is_object()) {
    code = JsonText(parsed["error"], "code");
    message = JsonText(parsed["error"], "message");
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(response.status);
    if (!response.body.empty()) message += ": " + response.body.substr(0, 200);
  }
  if (code == "wrong_type" || response.status == 409) return Status::WrongType(message);
  if (code == "not_found" || response.status == 404) return Status::NotFound(message);
  if (code == "quorum_timeout" || response.status == 504) return Status::TimedOut(message);
  if (code == "unavailable" || response.status == 503) return Status::Unavailable(message);
  return Status::InvalidArgument(message);
}

NodeApi::NodeApi(std::string http_address) : http_(std::move(http_address)) {}

Result<HttpResponse> NodeApi::Raw(const std::string& method, const std::string& target,
                                  const std::string& body) {
  return http_.Send(method, target, body);
}

Result<json> NodeApi::Call(const std::string& method, const std::string& target, const json* body) {
  Result<HttpResponse> response = http_.Send(method, target, body ? body->dump() : std::string());
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return StatusFromErrorResponse(*response);
  if (response->body.empty()) return json::object();
  return ParseJson(response->body, method + " " + target + " reply");
}

Result<json> NodeApi::Write(const std::string& method, const std::string& path, const json& body,
                            const WriteOptions& w) {
  // A quorum write may legitimately take its whole timeout; give the HTTP
  // request a little longer so the node's own 504 reaches the user.
  auto timeout = std::chrono::milliseconds(std::max(10000, w.timeout_ms + 5000));
  http_.set_timeout(timeout);
  Result<json> result = Call(method, path + WriteQuery(w), &body);
  http_.set_timeout(std::chrono::seconds(10));
  return result;
}

Status NodeApi::CheckHealth() {
  Result<json> reply = Call("GET", "/healthz", nullptr);
  return reply.status();
}

Result<json> NodeApi::GetStatus() { return Call("GET", "/v1/status", nullptr); }

Result<json> NodeApi::GetMembers() {
  Result<json> reply = Call("GET", "/v1/members", nullptr);
  if (!reply.ok()) return reply.status();
  if (!reply->contains("members") || !(*reply)["members"].is_array()) {
    return Status::Corruption("/v1/members reply has no members array");
  }
  return (*reply)["members"];
}

Result<std::optional<KeyValue>> NodeApi::Get(const std::string& key) {
  Result<json> reply = Call("GET", "/v1/keys/" + PercentEncode(key), nullptr);
  if (!reply.ok()) {
    if (reply.status().code() == Status::Code::kNotFound) return std::optional<KeyValue>();
    return reply.status();
  }
  KeyValue kv;
  kv.key = JsonText(*reply, "key");
  kv.type = JsonText(*reply, "type");
  kv.value = reply->contains("value") ? (*reply)["value"] : json();
  return std::optional<KeyValue>(std::move(kv));
}

Result<json> NodeApi::GetAs(const std::string& key, const std::string& type, json if_missing) {
  auto found = Get(key);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return if_missing;
  if ((*found)->type != type) {
    return Status::WrongType("key '" + key + "' holds a " + (*found)->type + ", not a " + type);
  }
  return std::move((*found)->value);
}

Result<std::vector<std::string>> NodeApi::ListKeys(const std::string& prefix, int limit) {
  std::string target = "/v1/keys?prefix=" + PercentEncode(prefix);
  if (limit > 0) target += "&limit=" + std::to_string(limit);
  Result<json> reply = Call("GET", target, nullptr);
  if (!reply.ok()) return reply.status();
  std::vector<std::string> keys;
  if (reply->contains("keys") && (*reply)["keys"].is_array()) {
    for (const json& k : (*reply)["keys"]) {
      if (k.is_string()) keys.push_back(k.get<std::string>());
    }
  }
  return keys;
}

Status NodeApi::SetRegister(const std::string& key, const std::string& value, const WriteOptions& w) {
  return Write("PUT", "/v1/register/" + PercentEncode(key), json{{"value", value}}, w).status();
}

Result<int64_t> NodeApi::Increment(const std::string& key, int64_t by, const WriteOptions& w) {
  Result<json> reply = Write("POST", "/v1/counter/" + PercentEncode(key), json{{"by", by}}, w);
  if (!reply.ok()) return reply.status();
  if (!reply->contains("value") || !(*reply)["value"].is_number_integer()) {
    return Status::Corruption("counter reply has no integer value: " + reply->dump());
  }
  return (*reply)["value"].get<int64_t>();
}

Status NodeApi::AddToSet(const std::string& key, const std::vector<std::string>& members,
                         const WriteOptions& w) {
  return Write("POST", "/v1/set/" + PercentEncode(key), json{{"add", members}}, w).status();
}

Status NodeApi::RemoveFromSet(const std::string& key, const std::vector<std::string>& members,
                              const WriteOptions& w) {
  return Write("POST", "/v1/set/" + PercentEncode(key), json{{"remove", members}}, w).status();
}

Status NodeApi::SetHashFields(const std::string& key,
                              const std::vector<std::pair<std::string, std::string>>& fields,
                              const WriteOptions& w) {
  json set = json::object();
  for (const auto& [field, value] : fields) set[field] = value;
  return Write("POST", "/v1/hash/" + PercentEncode(key), json{{"set", set}}, w).status();
}

Status NodeApi::RemoveHashFields(const std::string& key, const std::vector<std::string>& fields,
                                 const WriteOptions& w) {
  return Write("POST", "/v1/hash/" + PercentEncode(key), json{{"remove", fields}}, w).status();
}

Status NodeApi::Delete(const std::string& key, const WriteOptions& w) {
  return Write("DELETE", "/v1/keys/" + PercentEncode(key), json::object(), w).status();
}

Status NodeApi::Batch(const json& ops, const WriteOptions& w) {
  return Write("POST", "/v1/batch", json{{"ops", ops}}, w).status();
}

Status NodeApi::SetFaults(const std::vector<std::string>& drop_names, int delay_ms) {
  json body{{"drop", drop_names}, {"delay_ms", delay_ms}};
  return Call("POST", "/v1/admin/faults", &body).status();
}

Status NodeApi::ClearFaults() { return Call("DELETE", "/v1/admin/faults", nullptr).status(); }

Status NodeApi::Watch(const std::string& prefix,
                      const std::function<bool(const json&)>& on_change,
                      const std::function<bool()>& should_stop) {
  SseParser parser;
  Status malformed;
  auto on_chunk = [&](std::string_view chunk) {
    for (const SseEvent& event : parser.Feed(chunk)) {
      if (event.type != "change") continue;
      json change = json::parse(event.data, nullptr, false);
      if (change.is_discarded()) {
        malformed = Status::Corruption("watch event is not JSON: " + event.data.substr(0, 200));
        return false;
      }
      if (!on_change(change)) return false;
    }
    return true;
  };
  Status streamed = http_.Stream("/v1/watch?prefix=" + PercentEncode(prefix), on_chunk, should_stop);
  if (!malformed.ok()) return malformed;
  return streamed;
}

}  // namespace parley::cli

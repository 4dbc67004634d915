// JSON <-> map values and write requests.
#include "node/http/json_codec.h"

#include <charconv>
#include <cstdio>

namespace parley {
namespace {

using nlohmann::json;

Status Bad(const std::string& message) { return Status::InvalidArgument(message); }

Result<std::string> StringField(const json& object, const char* field, const std::string& where) {
  auto it = object.find(field);
  if (it == object.end()) return Bad(where + ": missing \"" + field + "\"");
  if (!it->is_string()) return Bad(where + ": \"" + field + "\" must be a string");
  return it->get<std::string>();
}

Result<int64_t> IntegerField(const json& object, const char* field, const std::string& where,
                             std::optional<int64_t> fallback) {
  auto it = object.find(field);
  if (it == object.end()) {
    if (fallback) return *fallback;
    return Bad(where + ": missing \"" + field + "\"");
  }
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Bad(where + ": \"" + field + "\" is too large");
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  if (!it->is_number_integer()) return Bad(where + ": \"" + field + "\" must be an integer");
  return it->get<int64_t>();
}

// An optional array of strings.
Result<std::vector<std::string>> StringList(const json& object, const char* field, const std::string& where) {
  std::vector<std::string> out;
  auto it = object.find(field);
  if (it == object.end()) return out;
  if (!it->is_array()) return Bad(where + ": \"" + field + "\" must be an array of strings");
  for (const json& item : *it) {
    if (!item.is_string()) return Bad(where + ": \"" + field + "\" must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Status CheckKnownFields(const json& object, std::initializer_list<const char*> known, const std::string& where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return Bad(where + ": unknown field \"" + it.key() + "\"");
  }
  return Status::Ok();
}

Status CheckKey(const std::string& key) {
  if (key.empty()) return Bad("key must not be empty");
  return Status::Ok();
}

Result<Op> ParseOneOp(const json& item, size_t index) {
  std::string where = "ops[" + std::to_string(index) + "]";
  if (!item.is_object()) return Bad(where + ": must be an object");
  Result<std::string> op = StringField(item, "op", where);
  if (!op.ok()) return op.status();
  Result<std::string> key = StringField(item, "key", where);
  if (!key.ok()) return key.status();
  PARLEY_RETURN_IF_ERROR(CheckKey(*key).WithContext(where));
  if (*op == "set") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key", "value"}, where));
    Result<std::string> v = StringField(item, "value", where);
    if (!v.ok()) return v.status();
    return Op::Set(*key, *v);
  }
  if (*op == "incr") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key", "by"}, where));
    Result<int64_t> by = IntegerField(item, "by", where, 1);
    if (!by.ok()) return by.status();
    return Op::Incr(*key, *by);
  }
  if (*op == "sadd" || *op == "srem") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key", "member"}, where));
    Result<std::string> m = StringField(item, "member", where);
    if (!m.ok()) return m.status();
    return *op == "sadd" ? Op::SAdd(*key, *m) : Op::SRem(*key, *m);
  }
  if (*op == "hset") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key", "field", "value"}, where));
    Result<std::string> f = StringField(item, "field", where);
    if (!f.ok()) return f.status();
    Result<std::string> v = StringField(item, "value", where);
    if (!v.ok()) return v.status();
    return Op::HSet(*key, *f, *v);
  }
  if (*op == "hdel") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key", "field"}, where));
    Result<std::string> f = StringField(item, "field", where);
    if (!f.ok()) return f.status();
    return Op::HDel(*key, *f);
  }
  if (*op == "del") {
    PARLEY_RETURN_IF_ERROR(CheckKnownFields(item, {"op", "key"}, where));
    return Op::Del(*key);
  }
  return Bad(where + ": unknown op \"" + *op + "\" (expected set, incr, sadd, srem, hset, hdel or del)");
}

}  // namespace

std::string ReplicaHex(ReplicaId replica) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(replica));
  return buf;
}

std::optional<json> KeyToJson(const CrdtMap& map, const std::string& key) {
  json out = {{"key", key}};
  switch (map.TypeOf(key)) {
    case ValueType::kRegister: {
      std::optional<std::string> v = map.GetRegister(key);
      if (!v) return std::nullopt;
      out["type"] = "register";
      out["value"] = *v;
      return out;
    }
    case ValueType::kCounter:
      out["type"] = "counter";
      out["value"] = map.GetCounter(key).value_or(0);
      return out;
    case ValueType::kSet:
      out["type"] = "set";
      out["value"] = map.SetMembers(key);
      return out;
    case ValueType::kHash: {
      json fields = json::object();
      for (const auto& [f, v] : map.HashAll(key)) fields[f] = v;
      out["type"] = "hash";
      out["value"] = std::move(fields);
      return out;
    }
    default:
      return std::nullopt;
  }
}

Result<json> ParseJsonObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Bad("request body is not valid JSON");
  if (!parsed.is_object()) return Bad("request body must be a JSON object");
  return parsed;
}

Result<std::vector<Op>> ParseBatchOps(const json& body) {
  PARLEY_RETURN_IF_ERROR(CheckKnownFields(body, {"ops"}, "batch"));
  auto it = body.find("ops");
  if (it == body.end() || !it->is_array()) return Bad("batch: \"ops\" must be an array");
  if (it->empty()) return Bad("batch: \"ops\" must not be empty");
  std::vector<Op> ops;
  for (size_t i = 0; i < it->size(); ++i) {
    Result<Op> op = ParseOneOp((*it)[i], i);
    if (!op.ok()) return op.status();
    ops.push_back(std::move(op).value());
  }
  return ops;
}

Result<std::vector<Op>> ParseRegisterWrite(const std::string& key, const json& body) {
  PARLEY_RETURN_IF_ERROR(CheckKey(key));
  PARLEY_RETURN_IF_ERROR(CheckKnownFields(body, {"value"}, "register"));
  Result<std::string> v = StringField(body, "value", "register");
  if (!v.ok()) return v.status();
  return std::vector<Op>{Op::Set(key, *v)};
}

Result<Op> ParseCounterWrite(const std::string& key, const json& body) {
  PARLEY_RETURN_IF_ERROR(CheckKey(key));
  PARLEY_RETURN_IF_ERROR(CheckKnownFields(body, {"by"}, "counter"));
  Result<int64_t> by = IntegerField(body, "by", "counter", 1);
  if (!by.ok()) return by.status();
  return Op::Incr(key, *by);
}

Result<std::vector<Op>> ParseSetWrite(const std::string& key, const json& body) {
  PARLEY_RETURN_IF_ERROR(CheckKey(key));
  PARLEY_RETURN_IF_ERROR(CheckKnownFields(body, {"add", "remove"}, "set"));
  Result<std::vector<std::string>> add = StringList(body, "add", "set");
  if (!add.ok()) return add.status();
  Result<std::vector<std::string>> remove = StringList(body, "remove", "set");
  if (!remove.ok()) return remove.status();
  std::vector<Op> ops;
  for (const std::string& m : *add) ops.push_back(Op::SAdd(key, m));
  for (const std::string& m : *remove) ops.push_back(Op::SRem(key, m));
  if (ops.empty()) return Bad("set: nothing to do (give \"add\" and/or \"remove\")");
  return ops;
}

Result<std::vector<Op>> ParseHashWrite(const std::string& key, const json& body) {
  PARLEY_RETURN_IF_ERROR(CheckKey(key));
  PARLEY_RETURN_IF_ERROR(CheckKnownFields(body, {"set", "remove"}, "hash"));
  std::vector<Op> ops;
  if (auto it = body.find("set"); it != body.end()) {
    if (!it->is_object()) return Bad("hash: \"set\" must be an object of string values");
    for (auto f = it->begin(); f != it->end(); ++f) {
      if (!f->is_string()) return Bad("hash: field \"" + f.key() + "\" must have a string value");
      ops.push_back(Op::HSet(key, f.key(), f->get<std::string>()));
    }
  }
  Result<std::vector<std::string>> remove = StringList(body, "remove", "hash");
  if (!remove.ok()) return remove.status();
  for (const std::string& f : *remove) ops.push_back(Op::HDel(key, f));
  if (ops.empty()) return Bad("hash: nothing to do (give \"set\" and/or \"remove\")");
  return ops;
}

Result<Durability> ParseDurability(const std::map<std::string, std::string>& query) {
  Durability d = Durability::Local();
  if (auto it = query.find("durability"); it != query.end() && it->second != "local") {
    const std::string& text = it->second;
    int k = 0;
    if (text.rfind("quorum:", 0) != 0) return Bad("durability: '" + text + "' is not local or quorum:K");
    auto [end, ec] = std::from_chars(text.data() + 7, text.data() + text.size(), k);
    if (ec != std::errc() || end != text.data() + text.size() || k < 1 || k > 1000) {
      return Bad("durability: '" + text + "' is not local or quorum:K with K from 1 to 1000");
    }
    d.nodes = k;
  }
  if (auto it = query.find("timeout_ms"); it != query.end()) {
    uint64_t ms = 0;
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || ms == 0 || ms > 3600000) {
      return Bad("timeout_ms: '" + text + "' is not a number of milliseconds from 1 to 3600000");
    }
    d.timeout_ms = ms;
  }
  return d;
}

}  // namespace parley

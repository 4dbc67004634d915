// KeyValue: conversions between parley values, Redis replies and commands.
#include "node/bridge/key_value.h"

#include <algorithm>
#include <functional>

namespace parley {

uint64_t KeyValue::Fingerprint() const {
  // Length-prefixed parts, so ("ab","c") and ("a","bc") differ.
  std::string canonical(1, static_cast<char>(type));
  auto add = [&canonical](const std::string& s) {
    canonical += std::to_string(s.size());
    canonical += ':';
    canonical += s;
  };
  add(string);
  for (const std::string& m : members) add(m);
  for (const auto& [f, v] : fields) add(f), add(v);
  return std::hash<std::string>{}(canonical);
}

KeyValue ReadParleyValue(const CrdtMap& map, std::string_view key) {
  KeyValue v;
  switch (map.TypeOf(key)) {
    case ValueType::kRegister:
      v.type = KeyValue::Type::kString;
      v.string = map.GetRegister(key).value_or("");
      break;
    case ValueType::kCounter:
      v.type = KeyValue::Type::kString;
      v.string = std::to_string(map.GetCounter(key).value_or(0));
      break;
    case ValueType::kSet:
      v.members = map.SetMembers(key);
      std::sort(v.members.begin(), v.members.end());
      if (!v.members.empty()) v.type = KeyValue::Type::kSet;
      break;
    case ValueType::kHash:
      v.fields = map.HashAll(key);
      std::sort(v.fields.begin(), v.fields.end());
      if (!v.fields.empty()) v.type = KeyValue::Type::kHash;
      break;
    case ValueType::kNone:
      break;
  }
  return v;
}

const char* const kReadKeyScript = R"lua(
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'string' then return {t, redis.call('GET', KEYS[1])} end
if t == 'set' then return {t, redis.call('SMEMBERS', KEYS[1])} end
if t == 'hash' then return {t, redis.call('HGETALL', KEYS[1])} end
return {t}
)lua";

Result<KeyValue> ParseReadKeyReply(const RedisReply& reply) {
  if (reply.is_error()) return Status::IoError("reading a key: " + reply.text);
  if (!reply.is_array() || reply.elements.empty() || !reply.elements[0].is_string()) {
    return Status::Corruption("unexpected reply to the key-reading script");
  }
  const std::string& type = reply.elements[0].text;
  KeyValue v;
  if (type == "none") return v;
  if (reply.elements.size() != 2) return Status::Corruption("the key-reading script returned no value");
  const RedisReply& value = reply.elements[1];
  if (type == "string") {
    v.type = KeyValue::Type::kString;
    v.string = value.text;
    return v;
  }
  if (type == "set") {
    v.type = KeyValue::Type::kSet;
    for (const RedisReply& m : value.elements) v.members.push_back(m.text);
    std::sort(v.members.begin(), v.members.end());
    return v;
  }
  if (type == "hash") {
    if (value.elements.size() % 2 != 0) return Status::Corruption("HGETALL returned an odd count");
    v.type = KeyValue::Type::kHash;
    for (size_t i = 0; i + 1 < value.elements.size(); i += 2) {
      v.fields.emplace_back(value.elements[i].text, value.elements[i + 1].text);
    }
    std::sort(v.fields.begin(), v.fields.end());
    return v;
  }
  return Status::Unsupported("a Redis " + type + " has no parley type");
}

std::vector<std::vector<std::string>> WriteCommands(const std::string& redis_key, const KeyValue& value) {
  switch (value.type) {
    case KeyValue::Type::kAbsent:
      return {{"DEL", redis_key}};
    case KeyValue::Type::kString:
      return {{"SET", redis_key, value.string}};  // SET replaces a key of any type
    case KeyValue::Type::kSet: {
      std::vector<std::string> sadd = {"SADD", redis_key};
      sadd.insert(sadd.end(), value.members.begin(), value.members.end());
      return {{"MULTI"}, {"DEL", redis_key}, std::move(sadd), {"EXEC"}};
    }
    case KeyValue::Type::kHash: {
      std::vector<std::string> hset = {"HSET", redis_key};
      for (const auto& [f, v] : value.fields) hset.push_back(f), hset.push_back(v);
      return {{"MULTI"}, {"DEL", redis_key}, std::move(hset), {"EXEC"}};
    }
  }
  return {};
}

}  // namespace parley

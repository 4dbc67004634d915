// IngestDiff: per-type differences between a Redis value and parley's.
#include "node/bridge/ingest_diff.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

namespace parley {
namespace {

// Redis's idea of an integer string: what INCR accepts and produces.
std::optional<int64_t> ParseInteger(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (std::to_string(n) != text) return std::nullopt;  // "+1", "01": not canonical
  return n;
}

void SetOps(const CrdtMap& map, const std::string& key, const KeyValue& redis, bool same_type, std::vector<Op>* ops) {
  std::vector<std::string> have;
  if (same_type) {
    have = map.SetMembers(key);
    std::sort(have.begin(), have.end());
  }
  std::vector<std::string> added, removed;
  std::set_difference(redis.members.begin(), redis.members.end(), have.begin(), have.end(), std::back_inserter(added));
  std::set_difference(have.begin(), have.end(), redis.members.begin(), redis.members.end(),
                      std::back_inserter(removed));
  for (const std::string& m : added) ops->push_back(Op::SAdd(key, m));
  for (const std::string& m : removed) ops->push_back(Op::SRem(key, m));
}

void HashOps(const CrdtMap& map, const std::string& key, const KeyValue& redis, bool same_type, std::vector<Op>* ops) {
  std::map<std::string, std::string> have;
  if (same_type) {
    for (auto& [f, v] : map.HashAll(key)) have.emplace(std::move(f), std::move(v));
  }
  for (const auto& [f, v] : redis.fields) {
    auto it = have.find(f);
    if (it == have.end() || it->second != v) ops->push_back(Op::HSet(key, f, v));
    if (it != have.end()) have.erase(it);
  }
  for (const auto& [f, v] : have) ops->push_back(Op::HDel(key, f));
}

}  // namespace

std::vector<Op> IngestOps(const CrdtMap& map, const std::string& key, const KeyValue& redis) {
  std::vector<Op> ops;
  ValueType held = map.TypeOf(key);
  switch (redis.type) {
    case KeyValue::Type::kAbsent:
      if (held != ValueType::kNone) ops.push_back(Op::Del(key));
      break;
    case KeyValue::Type::kString: {
      if (held == ValueType::kCounter) {
        std::optional<int64_t> target = ParseInteger(redis.string);
        int64_t current = map.GetCounter(key).value_or(0);
        int64_t delta = 0;
        if (target && !__builtin_sub_overflow(*target, current, &delta)) {
          if (delta != 0) ops.push_back(Op::Incr(key, delta));
          break;
        }
      }
      if (held != ValueType::kRegister || map.GetRegister(key) != redis.string) {
        ops.push_back(Op::Set(key, redis.string));
      }
      break;
    }
    case KeyValue::Type::kSet:
      // Another type in parley: the key was replaced, so remove it first
      // (a batch applies in order, so SADD then sees no type).
      if (held != ValueType::kSet && held != ValueType::kNone) ops.push_back(Op::Del(key));
      SetOps(map, key, redis, held == ValueType::kSet, &ops);
      break;
    case KeyValue::Type::kHash:
      if (held != ValueType::kHash && held != ValueType::kNone) ops.push_back(Op::Del(key));
      HashOps(map, key, redis, held == ValueType::kHash, &ops);
      break;
  }
  return ops;
}

}  // namespace parley

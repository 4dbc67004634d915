// Key commands: DBSIZE, EXISTS, DEL/UNLINK, TYPE, KEYS, SCAN; plus the
// helpers every handler shares.
#include <algorithm>
#include <memory>
#include <set>

#include "node/resp/command_handlers.h"
#include "node/resp/glob.h"
#include "node/resp/integer_text.h"
#include "node/resp/resp_commands.h"

namespace parley::resp {
namespace {

// Redis's TYPE names. Counters are strings to Redis (INCR works on strings).
const char* RedisTypeName(ValueType type) {
  switch (type) {
    case ValueType::kRegister:
    case ValueType::kCounter: return "string";
    case ValueType::kSet: return "set";
    case ValueType::kHash: return "hash";
    case ValueType::kNone: break;
  }
  return "none";
}

// Up to this many keys, SCAN 0 answers everything at once with cursor 0
// (Redis does the same for small collections) and keeps no snapshot.
constexpr size_t kScanAllAtOnce = 1000;

}  // namespace

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool ExpectType(RespSession& s, const std::string& key, ValueType type) {
  ValueType held = s.backend().map().TypeOf(key);
  if (held == ValueType::kNone || held == type) return true;
  s.reply().Error(kWrongTypeError);
  return false;
}

StringRead ReadString(const CrdtMap& map, const std::string& key, std::string* value) {
  switch (map.TypeOf(key)) {
    case ValueType::kNone: return StringRead::kMissing;
    case ValueType::kRegister: {
      auto v = map.GetRegister(key);
      if (!v) return StringRead::kMissing;
      *value = std::move(*v);
      return StringRead::kValue;
    }
    case ValueType::kCounter: {
      auto v = map.GetCounter(key);
      if (!v) return StringRead::kMissing;
      *value = std::to_string(*v);
      return StringRead::kValue;
    }
    default: return StringRead::kWrongType;
  }
}

void DbsizeCommand(RespSession& s, Args) { s.reply().Integer(static_cast<int64_t>(s.backend().map().KeyCount())); }

void ExistsCommand(RespSession& s, Args args) {
  const CrdtMap& map = s.backend().map();
  int64_t count = 0;
  for (size_t i = 1; i < args.size(); ++i) count += map.TypeOf(args[i]) != ValueType::kNone ? 1 : 0;
  s.reply().Integer(count);
}

void DelCommand(RespSession& s, Args args) {
  const CrdtMap& map = s.backend().map();
  std::set<std::string_view> seen;
  std::vector<Op> ops;
  for (size_t i = 1; i < args.size(); ++i) {
    if (map.TypeOf(args[i]) == ValueType::kNone || !seen.insert(args[i]).second) continue;
    ops.push_back(Op::Del(args[i]));
  }
  int64_t deleted = static_cast<int64_t>(ops.size());
  if (!ops.empty() && !s.SubmitWrite(std::move(ops))) return;
  s.reply().Integer(deleted);
}

void TypeCommand(RespSession& s, Args args) { s.reply().Simple(RedisTypeName(s.backend().map().TypeOf(args[1]))); }

void KeysCommand(RespSession& s, Args args) {
  const std::string& pattern = args[1];
  std::vector<std::string> keys = s.backend().map().Keys(GlobLiteralPrefix(pattern));
  std::erase_if(keys, [&](const std::string& key) { return !GlobMatch(pattern, key); });
  s.reply().Array(keys.size());
  for (const std::string& key : keys) s.reply().Bulk(key);
}

void ScanCommand(RespSession& s, Args args) {
  uint64_t cursor = 0;
  if (!ParseUint64(args[1], &cursor)) {
    s.reply().Error("ERR invalid cursor");
    return;
  }
  const std::string* match = nullptr;
  const std::string* type = nullptr;
  uint64_t count = 10;
  for (size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      s.reply().Error(kSyntaxError);
      return;
    }
    if (EqualsIgnoreCase(args[i], "match")) {
      match = &args[i + 1];
    } else if (EqualsIgnoreCase(args[i], "type")) {
      type = &args[i + 1];
    } else if (EqualsIgnoreCase(args[i], "count")) {
      int64_t n = 0;
      if (!ParseInt64(args[i + 1], &n)) {
        s.reply().Error(kNotIntegerError);
        return;
      }
      if (n < 1) {
        s.reply().Error(kSyntaxError);
        return;
      }
      count = static_cast<uint64_t>(n);
    } else {
      s.reply().Error(kSyntaxError);
      return;
    }
  }
  const CrdtMap& map = s.backend().map();
  ScanCursors& scans = s.server().scans;

  std::shared_ptr<const ScanCursors::Keys> keys;
  uint32_t id = static_cast<uint32_t>(cursor >> 32);
  uint64_t position = cursor & 0xFFFFFFFFu;
  if (cursor == 0) {
    keys = std::make_shared<const ScanCursors::Keys>(map.Keys(match ? GlobLiteralPrefix(*match) : ""));
    if (keys->size() > std::max<uint64_t>(count, kScanAllAtOnce)) id = scans.Add(keys);
  } else {
    keys = scans.Find(id);
    if (!keys) {
      s.reply().Error("ERR SCAN cursor expired or unknown (too many scans at once?); restart the scan from 0");
      return;
    }
  }
  uint64_t end = id == 0 ? keys->size() : std::min<uint64_t>(keys->size(), position + count);
  std::vector<const std::string*> found;
  for (uint64_t i = position; i < end; ++i) {
    const std::string& key = (*keys)[i];
    ValueType held = map.TypeOf(key);
    if (held == ValueType::kNone) continue;  // deleted since the snapshot
    if (match && !GlobMatch(*match, key)) continue;
    if (type && !EqualsIgnoreCase(*type, RedisTypeName(held))) continue;
    found.push_back(&key);
  }
  uint64_t next = 0;
  if (end < keys->size()) {
    next = ScanCursors::Cursor(id, static_cast<uint32_t>(end));
  } else if (id != 0) {
    scans.Remove(id);
  }
  RespWriter& w = s.reply();
  w.Array(2);
  w.Bulk(std::to_string(next));
  w.Array(found.size());
  for (const std::string* key : found) w.Bulk(*key);
}

}  // namespace parley::resp

// Hash commands: HSET, HMSET, HGET, HMGET, HDEL, HGETALL, HKEYS, HVALS,
// HLEN, HEXISTS (an OR-map of field -> last-writer-wins register).
#include <set>

#include "node/resp/command_handlers.h"
#include "node/resp/resp_commands.h"

namespace parley::resp {
namespace {

// HSET and HMSET: returns the number of new fields, or -1 after replying
// an error.
int64_t SetFields(RespSession& s, Args args) {
  if (args.size() % 2 != 0) {
    s.reply().Error("ERR wrong number of arguments for '" + Lower(args[0]) + "' command");
    return -1;
  }
  const std::string& key = args[1];
  if (!ExpectType(s, key, ValueType::kHash)) return -1;
  const CrdtMap& map = s.backend().map();
  std::set<std::string_view> fresh;
  std::vector<Op> ops;
  for (size_t i = 2; i + 1 < args.size(); i += 2) {
    if (!map.HashGet(key, args[i])) fresh.insert(args[i]);
    ops.push_back(Op::HSet(key, args[i], args[i + 1]));
  }
  if (!s.SubmitWrite(std::move(ops))) return -1;
  return static_cast<int64_t>(fresh.size());
}

}  // namespace

void HsetCommand(RespSession& s, Args args) {
  int64_t added = SetFields(s, args);
  if (added >= 0) s.reply().Integer(added);
}

void HmsetCommand(RespSession& s, Args args) {
  if (SetFields(s, args) >= 0) s.reply().Ok();
}

void HgetCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  auto value = s.backend().map().HashGet(args[1], args[2]);
  if (value) {
    s.reply().Bulk(*value);
  } else {
    s.reply().Null();
  }
}

void HmgetCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  const CrdtMap& map = s.backend().map();
  s.reply().Array(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    auto value = map.HashGet(args[1], args[i]);
    if (value) {
      s.reply().Bulk(*value);
    } else {
      s.reply().Null();
    }
  }
}

void HdelCommand(RespSession& s, Args args) {
  const std::string& key = args[1];
  if (!ExpectType(s, key, ValueType::kHash)) return;
  const CrdtMap& map = s.backend().map();
  std::set<std::string_view> removed;
  std::vector<Op> ops;
  for (size_t i = 2; i < args.size(); ++i) {
    if (!map.HashGet(key, args[i]) || !removed.insert(args[i]).second) continue;
    ops.push_back(Op::HDel(key, args[i]));
  }
  int64_t count = static_cast<int64_t>(ops.size());
  if (!ops.empty() && !s.SubmitWrite(std::move(ops))) return;
  s.reply().Integer(count);
}

void HgetallCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  auto fields = s.backend().map().HashAll(args[1]);
  s.reply().Map(fields.size());
  for (const auto& [field, value] : fields) {
    s.reply().Bulk(field);
    s.reply().Bulk(value);
  }
}

void HkeysCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  auto fields = s.backend().map().HashAll(args[1]);
  s.reply().Array(fields.size());
  for (const auto& field : fields) s.reply().Bulk(field.first);
}

void HvalsCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  auto fields = s.backend().map().HashAll(args[1]);
  s.reply().Array(fields.size());
  for (const auto& field : fields) s.reply().Bulk(field.second);
}

void HlenCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  s.reply().Integer(static_cast<int64_t>(s.backend().map().HashAll(args[1]).size()));
}

void HexistsCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kHash)) return;
  s.reply().Integer(s.backend().map().HashGet(args[1], args[2]) ? 1 : 0);
}

}  // namespace parley::resp

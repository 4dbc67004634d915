// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SCARD (add-wins OR-set).
#include <set>

#include "node/resp/command_handlers.h"
#include "node/resp/resp_commands.h"

namespace parley::resp {

void SaddCommand(RespSession& s, Args args) {
  const std::string& key = args[1];
  if (!ExpectType(s, key, ValueType::kSet)) return;
  const CrdtMap& map = s.backend().map();
  std::set<std::string_view> added;
  std::vector<Op> ops;
  for (size_t i = 2; i < args.size(); ++i) {
    // Members already present need no write: SADD's reply counts only new
    // members, and skipping them keeps a no-op SADD off the wire.
    if (map.SetContains(key, args[i]) || !added.insert(args[i]).second) continue;
    ops.push_back(Op::SAdd(key, args[i]));
  }
  int64_t count = static_cast<int64_t>(ops.size());
  if (!ops.empty() && !s.SubmitWrite(std::move(ops))) return;
  s.reply().Integer(count);
}

void SremCommand(RespSession& s, Args args) {
  const std::string& key = args[1];
  if (!ExpectType(s, key, ValueType::kSet)) return;
  const CrdtMap& map = s.backend().map();
  std::set<std::string_view> removed;
  std::vector<Op> ops;
  for (size_t i = 2; i < args.size(); ++i) {
    if (!map.SetContains(key, args[i]) || !removed.insert(args[i]).second) continue;
    ops.push_back(Op::SRem(key, args[i]));
  }
  int64_t count = static_cast<int64_t>(ops.size());
  if (!ops.empty() && !s.SubmitWrite(std::move(ops))) return;
  s.reply().Integer(count);
}

void SmembersCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kSet)) return;
  std::vector<std::string> members = s.backend().map().SetMembers(args[1]);
  s.reply().Set(members.size());
  for (const std::string& member : members) s.reply().Bulk(member);
}

void SismemberCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kSet)) return;
  s.reply().Integer(s.backend().map().SetContains(args[1], args[2]) ? 1 : 0);
}

void ScardCommand(RespSession& s, Args args) {
  if (!ExpectType(s, args[1], ValueType::kSet)) return;
  s.reply().Integer(static_cast<int64_t>(s.backend().map().SetMembers(args[1]).size()));
}

}  // namespace parley::resp

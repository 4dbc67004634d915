// The RESP command table and Redis-compatible dispatch errors (see resp_commands.h).
#include "node/resp/resp_commands.h"

#include <algorithm>
#include <unordered_map>

#include "node/resp/command_handlers.h"

namespace parley::resp {
namespace {

std::vector<CommandSpec> BuildTable() {
  constexpr uint32_t kRead = kReadOnly | kFast;
  constexpr uint32_t kWriteFast = kWrite | kFast;
  constexpr uint32_t kSub = kPubSub | kSubscribedOk | kNoMulti;
  return {
      // connection
      {"ping", -1, kFast | kSubscribedOk, PingCommand},
      {"echo", 2, kFast, EchoCommand},
      {"hello", -1, kFast | kNoAuth, HelloCommand},
      {"auth", -2, kFast | kNoAuth, AuthCommand},
      {"select", 2, kFast, SelectCommand},
      {"quit", -1, kFast | kNoAuth | kSubscribedOk | kNotQueued, QuitCommand},
      {"reset", 1, kFast | kNoAuth | kSubscribedOk | kNotQueued, ResetCommand},
      {"client", -2, kAdmin, ClientCommand},
      {"command", -1, 0, CommandCommand},
      {"info", -1, 0, InfoCommand},
      {"config", -2, kAdmin, ConfigCommand},
      // keys
      {"dbsize", 1, kRead, DbsizeCommand},
      {"exists", -2, kRead, ExistsCommand, 1, -1, 1},
      {"del", -2, kWrite, DelCommand, 1, -1, 1},
      {"unlink", -2, kWriteFast, DelCommand, 1, -1, 1},
      {"type", 2, kRead, TypeCommand, 1, 1, 1},
      {"keys", 2, kReadOnly, KeysCommand},
      {"scan", -2, kReadOnly, ScanCommand},
      // strings and counters
      {"get", 2, kRead, GetCommand, 1, 1, 1},
      {"set", -3, kWrite, SetCommand, 1, 1, 1},
      {"setnx", 3, kWriteFast, SetnxCommand, 1, 1, 1},
      {"strlen", 2, kRead, StrlenCommand, 1, 1, 1},
      {"mget", -2, kRead, MgetCommand, 1, -1, 1},
      {"mset", -3, kWrite, MsetCommand, 1, -1, 2},
      {"incr", 2, kWriteFast, IncrCommand, 1, 1, 1},
      {"incrby", 3, kWriteFast, IncrbyCommand, 1, 1, 1},
      {"decr", 2, kWriteFast, DecrCommand, 1, 1, 1},
      {"decrby", 3, kWriteFast, DecrbyCommand, 1, 1, 1},
      // sets
      {"sadd", -3, kWriteFast, SaddCommand, 1, 1, 1},
      {"srem", -3, kWriteFast, SremCommand, 1, 1, 1},
      {"smembers", 2, kReadOnly, SmembersCommand, 1, 1, 1},
      {"sismember", 3, kRead, SismemberCommand, 1, 1, 1},
      {"scard", 2, kRead, ScardCommand, 1, 1, 1},
      // hashes
      {"hset", -4, kWriteFast, HsetCommand, 1, 1, 1},
      {"hmset", -4, kWriteFast, HmsetCommand, 1, 1, 1},
      {"hget", 3, kRead, HgetCommand, 1, 1, 1},
      {"hmget", -3, kRead, HmgetCommand, 1, 1, 1},
      {"hdel", -3, kWriteFast, HdelCommand, 1, 1, 1},
      {"hgetall", 2, kReadOnly, HgetallCommand, 1, 1, 1},
      {"hkeys", 2, kReadOnly, HkeysCommand, 1, 1, 1},
      {"hvals", 2, kReadOnly, HvalsCommand, 1, 1, 1},
      {"hlen", 2, kRead, HlenCommand, 1, 1, 1},
      {"hexists", 3, kRead, HexistsCommand, 1, 1, 1},
      // transactions (commands_transactions.cc)
      {"multi", 1, kFast | kNotQueued, MultiCommand},
      {"exec", 1, kNotQueued, ExecCommand},
      {"discard", 1, kFast | kNotQueued, DiscardCommand},
      // pub/sub on keyspace channels
      {"subscribe", -2, kSub, SubscribeCommand},
      {"unsubscribe", -1, kSub, UnsubscribeCommand},
      {"psubscribe", -2, kSub, PsubscribeCommand},
      {"punsubscribe", -1, kSub, PunsubscribeCommand},
  };
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

const CommandSpec* FindCommand(std::string_view name) {
  static const std::unordered_map<std::string_view, const CommandSpec*> index = [] {
    std::unordered_map<std::string_view, const CommandSpec*> m;
    for (const CommandSpec& spec : AllCommands()) m.emplace(spec.name, &spec);
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

std::string UnknownCommandMessage(std::span<const std::string> args) {
  // Redis: "unknown command '%.128s', with args beginning with: " followed
  // by "'%.*s' " per argument while the list is under 128 bytes.
  std::string listed;
  for (size_t i = 1; i < args.size() && listed.size() < 128; ++i) {
    size_t room = 128 - listed.size();
    listed += "'" + args[i].substr(0, room) + "' ";
  }
  return "unknown command '" + args[0].substr(0, 128) + "', with args beginning with: " + listed;
}

}  // namespace parley::resp

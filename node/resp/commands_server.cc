// Introspection commands: COMMAND and CONFIG GET (for clients that probe
// them) and INFO.
#include <unistd.h>

#include <chrono>

#include "node/resp/command_handlers.h"
#include "node/resp/glob.h"
#include "node/resp/resp_commands.h"
#include "node/resp/session_info.h"

namespace parley::resp {
namespace {

void WriteFlags(RespWriter& w, uint32_t flags) {
  std::vector<const char*> names;
  if (flags & kWrite) names.push_back("write");
  if (flags & kReadOnly) names.push_back("readonly");
  if (flags & kFast) names.push_back("fast");
  if (flags & kNoAuth) names.push_back("no_auth");
  if (flags & kPubSub) names.push_back("pubsub");
  if (flags & kAdmin) names.push_back("admin");
  if (flags & kNoMulti) names.push_back("no_multi");
  w.Set(names.size());
  for (const char* name : names) w.Simple(name);
}

// The Redis 7 ten-element command entry: name, arity, flags, first key,
// last key, step, ACL categories, tips, key specs, subcommands.
void WriteCommandEntry(RespWriter& w, const CommandSpec& spec) {
  w.Array(10);
  w.Bulk(spec.name);
  w.Integer(spec.arity);
  WriteFlags(w, spec.flags);
  w.Integer(spec.first_key);
  w.Integer(spec.last_key);
  w.Integer(spec.key_step);
  w.Set(0);
  w.Set(0);
  w.Array(0);
  w.Array(0);
}

void AppendSection(std::string& text, const char* title,
                   const std::vector<std::pair<std::string, std::string>>& fields) {
  if (!text.empty()) text += "\r\n";
  text += "# ";
  text += title;
  text += "\r\n";
  for (const auto& [key, value] : fields) text += key + ":" + value + "\r\n";
}

}  // namespace

void CommandCommand(RespSession& s, Args args) {
  RespWriter& w = s.reply();
  const auto& table = AllCommands();
  if (args.size() == 1) {
    w.Array(table.size());
    for (const CommandSpec& spec : table) WriteCommandEntry(w, spec);
    return;
  }
  std::string sub = Lower(args[1]);
  if (sub == "count" && args.size() == 2) {
    w.Integer(static_cast<int64_t>(table.size()));
  } else if (sub == "docs") {
    // Clients (redis-cli among them) only use docs for hints; none is fine.
    w.Map(0);
  } else if (sub == "info") {
    if (args.size() == 2) {
      w.Array(table.size());
      for (const CommandSpec& spec : table) WriteCommandEntry(w, spec);
      return;
    }
    w.Array(args.size() - 2);
    for (size_t i = 2; i < args.size(); ++i) {
      const CommandSpec* spec = FindCommand(Lower(args[i]));
      if (spec == nullptr) {
        w.NullArray();
      } else {
        WriteCommandEntry(w, *spec);
      }
    }
  } else if (sub == "list" && args.size() == 2) {
    w.Array(table.size());
    for (const CommandSpec& spec : table) w.Bulk(spec.name);
  } else {
    w.Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try COMMAND HELP.");
  }
}

void ConfigCommand(RespSession& s, Args args) {
  std::string sub = Lower(args[1]);
  if (sub == "get" && args.size() >= 3) {
    // Clients and tools (redis-benchmark, job queues) read a few settings
    // to adapt; report the ones that describe parley truthfully.
    const std::pair<const char*, std::string> known[] = {
        {"save", ""},
        {"appendonly", "no"},
        {"databases", "1"},
        {"maxmemory", "0"},
        {"maxmemory-policy", "noeviction"},
        {"notify-keyspace-events", "KEA"},
        {"proto-max-bulk-len", std::to_string(s.server().limits.max_bulk_bytes)},
        {"maxclients", "10000"},
        {"port", std::to_string(s.server().port)},
        {"requirepass", ""},  // never revealed
    };
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& [name, value] : known) {
      for (size_t i = 2; i < args.size(); ++i) {
        if (GlobMatch(Lower(args[i]), name)) {
          found.emplace_back(name, value);
          break;
        }
      }
    }
    s.reply().Map(found.size());
    for (const auto& [name, value] : found) {
      s.reply().Bulk(name);
      s.reply().Bulk(value);
    }
  } else if (sub == "set") {
    s.reply().Error("ERR parley is configured at start-up (flags or TOML file); CONFIG SET is not supported");
  } else if (sub == "resetstat" && args.size() == 2) {
    s.reply().Ok();
  } else {
    s.reply().Error("ERR unknown subcommand or wrong number of arguments for '" + args[1] + "'. Try CONFIG HELP.");
  }
}

void InfoCommand(RespSession& s, Args args) {
  std::vector<std::string> wanted;
  for (size_t i = 1; i < args.size(); ++i) wanted.push_back(Lower(args[i]));
  auto want = [&wanted](const char* section) {
    if (wanted.empty()) return true;
    for (const std::string& w : wanted) {
      if (w == section || w == "all" || w == "default" || w == "everything") return true;
    }
    return false;
  };
  ServerState& server = s.server();
  std::string text;
  if (want("server")) {
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - server.started)
                      .count();
    AppendSection(text, "Server",
                  {{"redis_version", kRedisCompatibleVersion},
                   {"parley_version", "0.1.0"},
                   {"redis_mode", "standalone"},
                   {"arch_bits", std::to_string(sizeof(void*) * 8)},
                   {"multiplexing_api", "libuv"},
                   {"process_id", std::to_string(getpid())},
                   {"tcp_port", std::to_string(server.port)},
                   {"uptime_in_seconds", std::to_string(uptime)},
                   {"uptime_in_days", std::to_string(uptime / 86400)}});
  }
  if (want("clients")) {
    size_t pubsub = 0;
    for (RespSession* session : server.sessions) pubsub += session->subscription_count() > 0 ? 1 : 0;
    AppendSection(text, "Clients",
                  {{"connected_clients", std::to_string(server.sessions.size())},
                   {"blocked_clients", "0"},
                   {"pubsub_clients", std::to_string(pubsub)}});
  }
  if (want("stats")) {
    AppendSection(text, "Stats",
                  {{"total_connections_received", std::to_string(server.total_connections)},
                   {"total_commands_processed", std::to_string(server.total_commands)},
                   {"rejected_connections", std::to_string(server.rejected_connections)}});
  }
  if (want("replication")) {
    // Every parley node accepts writes: each is a "master" with no replicas
    // in Redis's sense; peers are listed in the Parley section.
    AppendSection(text, "Replication", {{"role", "master"}, {"connected_slaves", "0"}});
  }
  if (want("keyspace")) {
    size_t keys = s.backend().map().KeyCount();
    std::vector<std::pair<std::string, std::string>> fields;
    if (keys > 0) fields.emplace_back("db0", "keys=" + std::to_string(keys) + ",expires=0,avg_ttl=0");
    AppendSection(text, "Keyspace", fields);
  }
  if (want("parley")) AppendSection(text, "Parley", s.backend().NodeInfo());
  s.reply().Verbatim(text);
}

}  // namespace parley::resp

// Client commands about the fleet as a node sees it: `parley members`
// (a `serf members`-style table) and `parley status`.
#include <cstdio>
#include <memory>
#include <string>

#include "node/cli/client_options.h"
#include "node/cli/command_registry.h"
#include "node/cli/text_table.h"

namespace parley::cli {
namespace {

using nlohmann::json;

std::string Text(const json& object, const char* field) {
  if (!object.is_object() || !object.contains(field)) return "-";
  const json& v = object[field];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string CheckFormat(const std::string& format) {
  return format == "table" || format == "json" ? "" : "format must be table or json";
}

void AddMembersCommand(CLI::App& app) {
  auto format = std::make_shared<std::string>("table");
  auto* cmd = AddClientCommand(
      app, "members", "List the fleet's members as the node sees them",
      [format](NodeApi& api, const ReplyPrinter&) {
        auto members = api.GetMembers();
        if (!members.ok()) return members.status();
        if (*format == "json") {
          std::printf("%s\n", json{{"members", *members}}.dump(2).c_str());
          return Status::Ok();
        }
        TextTable table({"NAME", "ADDRESS", "STATE", "HTTP", "RESP", "INCARNATION", "REPLICA"});
        for (const json& m : *members) {
          json meta = m.contains("meta") ? m["meta"] : json::object();
          table.AddRow({Text(m, "name"), Text(m, "address"), Text(m, "state"), Text(meta, "http"),
                        Text(meta, "resp"), Text(m, "incarnation"), Text(m, "replica")});
        }
        std::printf("%s", table.Render().c_str());
        return Status::Ok();
      });
  cmd->add_option("--format", *format, "table or json")->check(CheckFormat);
}

void AddStatusCommand(CLI::App& app) {
  auto format = std::make_shared<std::string>("table");
  auto* cmd = AddClientCommand(
      app, "status", "Show the node's identity, addresses, map digest and membership counts",
      [format](NodeApi& api, const ReplyPrinter&) {
        auto status = api.GetStatus();
        if (!status.ok()) return status.status();
        if (*format == "json") {
          std::printf("%s\n", status->dump(2).c_str());
          return Status::Ok();
        }
        const json& s = *status;
        json members = s.contains("members") ? s["members"] : json();
        json addresses = s.contains("addresses") ? s["addresses"] : json();
        TextTable table({"FIELD", "VALUE"});
        table.AddRow({"name", Text(s, "name")});
        table.AddRow({"replica", Text(s, "replica")});
        table.AddRow({"keys", Text(s, "keys")});
        table.AddRow({"digest", Text(s, "digest")});
        table.AddRow({"members", "alive=" + Text(members, "alive") + " suspect=" +
                                     Text(members, "suspect") + " dead=" + Text(members, "dead") +
                                     " left=" + Text(members, "left")});
        table.AddRow({"gossip", Text(addresses, "gossip")});
        table.AddRow({"http", Text(addresses, "http")});
        table.AddRow({"resp", Text(addresses, "resp")});
        table.AddRow({"durable_sequence", Text(s, "durable_sequence")});
        table.AddRow({"sync_policy", Text(s, "sync_policy")});
        table.AddRow({"local_health", Text(s, "local_health")});
        std::printf("%s", table.Render().c_str());
        return Status::Ok();
      });
  cmd->add_option("--format", *format, "table or json")->check(CheckFormat);
}

}  // namespace

PARLEY_REGISTER_COMMAND(240, AddMembersCommand);
PARLEY_REGISTER_COMMAND(241, AddStatusCommand);

}  // namespace parley::cli

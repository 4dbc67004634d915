// Client commands on sets: `parley sadd`, `srem`, `smembers`.
#include <memory>
#include <string>
#include <vector>

#include "node/cli/client_options.h"
#include "node/cli/command_registry.h"

namespace parley::cli {
namespace {

void AddSaddCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto members = std::make_shared<std::vector<std::string>>();
  auto* cmd = AddClientCommand(app, "sadd", "Add MEMBERs to the set KEY",
                               [key, members](NodeApi& api, const ReplyPrinter& out) {
                                 PARLEY_RETURN_IF_ERROR(api.AddToSet(*key, *members, ClientWriteOptions()));
                                 out.Ok();
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("MEMBER", *members)->required();
}

void AddSremCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto members = std::make_shared<std::vector<std::string>>();
  auto* cmd = AddClientCommand(app, "srem", "Remove MEMBERs from the set KEY",
                               [key, members](NodeApi& api, const ReplyPrinter& out) {
                                 PARLEY_RETURN_IF_ERROR(api.RemoveFromSet(*key, *members, ClientWriteOptions()));
                                 out.Ok();
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("MEMBER", *members)->required();
}

void AddSmembersCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "smembers", "List the members of the set KEY",
                               [key](NodeApi& api, const ReplyPrinter& out) {
                                 auto value = api.GetAs(*key, "set", nlohmann::json::array());
                                 if (!value.ok()) return value.status();
                                 out.Value("set", *value);
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
}

}  // namespace

PARLEY_REGISTER_COMMAND(220, AddSaddCommand);
PARLEY_REGISTER_COMMAND(221, AddSremCommand);
PARLEY_REGISTER_COMMAND(222, AddSmembersCommand);

}  // namespace parley::cli

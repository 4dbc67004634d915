// Client commands on whole keys: `parley get`, `set`, `del`, `incr`, `keys`.
#include <memory>
#include <string>

#include "node/cli/client_options.h"
#include "node/cli/command_registry.h"

namespace parley::cli {
namespace {

void AddGetCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "get", "Print the value of KEY (any type)",
                               [key](NodeApi& api, const ReplyPrinter& out) {
                                 auto found = api.Get(*key);
                                 if (!found.ok()) return found.status();
                                 if (!found->has_value()) out.Nil();
                                 else out.Value((*found)->type, (*found)->value);
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
}

void AddSetCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "set", "Set KEY to the string VALUE (replaces any type)",
                               [key, value](NodeApi& api, const ReplyPrinter& out) {
                                 PARLEY_RETURN_IF_ERROR(api.SetRegister(*key, *value, ClientWriteOptions()));
                                 out.Ok();
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("VALUE", *value)->required();
}

void AddDelCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "del", "Delete KEY", [key](NodeApi& api, const ReplyPrinter& out) {
    PARLEY_RETURN_IF_ERROR(api.Delete(*key, ClientWriteOptions()));
    out.Ok();
    return Status::Ok();
  });
  cmd->add_option("KEY", *key)->required();
}

void AddIncrCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto by = std::make_shared<int64_t>(1);
  auto* cmd = AddClientCommand(app, "incr", "Add BY (default 1, may be negative) to the counter KEY",
                               [key, by](NodeApi& api, const ReplyPrinter& out) {
                                 auto value = api.Increment(*key, *by, ClientWriteOptions());
                                 if (!value.ok()) return value.status();
                                 out.Integer(*value);
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("BY", *by, "Amount to add");
}

void AddKeysCommand(CLI::App& app) {
  auto prefix = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(0);
  auto* cmd = AddClientCommand(app, "keys", "List keys starting with PREFIX (all keys without one)",
                               [prefix, limit](NodeApi& api, const ReplyPrinter& out) {
                                 auto keys = api.ListKeys(*prefix, *limit);
                                 if (!keys.ok()) return keys.status();
                                 out.List(*keys);
                                 return Status::Ok();
                               });
  cmd->add_option("PREFIX", *prefix);
  cmd->add_option("--limit", *limit, "Return at most this many keys");
}

}  // namespace

PARLEY_REGISTER_COMMAND(210, AddGetCommand);
PARLEY_REGISTER_COMMAND(211, AddSetCommand);
PARLEY_REGISTER_COMMAND(212, AddDelCommand);
PARLEY_REGISTER_COMMAND(213, AddIncrCommand);
PARLEY_REGISTER_COMMAND(214, AddKeysCommand);

}  // namespace parley::cli

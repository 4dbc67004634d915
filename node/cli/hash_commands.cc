// Client commands on hashes: `parley hset`, `hget`, `hgetall`, `hdel`.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "node/cli/client_options.h"
#include "node/cli/command_registry.h"

namespace parley::cli {
namespace {

void AddHsetCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto pairs = std::make_shared<std::vector<std::string>>();
  auto* cmd = AddClientCommand(
      app, "hset", "Set FIELD to VALUE (one or more pairs) in the hash KEY",
      [key, pairs](NodeApi& api, const ReplyPrinter& out) {
        if (pairs->size() % 2 != 0) {
          return Status::InvalidArgument("hset takes FIELD VALUE pairs; '" + pairs->back() +
                                         "' has no value");
        }
        std::vector<std::pair<std::string, std::string>> fields;
        for (size_t i = 0; i < pairs->size(); i += 2) fields.emplace_back((*pairs)[i], (*pairs)[i + 1]);
        PARLEY_RETURN_IF_ERROR(api.SetHashFields(*key, fields, ClientWriteOptions()));
        out.Ok();
        return Status::Ok();
      });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("FIELD_VALUE", *pairs, "FIELD VALUE [FIELD VALUE ...]")->required()->expected(2, -1);
}

void AddHgetCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto field = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "hget", "Print FIELD of the hash KEY",
                               [key, field](NodeApi& api, const ReplyPrinter& out) {
                                 auto hash = api.GetAs(*key, "hash", nlohmann::json::object());
                                 if (!hash.ok()) return hash.status();
                                 auto it = hash->find(*field);
                                 if (it == hash->end() || !it->is_string()) out.Nil();
                                 else out.String(it->get<std::string>());
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("FIELD", *field)->required();
}

void AddHgetallCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(app, "hgetall", "Print every field and value of the hash KEY",
                               [key](NodeApi& api, const ReplyPrinter& out) {
                                 auto hash = api.GetAs(*key, "hash", nlohmann::json::object());
                                 if (!hash.ok()) return hash.status();
                                 out.Value("hash", *hash);
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
}

void AddHdelCommand(CLI::App& app) {
  auto key = std::make_shared<std::string>();
  auto fields = std::make_shared<std::vector<std::string>>();
  auto* cmd = AddClientCommand(app, "hdel", "Remove FIELDs from the hash KEY",
                               [key, fields](NodeApi& api, const ReplyPrinter& out) {
                                 PARLEY_RETURN_IF_ERROR(api.RemoveHashFields(*key, *fields, ClientWriteOptions()));
                                 out.Ok();
                                 return Status::Ok();
                               });
  cmd->add_option("KEY", *key)->required();
  cmd->add_option("FIELD", *fields)->required();
}

}  // namespace

PARLEY_REGISTER_COMMAND(230, AddHsetCommand);
PARLEY_REGISTER_COMMAND(231, AddHgetCommand);
PARLEY_REGISTER_COMMAND(232, AddHgetallCommand);
PARLEY_REGISTER_COMMAND(233, AddHdelCommand);

}  // namespace parley::cli

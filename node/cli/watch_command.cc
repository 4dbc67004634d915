// `parley watch PREFIX`: prints every change under PREFIX as it happens,
// until Ctrl-C (or the node goes away).
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "node/cli/client_options.h"
#include "node/cli/command_registry.h"

namespace parley::cli {
namespace {

// Set by SIGINT/SIGTERM; polled by the stream so Ctrl-C ends the watch
// cleanly with status 0 instead of killing the process mid-line.
volatile std::sig_atomic_t stop_requested = 0;
void RequestStop(int) { stop_requested = 1; }

void AddWatchCommand(CLI::App& app) {
  auto prefix = std::make_shared<std::string>();
  auto* cmd = AddClientCommand(
      app, "watch", "Stream changes to keys starting with PREFIX until Ctrl-C",
      [prefix](NodeApi& api, const ReplyPrinter& out) {
        std::signal(SIGINT, RequestStop);
        std::signal(SIGTERM, RequestStop);
        std::fprintf(stderr, "watching '%s' on %s (Ctrl-C to stop)\n", prefix->c_str(),
                     api.address().c_str());
        auto on_change = [&out](const nlohmann::json& change) {
          std::string key = JsonText(change, "key");
          std::string type = JsonText(change, "type");
          nlohmann::json value = change.contains("value") ? change["value"] : nlohmann::json();
          std::printf("%s (%s) ", QuoteForDisplay(key).c_str(), type.empty() ? "deleted" : type.c_str());
          if (value.is_null()) std::printf("(nil)\n");
          else if (value.is_string()) std::printf("%s\n", QuoteForDisplay(value.get<std::string>()).c_str());
          else std::printf("%s\n", value.dump().c_str());
          std::fflush(stdout);  // a watcher piped into another tool wants each line now
          (void)out;
          return true;
        };
        return api.Watch(*prefix, on_change, [] { return stop_requested != 0; });
      });
  cmd->add_option("PREFIX", *prefix, "Key prefix (empty: every key)");
}

}  // namespace

PARLEY_REGISTER_COMMAND(250, AddWatchCommand);

}  // namespace parley::cli

// GET /v1/watch?prefix=P: a server-sent event per change of a key under P,
// until the client hangs up (which removes the watch).
#include "node/http/handlers.h"
#include "node/http/json_codec.h"
#include "node/http/sse.h"

namespace parley {

void AddWatchRoutes(Router& router, NodeRuntime& rt) {
  router.Add("GET", "/v1/watch", [&rt](const HttpRequest& req, const std::string&, ExchangePtr ex) {
    auto query = QueryOrReject(req, ex);
    if (!query) return;
    std::string prefix = query->count("prefix") ? query->at("prefix") : std::string();
    if (!ex->BeginStream("text/event-stream")) return;
    // The watcher holds the exchange; the exchange's close removes the
    // watcher, which releases the exchange.
    uint64_t id = rt.Watch(prefix, [&rt, ex](const std::string& key) {
      std::optional<nlohmann::json> value = KeyToJson(rt.core().map(), key);
      nlohmann::json data = value ? *value : nlohmann::json{{"key", key}, {"type", nullptr}, {"value", nullptr}};
      ex->SendChunk(SseEvent("change", data));
    });
    ex->OnClose([&rt, id] { rt.Unwatch(id); });
    // Tells the client the watch is in place (changes from now on are sent).
    ex->SendChunk(SseComment("watching prefix \"" + prefix + "\""));
  });
}

}  // namespace parley

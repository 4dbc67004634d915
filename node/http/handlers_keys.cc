// Endpoints reading and deleting keys: GET /v1/keys, GET|DELETE /v1/keys/{key}.
#include <charconv>

#include "node/http/handlers.h"
#include "node/http/json_codec.h"
#include "node/http/url.h"

namespace parley {

std::optional<std::map<std::string, std::string>> QueryOrReject(const HttpRequest& request,
                                                                const ExchangePtr& exchange) {
  Result<std::map<std::string, std::string>> query = ParseQuery(request.query);
  if (!query.ok()) {
    exchange->Respond(ErrorResponse(400, "bad_request", query.status().message()));
    return std::nullopt;
  }
  return std::move(query).value();
}

void AddKeyRoutes(Router& router, NodeRuntime& rt) {
  router.Add("GET", "/v1/keys", [&rt](const HttpRequest& req, const std::string&, ExchangePtr ex) {
    auto query = QueryOrReject(req, ex);
    if (!query) return;
    size_t limit = 1000;
    if (auto it = query->find("limit"); it != query->end()) {
      const std::string& text = it->second;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (ec != std::errc() || end != text.data() + text.size()) {
        ex->Respond(ErrorResponse(400, "bad_request", "limit: '" + text + "' is not a number"));
        return;
      }
    }
    std::string prefix = query->count("prefix") ? query->at("prefix") : std::string();
    ex->Respond(JsonResponse(200, {{"keys", rt.core().map().Keys(prefix, limit)}}));
  });

  router.Add("GET", "/v1/keys/*", [&rt](const HttpRequest&, const std::string& key, ExchangePtr ex) {
    std::optional<nlohmann::json> value = KeyToJson(rt.core().map(), key);
    if (!value) {
      ex->Respond(ErrorResponse(404, "not_found", "no key '" + key + "'"));
      return;
    }
    ex->Respond(JsonResponse(200, *value));
  });

  router.Add("DELETE", "/v1/keys/*", [&rt](const HttpRequest& req, const std::string& key, ExchangePtr ex) {
    SubmitWrite(rt, req, {Op::Del(key)}, ex, OkResponse);
  });
}

}  // namespace parley

// Typed write endpoints and the atomic batch; every write waits for its
// acknowledgement at the requested durability before answering.
#include "node/http/handlers.h"
#include "node/http/json_codec.h"

namespace parley {

void SubmitWrite(NodeRuntime& rt, const HttpRequest& request, std::vector<Op> ops, ExchangePtr exchange,
                 std::function<HttpResponse()> on_ok) {
  auto query = QueryOrReject(request, exchange);
  if (!query) return;
  Result<Durability> durability = ParseDurability(*query);
  if (!durability.ok()) {
    exchange->Respond(ErrorResponse(durability.status()));
    return;
  }
  rt.Write(std::move(ops), *durability, [exchange, on_ok = std::move(on_ok)](const Status& s) {
    exchange->Respond(s.ok() ? on_ok() : ErrorResponse(s));
  });
}

namespace {

// Parses the body as a JSON object or answers 400.
std::optional<nlohmann::json> BodyOrReject(const HttpRequest& req, const ExchangePtr& ex) {
  Result<nlohmann::json> body = ParseJsonObject(req.body);
  if (!body.ok()) {
    ex->Respond(ErrorResponse(body.status()));
    return std::nullopt;
  }
  return std::move(body).value();
}

template <typename ParseFn>
Router::Handler TypedWrite(NodeRuntime& rt, ParseFn parse) {
  return [&rt, parse](const HttpRequest& req, const std::string& key, ExchangePtr ex) {
    auto body = BodyOrReject(req, ex);
    if (!body) return;
    Result<std::vector<Op>> ops = parse(key, *body);
    if (!ops.ok()) {
      ex->Respond(ErrorResponse(ops.status()));
      return;
    }
    SubmitWrite(rt, req, std::move(ops).value(), ex, OkResponse);
  };
}

}  // namespace

void AddWriteRoutes(Router& router, NodeRuntime& rt) {
  router.Add("PUT", "/v1/register/*", TypedWrite(rt, ParseRegisterWrite));
  router.Add("POST", "/v1/set/*", TypedWrite(rt, ParseSetWrite));
  router.Add("POST", "/v1/hash/*", TypedWrite(rt, ParseHashWrite));

  router.Add("POST", "/v1/counter/*", [&rt](const HttpRequest& req, const std::string& key, ExchangePtr ex) {
    auto body = BodyOrReject(req, ex);
    if (!body) return;
    Result<Op> op = ParseCounterWrite(key, *body);
    if (!op.ok()) {
      ex->Respond(ErrorResponse(op.status()));
      return;
    }
    // The value as of the acknowledgement (it includes this increment and
    // whatever else arrived meanwhile).
    SubmitWrite(rt, req, {std::move(op).value()}, ex, [&rt, key] {
      return JsonResponse(200, {{"value", rt.core().map().GetCounter(key).value_or(0)}});
    });
  });

  router.Add("POST", "/v1/batch", [&rt](const HttpRequest& req, const std::string&, ExchangePtr ex) {
    auto body = BodyOrReject(req, ex);
    if (!body) return;
    Result<std::vector<Op>> ops = ParseBatchOps(*body);
    if (!ops.ok()) {
      ex->Respond(ErrorResponse(ops.status()));
      return;
    }
    SubmitWrite(rt, req, std::move(ops).value(), ex, OkResponse);
  });
}

}  // namespace parley

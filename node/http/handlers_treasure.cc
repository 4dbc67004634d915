// The two endpoints of the Redis-backed original app: the treasure map is
// one JSON document kept in register "treasureMap".
#include "node/http/handlers.h"
#include "node/http/json_codec.h"

namespace parley {

void AddTreasureRoutes(Router& router, NodeRuntime& rt) {
  router.Add("POST", "/update-treasure-map", [&rt](const HttpRequest& req, const std::string&, ExchangePtr ex) {
    Result<nlohmann::json> body = ParseJsonObject(req.body);
    if (!body.ok()) {
      ex->Respond(ErrorResponse(body.status()));
      return;
    }
    auto piece = body->find("mapPiece");
    if (piece == body->end()) {
      ex->Respond(ErrorResponse(400, "bad_request", "missing \"mapPiece\""));
      return;
    }
    SubmitWrite(rt, req, {Op::Set("treasureMap", DumpJson(*piece))}, ex, OkResponse);
  });

  router.Add("GET", "/get-treasure-map", [&rt](const HttpRequest&, const std::string&, ExchangePtr ex) {
    std::optional<std::string> stored = rt.core().map().GetRegister("treasureMap");
    nlohmann::json piece = nullptr;
    if (stored) {
      piece = nlohmann::json::parse(*stored, nullptr, /*allow_exceptions=*/false);
      // Written by something other than this endpoint: hand back the text.
      if (piece.is_discarded()) piece = *stored;
    }
    ex->Respond(JsonResponse(200, {{"mapPiece", piece}}));
  });
}

}  // namespace parley
